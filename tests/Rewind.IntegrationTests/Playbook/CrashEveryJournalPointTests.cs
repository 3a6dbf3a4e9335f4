using System.Diagnostics;
using System.Globalization;
using System.Text;
using Rewind.Cli;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Clients.Support;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>
/// Must-show 3 of issue 15: a full <c>rewind run --live</c> of the demo's world (every step, the "rollback started"
/// announcement in the background, freeze, notify, an incident with a ticket) is killed at every point of its journal,
/// and <c>rewind resume --takeover</c> (the lock is still this process's) finishes it. After each: the rollback is
/// complete, every mutating AWS call reached the emulator as often as in a run that was never killed (once), one
/// ticket, each delivery once by Idempotency-Key, the chain intact, the checklist 5/5.
/// </summary>
[Collection("rollout-emulator")]
public sealed class CrashEveryJournalPointTests(RolloutEmulatorFixture emulator, ITestOutputHelper output)
{
    /// <summary>Rollouts settle at the next DescribeServices but one: the waits stay real, and a case costs little.</summary>
    private const double RolloutSeconds = 0.05;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_a_full_live_run_killed_at_each_journal_point_when_resumed_then_the_rollback_is_complete_and_every_effect_happened_once()
    {
        var clock = Stopwatch.StartNew();
        await ConfigureRolloutAsync(RolloutSeconds);
        try
        {
            await EnumerateAsync(clock);
        }
        finally
        {
            await ConfigureRolloutAsync(RolloutEmulatorFixture.RolloutTime.TotalSeconds);
        }
    }

    private async Task EnumerateAsync(Stopwatch clock)
    {
        // 1. A run nobody kills: its journal names the crash points, its effects are what every case must end with.
        IReadOnlyList<JournalPoint> journal;
        CrashEffects clean;
        await using (var world = await CrashWorld.CreateAsync(emulator, "crclean", Ct))
        {
            var run = await world.RewindAsync(["run", "--live", "--yes", "--config", world.Config], null, Ct);
            Assert.True(run.ExitCode == 0, run.ToString());
            var runId = (await world.RunAsync(Ct)).Id;
            journal = JournalPoint.Of(await world.Harness.Ledger.Runs.ReadJournalAsync(runId, Ct));
            clean = await world.EffectsAsync(runId, Ct);
            Assert.Empty(clean.ProblemsAgainst(clean));
            Assert.All(clean.Mutating, call => Assert.True(call.Value == 1, $"{call.Key} was sent {call.Value} times in a run nobody killed"));
            output.WriteLine($"clean run: {journal.Count} journal entries, mutating calls {string.Join(", ", clean.Mutating.Select(c => $"{c.Key}={c.Value}"))}, " +
                $"deliveries team [{string.Join(", ", clean.TeamKeys)}] support [{string.Join(", ", clean.SupportKeys)}] incident [{string.Join(", ", clean.IncidentKeys)}], " +
                $"{clock.Elapsed.TotalSeconds:0.0} s");
        }

        // 2. Every entry (mode A), and every CallSent's window up to its CallSucceeded (mode B).
        var cases = journal.Select(p => (Point: p, Mode: KillMode.AfterEntry))
            .Concat(journal.Where(p => p.Kind == JournalKind.CallSent).Select(p => (Point: p, Mode: KillMode.AfterRequestSent)))
            .ToList();
        var failures = new List<string>();
        var notReached = new List<string>();
        var resends = 0;
        for (var i = 0; i < cases.Count; i++)
        {
            var (point, mode) = cases[i];
            var name = $"{mode} {point}";
            var started = clock.Elapsed;
            await using var world = await CrashWorld.CreateAsync(emulator, $"cr{i}", Ct);
            using var kill = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            KillingLedger? killing = null;
            var killed = await world.RewindAsync(["run", "--live", "--yes", "--config", world.Config],
                ledger => killing = new KillingLedger(ledger, point, mode, kill), kill.Token);
            await killing!.QuietAsync(TimeSpan.FromMilliseconds(150), Ct);
            if (killing.Reached is null || !killing.Killed)
            {
                notReached.Add(killing.Reached is null
                    ? $"{name}: this run's journal had no such entry (exit {killed.ExitCode})"
                    : $"{name}: the call's answer was never journaled, so the run was not killed (exit {killed.ExitCode})");
                continue;
            }
            var resumed = await world.RewindAsync(["resume", "--takeover", "--config", world.Config], null, Ct);
            var runId = (await world.RunAsync(Ct)).Id;
            var effects = await world.EffectsAsync(runId, Ct);
            resends += effects.Resends + effects.TokenResends;
            var problems = effects.ProblemsAgainst(clean).ToList();
            if (resumed.ExitCode != 0)
                problems.Insert(0, $"resume exit {resumed.ExitCode}: {LastLines(resumed.Stderr)}");
            var verdict = string.Join("; ", problems);
            var resent = effects.Resends + effects.TokenResends is var n and > 0 ? $", {n} resend(s) dropped by their idempotency key" : "";
            output.WriteLine($"{i + 1,3}/{cases.Count} {name}: {(problems.Count == 0 ? "ok" : verdict)} ({(clock.Elapsed - started).TotalSeconds:0.0} s{resent})");
            if (problems.Count > 0)
                failures.Add($"{name}: {verdict}");
        }

        var covered = cases.Count - notReached.Count;
        output.WriteLine($"covered {covered} of {cases.Count} crash points ({journal.Count} entries after which the run was killed, " +
            $"{cases.Count - journal.Count} windows between a CallSent and its CallSucceeded) in {clock.Elapsed.TotalSeconds:0} s; " +
            $"{resends} resend(s) dropped by their idempotency key (Idempotency-Key, CallerReference)");
        foreach (var line in notReached)
            output.WriteLine($"not covered: {line}");

        Assert.True(failures.Count == 0, $"{failures.Count} crash point(s) went wrong:\n{string.Join('\n', failures)}");
        Assert.True(covered >= cases.Count * 9 / 10, $"only {covered} of {cases.Count} crash points were reached:\n{string.Join('\n', notReached)}");
    }

    private static string LastLines(string text) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));

    private async Task ConfigureRolloutAsync(double seconds)
    {
        using var http = Emulator.MotoServer.CreateHttpClient();
        using var body = new StringContent(
            string.Create(CultureInfo.InvariantCulture, $$"""{"rolloutSeconds": {{seconds}}}"""), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri(emulator.Endpoint, "rewind-api/config"), body, Ct);
        response.EnsureSuccessStatusCode();
    }
}
