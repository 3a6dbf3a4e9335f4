using Rewind.Cli;
using Rewind.IntegrationTests.Cli;
using Xunit;

namespace Rewind.IntegrationTests.Pipeline;

/// <summary>
/// <c>rewind record</c> refuses a GITHUB_OUTPUT it could not hand the release on through (a folder, a symbolic link)
/// with exit 2 before reading its configuration or recording anything. The real program, in its own environment.
/// </summary>
public sealed class RecordOutputFileTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-record-output-");
    private readonly RewindProcess _rewind = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _rewind.Dispose();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task Given_GITHUB_OUTPUT_names_a_folder_when_recording_then_exit_2_before_the_configuration_is_read()
    {
        var result = await RecordAsync(_folder.FullName);

        Assert.True(result.ExitCode == ExitCodes.BadInput, result.ToString());
        Assert.Contains($"GITHUB_OUTPUT names a folder ({_folder.FullName})", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("missing.yaml", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_GITHUB_OUTPUT_is_a_symbolic_link_when_recording_then_exit_2_and_its_target_is_unchanged()
    {
        var target = Path.Combine(_folder.FullName, "target");
        await File.WriteAllTextAsync(target, "kept\n", Ct);
        var link = Path.Combine(_folder.FullName, "github_output");
        File.CreateSymbolicLink(link, target);

        var result = await RecordAsync(link);

        Assert.True(result.ExitCode == ExitCodes.BadInput, result.ToString());
        Assert.Contains("is a symbolic link", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("kept\n", await File.ReadAllTextAsync(target, Ct));
    }

    private Task<RewindResult> RecordAsync(string output) =>
        _rewind.RunAsync(["record", "--config", Path.Combine(_folder.FullName, "missing.yaml")], new Dictionary<string, string> { ["GITHUB_OUTPUT"] = output }, Ct);
}
