using Rewind.Aws;
using Rewind.Cli;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Emulator;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>Runs the CLI in-process against an emulator: exit code, stdout and stderr.</summary>
internal static class EmulatorCli
{
    public static async Task<CliOutcome> RunAsync(EmulatorFixture emulator, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await RewindApp.RunAsync(args, stdout, stderr, TestContext.Current.CancellationToken, _ => new AwsClients(ClientFactory.Session(emulator)));
        return new CliOutcome(code, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>One CLI invocation's result; its string form is the whole transcript, for assertion messages.</summary>
internal sealed record CliOutcome(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
