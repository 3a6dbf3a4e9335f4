using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rewind.Core.Ledger;
using Rewind.Ledger.Sqlite;
using Xunit;

namespace Rewind.Cli.Tests;

public sealed class LedgerCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-ledger-cli-");

    private string LedgerPath => Path.Combine(_folder.FullName, "ledger.db");

    private string ConfigPath
    {
        get
        {
            var path = Path.Combine(_folder.FullName, "rewind.yaml");
            File.WriteAllText(path, $"ledger:\n  path: {LedgerPath}\n");
            return path;
        }
    }

    [Fact]
    public async Task Ledger_verify_names_the_entry_tampered_with_in_the_file_and_exits_4()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var ledger = await SqliteLedger.OpenAsync(LedgerPath, ct))
        {
            await ledger.Runs.CreateRunAsync(new Run("run-20261127-101500-ab12", "claude-proxy-api", DateTimeOffset.UtcNow, RunStatus.Succeeded, null, "{}"), ct);
            for (var i = 1; i <= 5; i++)
                await ledger.Runs.AppendJournalAsync("run-20261127-101500-ab12", "ecs", JournalKind.CallSucceeded, $"{{\"attempt\":{i}}}", ct);
        }
        var intact = await CliRunner.RunAsync(["ledger", "verify", "--config", ConfigPath], cancellationToken: ct);

        using (var connection = new SqliteConnection($"Data Source={LedgerPath};Pooling=False"))
        {
            connection.Open();
            using var tamper = connection.CreateCommand();
            tamper.CommandText = "UPDATE journal SET detail = '{\"attempt\":99}' WHERE run_id = 'run-20261127-101500-ab12' AND seq = 3";
            Assert.Equal(1, tamper.ExecuteNonQuery());
        }
        var broken = await CliRunner.RunAsync(["ledger", "verify", "--config", ConfigPath, "--output", "json"], cancellationToken: ct);

        Assert.Equal(ExitCodes.Ok, intact.ExitCode);
        Assert.Contains("5 journal entries verified", intact.Stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.VerificationFailed, broken.ExitCode);
        using var report = JsonDocument.Parse(broken.Stdout);
        Assert.False(report.RootElement.GetProperty("intact").GetBoolean());
        Assert.Equal("run-20261127-101500-ab12", report.RootElement.GetProperty("brokenRun").GetString());
        Assert.Equal(3, report.RootElement.GetProperty("brokenSeq").GetInt64());
        Assert.Contains("broken at entry 3", broken.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_ledger_file_is_refused_with_one_line_and_left_as_it_was()
    {
        var ct = TestContext.Current.CancellationToken;
        var garbage = new byte[8192];
        new Random(7).NextBytes(garbage);
        await File.WriteAllBytesAsync(LedgerPath, garbage, ct);

        var result = await CliRunner.RunAsync(["history", "--config", ConfigPath], cancellationToken: ct);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(LedgerPath, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(LedgerPath, ct));
    }

    [Fact]
    public async Task History_lists_recorded_releases_and_runs_as_json()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var ledger = await SqliteLedger.OpenAsync(LedgerPath, ct))
        {
            await ledger.Releases.RecordReleaseAsync(new Release(
                "rel-20261127-100000-aa11", "claude-proxy-api", "v2", DateTimeOffset.UtcNow.AddDays(-1),
                new Dictionary<string, string> { ["api-service"] = "arn:aws:ecs:us-east-1:123456789012:task-definition/claude-proxy-api:2" },
                new CanaryWeights(100, 0), new Dictionary<string, string>(), null, null, ReleaseStatus.KnownGood), ct);
            await ledger.Runs.CreateRunAsync(new Run("run-20261127-101500-ab12", "claude-proxy-api", DateTimeOffset.UtcNow, RunStatus.Failed, null, "{}"), ct);
        }

        var result = await CliRunner.RunAsync(["history", "--config", ConfigPath, "--output", "json"], cancellationToken: ct);

        Assert.Equal(0, result.ExitCode);
        using var report = JsonDocument.Parse(result.Stdout);
        var release = Assert.Single(report.RootElement.GetProperty("releases").EnumerateArray());
        Assert.Equal("KnownGood", release.GetProperty("status").GetString());
        var run = Assert.Single(report.RootElement.GetProperty("runs").EnumerateArray());
        Assert.Equal("Failed", run.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ledger_init_puts_a_relative_ledger_path_beside_the_configuration_not_in_the_working_directory()
    {
        var ct = TestContext.Current.CancellationToken;
        var config = Path.Combine(_folder.FullName, "rewind.yaml");
        await File.WriteAllTextAsync(config, "ledger:\n  path: state/ledger.db\n", ct);
        var expected = Path.Combine(_folder.FullName, "state", "ledger.db");

        var result = await CliRunner.RunAsync(["ledger", "init", "--config", config], cancellationToken: ct);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Equal($"ledger ready: {expected}", result.Stdout.TrimEnd());
        Assert.True(File.Exists(expected));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }
}
