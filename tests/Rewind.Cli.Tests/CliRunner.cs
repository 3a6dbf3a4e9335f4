using Rewind.Aws;

namespace Rewind.Cli.Tests;

/// <summary>What one in-process run of the CLI did.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs the real program in-process: same parser, commands and error handling as the binary.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(
        string[] args, Func<AwsSettings, AwsClients>? aws = null, CancellationToken cancellationToken = default, TimeProvider? time = null)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await RewindApp.RunAsync(args, stdout, stderr, cancellationToken, aws, time: time);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}
