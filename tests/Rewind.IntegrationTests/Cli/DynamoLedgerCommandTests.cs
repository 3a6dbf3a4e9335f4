using System.Text.Json;
using Rewind.Aws;
using Rewind.Cli;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Emulator;
using Xunit;

namespace Rewind.IntegrationTests.Cli;

/// <summary><c>rewind ledger init --backend dynamodb</c> and every ledger command over that table, in-process against moto.</summary>
[Collection("emulator")]
public sealed class DynamoLedgerCommandTests(EmulatorFixture emulator) : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-dynamo-cli-");

    [Fact]
    public async Task Ledger_init_creates_the_table_and_history_and_verify_then_use_it()
    {
        var table = "rewind-" + Guid.NewGuid().ToString("N")[..8];
        var config = Path.Combine(_folder.FullName, "rewind.yaml");
        await File.WriteAllTextAsync(config, $"ledger:\n  backend: dynamodb\n  table: {table}\n", TestContext.Current.CancellationToken);

        var before = await RunAsync(["history", "--config", config]);
        var init = await RunAsync(["ledger", "init", "--config", config]);
        var again = await RunAsync(["ledger", "init", "--config", config]);
        var history = await RunAsync(["history", "--config", config, "--output", "json"]);
        var verify = await RunAsync(["ledger", "verify", "--config", config]);

        Assert.Equal(ExitCodes.BadInput, before.ExitCode);
        Assert.Contains("rewind ledger init --backend dynamodb --table", before.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, init.ExitCode);
        Assert.Contains($"dynamodb:{table}", init.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(0, history.ExitCode);
        using var report = JsonDocument.Parse(history.Stdout);
        Assert.Equal($"dynamodb:{table}", report.RootElement.GetProperty("location").GetString());
        Assert.Equal(0, verify.ExitCode);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await RewindApp.RunAsync(args, stdout, stderr, TestContext.Current.CancellationToken, _ => new AwsClients(ClientFactory.Session(emulator)));
        return (code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
