using Rewind.Aws.Ecs;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>
/// Crash and resume: the run stopped right after each journaled mutating call in turn, then resumed, ends rolled
/// back with each mutating AWS call made exactly once, counted at the emulator.
/// </summary>
[Collection("rollout-emulator")]
public sealed class ResumeTests(RolloutEmulatorFixture emulator)
{
    [Theory]
    [InlineData("canary", JournalKind.CallSent, "ModifyListener")]
    [InlineData("canary", JournalKind.CallSucceeded, "ModifyListener")]
    [InlineData("ecs", JournalKind.CallSent, "UpdateService")]
    [InlineData("ecs", JournalKind.CallSucceeded, "UpdateService")]
    public async Task Given_a_run_killed_right_after_a_journaled_call_when_it_is_resumed_then_it_succeeds_with_each_mutating_call_made_once(
        string step, JournalKind kind, string call)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await PlaybookHarness.SeedAsync(emulator, $"crash{(int)kind}{step[0]}", ct);
        IStep[] steps = [harness.CanaryStep(0), harness.EcsStep()];
        var plan = await harness.PlanAsync(await harness.SelectAsync(null, ct), steps, ct);
        using var crash = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var crashing = new CrashAfterJournalEntry(harness.Ledger, step, kind, call, crash);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => harness.Executor(steps, ledger: crashing).StartAsync(plan, PlaybookHarness.PlanJson(plan), PlaybookHarness.By, crash.Token));

        Assert.NotNull(crashing.CrashedAfter);
        var run = await harness.LatestRunAsync(ct);
        Assert.Equal(RunStatus.Cancelled, run.Status);
        var outcome = await harness.Executor(steps).ResumeAsync(run, plan, PlaybookHarness.By, ct);
        await AssertRolledBackOnceAsync(harness, outcome, ct);
    }

    [Fact]
    public async Task Given_a_run_stopped_while_waiting_for_the_rollout_when_it_is_resumed_then_it_waits_for_the_same_deployment()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await PlaybookHarness.SeedAsync(emulator, "crashwait", ct);
        IStep[] steps = [harness.CanaryStep(0), harness.EcsStep()];
        var plan = await harness.PlanAsync(await harness.SelectAsync(null, ct), steps, ct);
        using var crash = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // The first progress line of the ECS step comes after UpdateService was journaled as succeeded.
        var observer = new RecordingObserver((step, _) =>
        {
            if (step == "ecs")
                crash.Cancel();
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => harness.Executor(steps, observer).StartAsync(plan, PlaybookHarness.PlanJson(plan), PlaybookHarness.By, crash.Token));

        var run = await harness.LatestRunAsync(ct);
        Assert.Equal(RunStatus.Cancelled, run.Status);
        var journal = await harness.Ledger.Runs.ReadJournalAsync(run.Id, ct);
        Assert.Equal(JournalKind.CallSucceeded, journal.Last(e => e.Step == "ecs").Kind);
        var inFlight = (await harness.ServiceAsync(ct)).PrimaryDeployment!;
        Assert.Equal(harness.World.LastGoodTaskDefinitionArn, inFlight.TaskDefinition);

        var outcome = await harness.Executor(steps).ResumeAsync(run, plan, PlaybookHarness.By, ct);

        Assert.Equal(StepStatus.Skipped, Assert.Single(outcome.Steps, s => s.Step.Step == "canary").Result.Status);
        Assert.Equal(inFlight.Id, Assert.IsType<Rewind.Core.Evidence.ServiceReverted>(Assert.Single(outcome.Steps, s => s.Step.Step == "ecs").Result.Evidence).Deployment);
        await AssertRolledBackOnceAsync(harness, outcome, ct);
    }

    private static async Task AssertRolledBackOnceAsync(PlaybookHarness harness, RunOutcome outcome, CancellationToken ct)
    {
        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(RunStatus.Succeeded, (await harness.Ledger.Runs.GetRunAsync(outcome.RunId, ct))!.Status);
        var primary = Assert.Single((await harness.ServiceAsync(ct)).Deployments);
        Assert.Equal((harness.World.LastGoodTaskDefinitionArn, RolloutState.Completed), (primary.TaskDefinition, primary.RolloutState));
        var forward = Assert.Single((await harness.ListenerAsync(ct)).DefaultActions).ForwardConfig!;
        Assert.Equal([100, 0], forward.TargetGroups.Select(g => g.Weight ?? 1));

        var calls = await harness.CallsAsync(ct);
        Assert.True(calls.Count("ecs:UpdateService") == 1, calls.ToString());
        Assert.True(calls.Count("elasticloadbalancing:ModifyListener") == 1, calls.ToString());
        Assert.Equal(2, calls.MutatingTotal);
        var verification = await LedgerVerifier.VerifyAsync(harness.Ledger, outcome.RunId, ct);
        Assert.True(verification.IsIntact, verification.FirstBreak?.ToString());
    }
}
