using System.Diagnostics;
using Xunit;

namespace Rewind.Cli.Tests;

/// <summary>The bash completion script, sourced in a real bash, completes from the real parser.</summary>
public sealed class CompletionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("rewind secr", "secret")]
    [InlineData("rewind secret --re", "--region\n--restart")]
    [InlineData("rewind --output j", "json")]
    [InlineData("rewind completion z", "zsh")]
    public async Task Bash_completion_offers_what_the_parser_accepts(string line, string expected)
    {
        var script = await CliRunner.RunAsync(["completion", "bash"], cancellationToken: Ct);
        Assert.Equal(0, script.ExitCode);
        var folder = Directory.CreateTempSubdirectory("rewind-completion-").FullName;
        try
        {
            // The script calls the program named on the command line: put this build's rewind first on PATH.
            File.CreateSymbolicLink(Path.Combine(folder, "rewind"), Path.Combine(AppContext.BaseDirectory, "rewind"));
            await File.WriteAllTextAsync(Path.Combine(folder, "completion.sh"), script.Stdout, Ct);
            var words = line.Split(' ');
            var probe = $"""
                source completion.sh
                COMP_LINE='{line}'; COMP_POINT=${"{#"}COMP_LINE{"}"}
                COMP_WORDS=({string.Join(' ', words.Select(w => $"'{w}'"))}); COMP_CWORD={words.Length - 1}
                _rewind_complete
                printf '%s\n' "${"{"}COMPREPLY[@]{"}"}" | sort
                """;
            var start = new ProcessStartInfo("bash", ["-c", probe]) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["PATH"] = folder + ":" + Environment.GetEnvironmentVariable("PATH");
            using var bash = Process.Start(start)!;
            var output = await bash.StandardOutput.ReadToEndAsync(Ct);
            await bash.WaitForExitAsync(Ct);

            Assert.Equal(expected, output.Trim());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Both_scripts_call_the_suggest_directive_and_other_shells_are_bad_input()
    {
        var zsh = await CliRunner.RunAsync(["completion", "zsh"], cancellationToken: Ct);
        var fish = await CliRunner.RunAsync(["completion", "fish"], cancellationToken: Ct);

        Assert.Contains("compdef _rewind_complete rewind", zsh.Stdout, StringComparison.Ordinal);
        Assert.Contains("[suggest:${CURSOR}]", zsh.Stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, fish.ExitCode);
        Assert.Contains("'fish' not recognized", fish.Stderr, StringComparison.Ordinal);
    }
}
