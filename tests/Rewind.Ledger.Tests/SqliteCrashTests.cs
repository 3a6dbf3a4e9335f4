using Rewind.Core.Ledger;
using Rewind.Ledger.Sqlite;
using Rewind.Ledger.Tests.Infrastructure;

namespace Rewind.Ledger.Tests;

/// <summary>A writer killed with SIGKILL leaves a ledger that opens cleanly, with no partial entry.</summary>
public sealed class SqliteCrashTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Writer_killed_inside_an_open_write_transaction_leaves_no_partial_entry()
    {
        var path = _directory.File("ledger.db");
        await using (var ledger = await SqliteLedger.OpenAsync(path, Ct))
        {
            await ledger.Runs.CreateRunAsync(Samples.Run("run-1", Samples.Start), Ct);
            for (var i = 0; i < 3; i++)
            {
                await ledger.Runs.AppendJournalAsync("run-1", "ecs", JournalKind.CallSent, "{}", Ct);
            }
        }

        await using (var writer = WorkloadProcess.Start("hold-write", "--path", path, "--run", "run-1"))
        {
            await writer.ExpectAsync("in-transaction", Patience);
            Assert.True(File.Exists(path + "-wal"));
            writer.KillHard();
            Assert.NotEqual(0, await writer.WaitForExitAsync(Patience));
        }

        await using var reopened = await SqliteLedger.OpenAsync(path, Ct);
        var journal = await reopened.Runs.ReadJournalAsync("run-1", Ct);
        var head = await reopened.Runs.GetJournalHeadAsync("run-1", Ct);
        var verification = await LedgerVerifier.VerifyAsync(reopened, "run-1", Ct);
        var next = await reopened.Runs.AppendJournalAsync("run-1", "ecs", JournalKind.CallSucceeded, "{}", Ct);

        Assert.Equal([1L, 2L, 3L], journal.Select(entry => entry.Seq));
        Assert.DoesNotContain(journal, entry => entry.Step == "partial");
        Assert.Equal(new JournalHead(3, journal[2].Hash), head);
        Assert.True(verification.IsIntact, verification.FirstBreak?.ToString());
        Assert.Equal(4, next.Seq);
    }

    [Fact]
    public async Task Writer_killed_at_random_points_of_a_stream_of_appends_leaves_a_verifiable_chain()
    {
        var path = _directory.File("ledger.db");
        await using (var ledger = await SqliteLedger.OpenAsync(path, Ct))
        {
            await ledger.Runs.CreateRunAsync(Samples.Run("run-1", Samples.Start), Ct);
        }

        var random = new Random(20261127);
        long previousCount = 0;
        for (var kill = 0; kill < 3; kill++)
        {
            await using (var writer = WorkloadProcess.Start(
                "append", "--backend", "sqlite", "--path", path, "--run", "run-1", "--count", "1000000", "--writer", $"w{kill}"))
            {
                await writer.ExpectAsync("ready", Patience);
                await writer.SendAsync("go");
                await writer.ExpectAsync("appending", Patience);
                await Task.Delay(random.Next(20, 250), Ct);
                writer.KillHard();
                await writer.WaitForExitAsync(Patience);
            }

            await using var reopened = await SqliteLedger.OpenAsync(path, Ct);
            var journal = await reopened.Runs.ReadJournalAsync("run-1", Ct);
            var head = await reopened.Runs.GetJournalHeadAsync("run-1", Ct);
            var verification = await LedgerVerifier.VerifyAsync(reopened, "run-1", Ct);

            Assert.True(verification.IsIntact, verification.FirstBreak?.ToString());
            Assert.Equal(head.Seq, journal.Count);
            Assert.Equal(journal.Count, journal[^1].Seq);
            Assert.True(journal.Count > previousCount, "the killed writer appended nothing");
            previousCount = journal.Count;
        }
    }
}
