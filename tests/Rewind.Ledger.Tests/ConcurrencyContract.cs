using System.Globalization;
using System.Text.Json;
using Rewind.Core.Ledger;
using Rewind.Ledger.Tests.Infrastructure;

namespace Rewind.Ledger.Tests;

/// <summary>
/// Concurrent users of one ledger, each with its own connection or client as separate operators would have,
/// writing at once. Run unchanged by one subclass per backend.
/// </summary>
public abstract class ConcurrencyContract : IAsyncLifetime
{
    private const int Writers = 8;
    private const int AppendsPerWriter = 200;
    private const int Contenders = 20;
    private const int Rounds = 50;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A ledger on the test's store, for setup and for checking the outcome.</summary>
    protected abstract Task<ILedger> OpenAsync();

    /// <summary>The workload's arguments that point it at the same store.</summary>
    protected abstract IEnumerable<string> StoreArguments();

    /// <summary>Starts one concurrent user of the store running a workload command.</summary>
    protected abstract IWorker StartWorker(string[] arguments);

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Journal_appends_from_eight_writers_are_contiguous_and_chain_verifies()
    {
        var runId = LedgerIds.NewRunId(Samples.Start);
        await using (var setup = await OpenAsync())
        {
            await setup.Runs.CreateRunAsync(Samples.Run(runId, Samples.Start), Ct);
        }

        var writers = Enumerable.Range(0, Writers)
            .Select(w => StartWorker(
            [
                "append", .. StoreArguments(), "--run", runId,
                "--count", AppendsPerWriter.ToString(CultureInfo.InvariantCulture), "--writer", $"w{w}",
            ]))
            .ToList();
        try
        {
            await Task.WhenAll(writers.Select(w => w.ExpectAsync("ready", Patience)));
            await Task.WhenAll(writers.Select(w => w.SendAsync("go")));
            await Task.WhenAll(writers.Select(async w =>
            {
                await w.ExpectAsync("appending", Patience);
                await w.ExpectAsync($"done {AppendsPerWriter}", Patience);
            }));
        }
        finally
        {
            foreach (var writer in writers)
            {
                await writer.DisposeAsync();
            }
        }

        await using var ledger = await OpenAsync();
        await ledger.Runs.SetRunStatusAsync(runId, RunStatus.Succeeded, Ct);
        var journal = await ledger.Runs.ReadJournalAsync(runId, Ct);
        var verification = await LedgerVerifier.VerifyAsync(ledger, runId, Ct);
        var byWriter = journal
            .Select(entry => JsonDocument.Parse(entry.Detail).RootElement)
            .Select(detail => (Writer: detail.GetProperty("writer").GetString(), N: detail.GetProperty("n").GetInt32()))
            .ToList();
        var switches = byWriter.Zip(byWriter.Skip(1)).Count(pair => pair.First.Writer != pair.Second.Writer);
        TestContext.Current.SendDiagnosticMessage($"{journal.Count} entries, writer changed {switches} times along the chain");

        Assert.Equal(Writers * AppendsPerWriter, journal.Count);
        Assert.Equal(Enumerable.Range(1, Writers * AppendsPerWriter).Select(i => (long)i), journal.Select(entry => entry.Seq));
        Assert.True(verification.IsIntact, verification.FirstBreak?.ToString());
        Assert.Equal(new JournalHead(journal.Count, journal[^1].Hash), await ledger.Runs.GetJournalHeadAsync(runId, Ct));
        foreach (var group in byWriter.GroupBy(entry => entry.Writer))
        {
            Assert.Equal(Enumerable.Range(1, AppendsPerWriter), group.Select(entry => entry.N));
        }

        Assert.True(switches >= Writers, $"the writers did not interleave (only {switches} changes): the test did not exercise concurrency");
    }

    [Fact]
    public async Task Twenty_contenders_for_one_lease_have_exactly_one_winner_in_each_of_fifty_rounds()
    {
        var contenders = Enumerable.Range(0, Contenders)
            .Select(c => StartWorker(
                ["contend", .. StoreArguments(), "--service", Samples.Service, "--owner", $"c{c:D2}"]))
            .ToList();
        var winners = new List<string>();
        try
        {
            await Task.WhenAll(contenders.Select(c => c.ExpectAsync("ready", Patience)));
            for (var round = 1; round <= Rounds; round++)
            {
                await Task.WhenAll(contenders.Select(c => c.SendAsync($"acquire {round}")));
                var answers = await Task.WhenAll(contenders.Select(c => c.ReadLineAsync(Patience)));
                var won = Enumerable.Range(0, Contenders).Where(c => answers[c] == $"{round} won").ToList();
                Assert.True(won.Count == 1, $"round {round}: {won.Count} winners: {string.Join(", ", answers)}");
                var winner = $"c{won[0]:D2}";
                Assert.All(
                    answers.Where((_, c) => c != won[0]),
                    answer => Assert.Equal($"{round} lost {winner}", answer));

                // A loser's release must not free the lease; then the winner's does, for the next round.
                var loser = (won[0] + round) % Contenders == won[0] ? (won[0] + 1) % Contenders : (won[0] + round) % Contenders;
                await contenders[loser].SendAsync($"release {round}");
                Assert.Equal($"{round} released false", await contenders[loser].ReadLineAsync(Patience));
                await contenders[won[0]].SendAsync($"release {round}");
                Assert.Equal($"{round} released true", await contenders[won[0]].ReadLineAsync(Patience));
                winners.Add(winner);
            }
        }
        finally
        {
            foreach (var contender in contenders)
            {
                await contender.DisposeAsync();
            }
        }

        TestContext.Current.SendDiagnosticMessage($"{winners.Distinct().Count()} different winners over {Rounds} rounds");
        await using var ledger = await OpenAsync();
        Assert.Null(await ledger.Leases.GetLeaseAsync(Samples.Service, Ct));
    }
}
