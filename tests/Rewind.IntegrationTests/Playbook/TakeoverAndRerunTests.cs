using System.Text.Json.Nodes;
using Rewind.Aws.SecretsManager;
using Rewind.Cli;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Announce;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>
/// A rollback is planned from the incident, not from a half-changed world (issue 15, defects 1 and 3): a rerun after a
/// success changes nothing, a rerun after an interrupted run continues it, and a takeover continues the held run while
/// the displaced one stops before its next change. Everything counted at the emulator and the receivers.
/// </summary>
[Collection("rollout-emulator")]
public sealed class TakeoverAndRerunTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_a_successful_rollback_when_run_live_again_then_it_makes_no_mutating_call_and_says_the_service_already_runs_the_target()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "rerun", Ct);
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok"));
        var config = Config(world, slack);
        var first = await AnnounceCli.RunAsync(emulator, ["run", "--live", "--yes", "--config", config], Ct);
        Assert.True(first.ExitCode == 0, first.ToString());
        var firstRun = await LatestRunAsync(world);
        await world.ResetCallsAsync(Ct);
        var messages = slack.Requests.Count;

        var second = await AnnounceCli.RunAsync(emulator, ["run", "--live", "--yes", "--config", config], Ct);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(0, (await world.CallsAsync(Ct)).MutatingTotal);
        var line = Assert.Single(second.ErrorLines, l => l.Contains("nothing to roll back", StringComparison.Ordinal));
        Assert.Matches(
            $@"^rewind: {world.Names.Family} already runs {world.Names.Family}:\d+, the target of {firstRun.Id}, ended \d+ s ago: nothing to roll back; to go further back: rewind run --to REVISION$",
            line);
        Assert.Equal([firstRun.Id], (await world.Ledger.Runs.ListRunsAsync(world.Names.Family, 10, Ct)).Select(r => r.Id));
        Assert.Equal(world.World.LastGoodTaskDefinitionArn, (await world.ServiceAsync(Ct)).PrimaryDeployment!.TaskDefinition);
        Assert.Equal(world.World.PreviousSecretVersionId, await CurrentSecretVersionAsync(world));
        Assert.Equal(messages, slack.Requests.Count);
    }

    [Fact]
    public async Task Given_a_successful_rollback_and_an_incident_command_run_since_when_run_live_again_then_it_still_makes_no_mutating_call()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "rerunlater", Ct);
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok"));
        var config = Config(world, slack);
        var first = await AnnounceCli.RunAsync(emulator, ["run", "--live", "--yes", "--config", config], Ct);
        Assert.True(first.ExitCode == 0, first.ToString());
        var firstRun = await LatestRunAsync(world);
        var incident = Assert.Single(await world.Ledger.Incidents.ListIncidentsAsync(Ct));
        // A run of its own in the service's history, newer than the rollback.
        var assign = await AnnounceCli.RunAsync(emulator, ["incident", "assign", incident.Id, "--owner", "someone-else", "--live", "--config", config], Ct);
        Assert.True(assign.ExitCode == 0, assign.ToString());
        Assert.NotEqual(firstRun.Id, (await LatestRunAsync(world)).Id);
        await world.ResetCallsAsync(Ct);

        var again = await AnnounceCli.RunAsync(emulator, ["run", "--live", "--yes", "--config", config], Ct);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(0, (await world.CallsAsync(Ct)).MutatingTotal);
        Assert.Contains($"the target of {firstRun.Id}", Assert.Single(again.ErrorLines, l => l.Contains("nothing to roll back", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_run_killed_half_way_when_run_live_again_then_it_continues_that_run_and_each_change_happens_once()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "rekill", Ct);
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok"));
        var config = Config(world, slack);
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var killed = AnnounceCli.RunAsync(emulator, ["run", "--live", "--yes", "--config", config], kill.Token);
        var run = await WaitForCallSentAsync(world, "ecs", "UpdateService");
        await kill.CancelAsync();
        Assert.Equal(ExitCodes.Cancelled, (await killed).ExitCode);
        // What kill -9 leaves behind: the run still marked running (an interrupted Ctrl-C says cancelled; both continue).
        await world.Ledger.Runs.SetRunStatusAsync(run, RunStatus.Running, Ct);

        var again = await AnnounceCli.RunAsync(emulator, ["run", "--live", "--yes", "--config", config], Ct);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"rewind: continuing {run}, not planning afresh: it was still running half-way", again.Stderr, StringComparison.Ordinal);
        Assert.Equal([run], (await world.Ledger.Runs.ListRunsAsync(world.Names.Family, 10, Ct)).Select(r => r.Id));
        Assert.Equal(RunStatus.Succeeded, (await world.Ledger.Runs.GetRunAsync(run, Ct))!.Status);
        AssertEachChangeOnce(await world.CallsAsync(Ct));
        Assert.Equal(world.World.LastGoodTaskDefinitionArn, (await world.ServiceAsync(Ct)).PrimaryDeployment!.TaskDefinition);
        Assert.Equal(world.World.PreviousSecretVersionId, await CurrentSecretVersionAsync(world));
        Assert.True((await LedgerVerifier.VerifyAsync(world.Ledger, run, Ct)).IsIntact);
    }

    [Fact]
    public async Task Given_a_run_mid_rollout_when_another_operator_takes_over_then_it_stops_before_its_next_change_and_the_takeover_finishes_the_same_plan()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "takeo", Ct);
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok"));
        var config = Config(world, slack);
        var first = AnnounceCli.RunAsync(emulator, ["run", "--live", "--yes", "--config", config], Ct);
        var run = await WaitForCallSentAsync(world, "ecs", "UpdateService");

        var takeover = await AnnounceCli.RunAsync(emulator, ["run", "--live", "--yes", "--takeover", "--config", config], Ct);
        var displaced = await first;

        Assert.True(takeover.ExitCode == 0, takeover.ToString());
        Assert.Contains($"rewind: continuing {run}, not planning afresh", takeover.Stderr, StringComparison.Ordinal);
        Assert.True(displaced.ExitCode == ExitCodes.Blocked, displaced.ToString());
        // Which line depends on when the displaced run looks: while the new holder runs (taken over by it), or after
        // the new holder finished and released the lock (no longer held); either way it stopped before its next change.
        var line = Assert.Single(displaced.ErrorLines, l => l.Contains("this run stopped before", StringComparison.Ordinal));
        Assert.Matches(
            $@"^rewind: the lock on {world.Names.Family} (was taken over by .+ \(pid \d+\) on .+ at \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\dZ|is no longer held by .+); this run stopped before .+; see 'rewind status'$",
            line);
        // One run, one plan, finished by the new holder; every change once; the displaced run wrote nothing after the takeover.
        Assert.Equal([run], (await world.Ledger.Runs.ListRunsAsync(world.Names.Family, 10, Ct)).Select(r => r.Id));
        Assert.Equal(RunStatus.Succeeded, (await world.Ledger.Runs.GetRunAsync(run, Ct))!.Status);
        AssertEachChangeOnce(await world.CallsAsync(Ct));
        Assert.Equal(world.World.LastGoodTaskDefinitionArn, (await world.ServiceAsync(Ct)).PrimaryDeployment!.TaskDefinition);
        Assert.Equal(world.World.PreviousSecretVersionId, await CurrentSecretVersionAsync(world));
        Assert.Single(await world.Ledger.Incidents.ListIncidentsAsync(Ct));
        var keys = slack.Requests.Select(r => r.Header("Idempotency-Key").Split('/')[2]).Order().ToList();
        Assert.Equal(["finished", "freeze-on", "started"], keys);
        var journal = await world.Ledger.Runs.ReadJournalAsync(run, Ct);
        var takenAt = Assert.Single(journal, e => e.Step == "lock" && e.Detail.Contains("TakeOverLock", StringComparison.Ordinal)).Seq;
        Assert.Single(journal, e => e.Step == "ecs" && e.Kind == JournalKind.CallSent);
        // The displaced run started canary, secrets and ecs; the new holder ecs again (to wait for the same deployment) and the rest.
        var started = journal.Where(e => e.Kind == JournalKind.Started).ToList();
        Assert.Equal(["canary", "cdn", "ecs", "ecs", "freeze", "incident", "notify", "secrets"], started.Select(e => e.Step).Order());
        Assert.All(started.Where(e => e.Step is not ("canary" or "secrets" or "ecs")), e => Assert.True(e.Seq > takenAt, $"{e.Step} started at {e.Seq}, before the takeover at {takenAt}"));
        Assert.True((await LedgerVerifier.VerifyAsync(world.Ledger, run, Ct)).IsIntact);
    }

    [Fact]
    public async Task Given_a_rollback_that_moved_a_secret_off_a_version_when_a_new_rollback_plans_then_AWSCURRENT_stays_unless_a_release_names_that_version()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "spois", Ct);
        var secrets = new SecretsManagerClient(world.Transport);
        var step = new Rewind.Playbook.Secrets.SecretsStep(secrets, [world.World.SecretArn], new Rewind.Playbook.Secrets.SecretRollbackHistory(world.Ledger.Runs));
        var (_, first) = await world.RunAsync(null, [step], Ct);
        await world.ResetCallsAsync(Ct);

        var (again, second) = await world.RunAsync(null, [step], Ct);
        var named = new Core.Engine.RollbackTarget("release", "rel-rotated", "--to", "rel-rotated", world.World.LastGoodTaskDefinitionArn)
        {
            Snapshot = new Dictionary<string, string> { ["secret:" + world.World.SecretArn] = world.World.CurrentSecretVersionId },
        };
        var explicitly = await world.PlanAsync(named, [step], Ct);

        Assert.Equal(RunStatus.Succeeded, first.Status);
        Assert.Equal(RunStatus.Succeeded, second.Status);
        var plan = Assert.Single(again.Steps);
        Assert.True(plan.NothingToDo);
        Assert.Contains(
            $"AWSCURRENT stays on {world.World.PreviousSecretVersionId}: AWSPREVIOUS {world.World.CurrentSecretVersionId} is the version {first.RunId} moved AWSCURRENT away from",
            Assert.Single(plan.Changes), StringComparison.Ordinal);
        Assert.Equal(0, (await world.CallsAsync(Ct)).MutatingTotal);
        Assert.Equal(world.World.PreviousSecretVersionId, await CurrentSecretVersionAsync(world));
        Assert.False(Assert.Single(explicitly.Steps).NothingToDo);
        Assert.Equal(world.World.CurrentSecretVersionId, Assert.Single(Rewind.Playbook.Secrets.SecretsStep.Read(Assert.Single(explicitly.Steps)).Secrets).TargetVersion);
    }

    /// <summary>The seeded world with secrets, the CDN and a Slack team route (the freeze and incident steps are always on).</summary>
    private static string Config(PlaybookHarness world, LoopbackStub slack) => world.WriteConfig($"""
        secrets:
          - id: {world.World.SecretArn}
        cdn:
          distribution_id: {world.World.DistributionId}
        notify:
          team: {"{"} slack_webhook_env: {AnnounceCli.Variable("team", slack.Url)} {"}"}
        """);

    private static void AssertEachChangeOnce(EmulatorCallCounts calls)
    {
        Assert.Equal(1, calls.Count("ecs:UpdateService"));
        Assert.Equal(1, calls.Count("elasticloadbalancing:ModifyListener"));
        Assert.Equal(1, calls.Count("secretsmanager:UpdateSecretVersionStage"));
        Assert.Equal(1, calls.Count("cloudfront:CreateInvalidation"));
        Assert.Equal(1, calls.Count("ssm:PutParameter"));
    }

    private static async Task<Run> LatestRunAsync(PlaybookHarness world) =>
        (await world.Ledger.Runs.ListRunsAsync(world.Names.Family, 1, Ct)).Single();

    private static async Task<string?> CurrentSecretVersionAsync(PlaybookHarness world) =>
        (await new SecretsManagerClient(world.Transport).DescribeSecretAsync(world.World.SecretArn, Ct))!.VersionWithStage("AWSCURRENT");

    /// <summary>Polls the ledger until the service's run has journaled <paramref name="call"/> as sent; returns the run's id.</summary>
    private static async Task<string> WaitForCallSentAsync(PlaybookHarness world, string step, string call)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        patience.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            if ((await world.Ledger.Runs.ListRunsAsync(world.Names.Family, 1, patience.Token)).FirstOrDefault() is { } run
                && (await world.Ledger.Runs.ReadJournalAsync(run.Id, patience.Token)).Any(e =>
                    e.Step == step && e.Kind == JournalKind.CallSent && JsonNode.Parse(e.Detail)?["call"]?.GetValue<string>() == call))
                return run.Id;
            await Task.Delay(TimeSpan.FromMilliseconds(10), patience.Token);
        }
    }
}
