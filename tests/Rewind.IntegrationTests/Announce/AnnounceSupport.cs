using Rewind.Aws;
using Rewind.Cli;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Emulator;
using Rewind.IntegrationTests.Playbook;

namespace Rewind.IntegrationTests.Announce;

/// <summary>What one in-process run of the CLI did.</summary>
internal sealed record CliOutcome(int ExitCode, string Stdout, string Stderr)
{
    public IReadOnlyList<string> ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the CLI in-process against an emulator, with a rewind.yaml for a seeded world and webhook variables of its own.</summary>
internal static class AnnounceCli
{
    public static async Task<CliOutcome> RunAsync(EmulatorFixture? emulator, string[] args, CancellationToken ct)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = emulator is null
            ? await RewindApp.RunAsync(args, stdout, stderr, ct)
            : await RewindApp.RunAsync(args, stdout, stderr, ct, _ => new AwsClients(ClientFactory.Session(emulator)));
        return new CliOutcome(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A process-wide environment variable with a name no other test uses, holding <paramref name="value"/> (null: unset).</summary>
    public static string Variable(string purpose, string? value)
    {
        var name = $"REWIND_TEST_{purpose.ToUpperInvariant()}_{Guid.NewGuid().ToString("N")[..8].ToUpperInvariant()}";
        Environment.SetEnvironmentVariable(name, value);
        return name;
    }

    /// <summary>A rewind.yaml for the seeded world with <paramref name="notify"/> (YAML lines under <c>notify:</c>), next to its ledger.</summary>
    public static string Config(PlaybookHarness world, string? notify = null) =>
        world.WriteConfig(notify is null ? "" : "notify:\n" + notify);

    /// <summary>A configuration that needs no AWS at all (for input checked before any call), in a temporary folder.</summary>
    public static string OfflineConfig(string notify)
    {
        var folder = Directory.CreateTempSubdirectory("rewind-announce-").FullName;
        var path = Path.Combine(folder, "rewind.yaml");
        Cli.ExistingLedger.At(Path.Combine(folder, "ledger.db"));
        File.WriteAllText(path, $"""
            service:
              name: claude-proxy-api
            ledger:
              path: {Path.Combine(folder, "ledger.db")}
            notify:
            {notify}
            """);
        return path;
    }
}
