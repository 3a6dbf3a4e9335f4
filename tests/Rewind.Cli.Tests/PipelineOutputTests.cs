using Rewind.Cli.Commands;
using Rewind.Core;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Cli.Tests;

/// <summary>The GitHub Actions side of <c>freeze check</c> and <c>record</c>: the annotation's escaping and the GITHUB_OUTPUT file.</summary>
public sealed class PipelineOutputTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-pipeline-out-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void The_annotation_is_one_error_line_with_the_title_and_the_message()
    {
        Assert.Equal("::error title=Releases frozen::api: bad deploy (FRZ-1, by alice)", PipelineOutput.ErrorAnnotation(PipelineOutput.FrozenTitle, "api: bad deploy (FRZ-1, by alice)"));
    }

    [Theory]
    [InlineData("50% errors", "50%25 errors")]
    [InlineData("line one\nline two", "line one%0Aline two")]
    [InlineData("a\r\nb", "a%0D%0Ab")]
    [InlineData("already %0A escaped", "already %250A escaped")]
    [InlineData("plain: text, kept", "plain: text, kept")]
    public void The_message_escapes_percent_CR_and_LF_as_GitHub_requires(string message, string escaped)
    {
        var line = PipelineOutput.ErrorAnnotation("T", message);

        Assert.Equal($"::error title=T::{escaped}", line);
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
    }

    [Fact]
    public void The_title_also_escapes_the_colon_and_comma_that_would_end_the_property()
    {
        Assert.Equal("::error title=a%3A b%2C c%25%0A::m", PipelineOutput.ErrorAnnotation("a: b, c%\n", "m"));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("false", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void GitHub_Actions_is_recognised_by_GITHUB_ACTIONS_true(string? value, bool expected)
    {
        Assert.Equal(expected, PipelineOutput.OnGitHubActions(name => name == "GITHUB_ACTIONS" ? value : null));
    }

    [Fact]
    public void An_unset_or_empty_GITHUB_OUTPUT_names_no_file()
    {
        Assert.Null(PipelineOutput.OutputFile(_ => null));
        Assert.Null(PipelineOutput.OutputFile(_ => ""));
        Assert.Equal(Path.GetFullPath("out.txt"), PipelineOutput.OutputFile(name => name == "GITHUB_OUTPUT" ? "out.txt" : null));
    }

    [Fact]
    public async Task The_outputs_are_appended_to_the_existing_file_which_keeps_its_lines_and_mode()
    {
        var path = Path.Combine(_folder.FullName, "github_output");
        await File.WriteAllTextAsync(path, "earlier=step\n", Ct);
        Assert.SkipWhen(OperatingSystem.IsWindows(), "file modes are Unix's");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await PipelineOutput.AppendOutputsAsync(path, [new("release", "rel-20261206-1"), new("version", "1.4.2")], Ct);
        await PipelineOutput.AppendOutputsAsync(path, [new("release", "rel-20261206-2")], Ct);

        Assert.Equal("earlier=step\nrelease=rel-20261206-1\nversion=1.4.2\nrelease=rel-20261206-2\n", await File.ReadAllTextAsync(path, Ct));
        Assert.Equal("0644", UnixModes.Mode(path));
    }

    [Fact]
    public async Task A_missing_output_file_is_created_0600()
    {
        var path = Path.Combine(_folder.FullName, "new_output");

        using (UnixModes.Umask("022"))
            await PipelineOutput.AppendOutputsAsync(path, [new("release", "rel-1")], Ct);

        Assert.Equal("release=rel-1\n", await File.ReadAllTextAsync(path, Ct));
        Assert.Equal("0600", UnixModes.Mode(path));
    }

    [Fact]
    public void A_value_with_a_line_break_uses_the_delimiter_form_with_a_delimiter_not_in_the_value()
    {
        Assert.Equal("v<<REWIND_EOF_\na\nREWIND_EOF\nREWIND_EOF_\n", PipelineOutput.OutputLines([new("v", "a\nREWIND_EOF")]));
    }

    [Fact]
    public async Task A_symbolic_link_at_the_output_path_is_refused_and_its_target_is_unchanged()
    {
        var target = Path.Combine(_folder.FullName, "target");
        await File.WriteAllTextAsync(target, "kept\n", Ct);
        var link = Path.Combine(_folder.FullName, "link");
        File.CreateSymbolicLink(link, target);

        var refused = await Assert.ThrowsAsync<RewindException>(() => PipelineOutput.AppendOutputsAsync(link, [new("release", "rel-1")], Ct));

        Assert.Equal(FailureKind.BadInput, refused.Kind);
        Assert.Equal("kept\n", await File.ReadAllTextAsync(target, Ct));
    }
}
