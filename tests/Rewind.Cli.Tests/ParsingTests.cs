using Xunit;

namespace Rewind.Cli.Tests;

public sealed class ParsingTests
{
    [Fact]
    public async Task Version_prints_the_version_and_the_commit()
    {
        var result = await CliRunner.RunAsync(["--version"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+(\+[0-9a-f]{7,40})?\s*$", result.Stdout);
    }

    [Theory]
    [InlineData("doctor --bogus", "--bogus")]
    [InlineData("nosuchcommand", "nosuchcommand")]
    [InlineData("doctor --output yaml", "yaml")]
    public async Task Bad_flags_are_one_line_on_stderr_and_exit_2(string args, string named)
    {
        var result = await CliRunner.RunAsync(args.Split(' '), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.Contains("--help", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_doctor_and_the_global_options()
    {
        var result = await CliRunner.RunAsync(["--help"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        foreach (var expected in new[] { "doctor", "--config", "--profile", "--region", "--endpoint-url", "--output", "--verbose" })
            Assert.Contains(expected, result.Stdout, StringComparison.Ordinal);
    }
}
