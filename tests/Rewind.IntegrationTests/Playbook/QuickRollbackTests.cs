using Rewind.Aws.Ecs;
using Rewind.Aws.Elb;
using Rewind.Cli.Demo;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>The playbook's quick rollback end to end on the emulator: canary to 0, then the ECS rollback, journaled.</summary>
[Collection("rollout-emulator")]
public sealed class QuickRollbackTests(RolloutEmulatorFixture emulator)
{
    [Fact]
    public async Task Given_the_bad_v4_deployed_when_the_quick_rollback_runs_then_v3_runs_completed_weights_read_100_0_and_the_journal_verifies()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await PlaybookHarness.SeedAsync(emulator, "happy", ct);
        IStep[] steps = [harness.CanaryStep(0), harness.EcsStep()];

        var target = await harness.SelectAsync(pinned: null, ct);
        var (plan, outcome) = await harness.RunAsync(target, steps, ct);

        Assert.Equal(harness.World.LastGoodTaskDefinitionArn, target.TaskDefinitionArn);
        Assert.Contains("next lower ACTIVE revision", target.Reason, StringComparison.Ordinal);
        Assert.Equal(["canary", "ecs"], plan.Steps.Select(s => s.Step));
        Assert.All(plan.Steps, s => Assert.False(s.NothingToDo));
        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.All(outcome.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Result.Status));
        Assert.Equal(RunStatus.Succeeded, (await harness.Ledger.Runs.GetRunAsync(outcome.RunId, ct))!.Status);

        var service = await harness.ServiceAsync(ct);
        var primary = Assert.Single(service.Deployments);
        Assert.Equal(DeploymentStatus.Primary, primary.Status);
        Assert.Equal(harness.World.LastGoodTaskDefinitionArn, primary.TaskDefinition);
        Assert.Equal(RolloutState.Completed, primary.RolloutState);
        Assert.Equal(service.DesiredCount, primary.RunningCount);
        Assert.Equal(DemoWorld.DesiredCount, service.DesiredCount);

        var forward = Assert.Single((await harness.ListenerAsync(ct)).DefaultActions).ForwardConfig!;
        Assert.Equal([new WeightedTargetGroup(harness.World.MainTargetGroupArn, 100), new WeightedTargetGroup(harness.World.CanaryTargetGroupArn, 0)], forward.TargetGroups);
        Assert.Equal(new TargetGroupStickiness(true, DemoWorld.StickinessSeconds), forward.TargetGroupStickinessConfig);

        var journal = await harness.Ledger.Runs.ReadJournalAsync(outcome.RunId, ct);
        JournalKind[] expected = [JournalKind.Planned, JournalKind.Started, JournalKind.CallSent, JournalKind.CallSucceeded, JournalKind.Completed];
        Assert.Equal(expected, journal.Where(e => e.Step == "canary").Select(e => e.Kind));
        Assert.Equal(expected, journal.Where(e => e.Step == "ecs").Select(e => e.Kind));
        var verification = await LedgerVerifier.VerifyAsync(harness.Ledger, outcome.RunId, ct);
        Assert.True(verification.IsIntact, verification.FirstBreak?.ToString());
        Assert.Equal(journal.Count, verification.EntriesChecked);

        var calls = await harness.CallsAsync(ct);
        Assert.Equal(1, calls.Count("ecs:UpdateService"));
        Assert.Equal(1, calls.Count("elasticloadbalancing:ModifyListener"));
        Assert.Equal(2, calls.MutatingTotal);
    }

    [Fact]
    public async Task Given_a_bad_build_still_rolling_out_when_rolling_back_to_the_revision_it_replaces_then_a_new_deployment_of_it_completes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await PlaybookHarness.SeedAsync(emulator, "inflight", ct);
        // v5 never starts and, without the circuit breaker, stays IN_PROGRESS; v4 is still there, ACTIVE and serving.
        await harness.EcsSeeder.SetCircuitBreakerAsync(harness.Names.Cluster, harness.Names.Service, enable: false, rollback: false, ct);
        var broken = await harness.RegisterBrokenRevisionAsync(ct);
        await harness.Ecs.UpdateServiceAsync(new ServiceUpdate(harness.Names.Cluster, harness.Names.Service, broken), ct);
        var stuck = await harness.ServiceAsync(ct);
        Assert.Equal(broken, stuck.PrimaryDeployment!.TaskDefinition);
        Assert.Contains(stuck.Deployments, d => d.Status == DeploymentStatus.Active && d.TaskDefinition == harness.World.DeployedTaskDefinitionArn);
        await harness.ResetCallsAsync(ct);
        IStep[] steps = [harness.EcsStep(harness.EcsSettings with { DeployTimeout = TimeSpan.FromSeconds(10) })];

        var target = await harness.SelectAsync(pinned: null, ct);
        var (_, outcome) = await harness.RunAsync(target, steps, ct);

        Assert.Equal(harness.World.DeployedTaskDefinitionArn, target.TaskDefinitionArn);
        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var primary = Assert.Single((await harness.ServiceAsync(ct)).Deployments);
        Assert.Equal((harness.World.DeployedTaskDefinitionArn, RolloutState.Completed), (primary.TaskDefinition, primary.RolloutState));
        // The deployment in flight replaces the target: ECS's own rollback (StopServiceDeployment ROLLBACK) returns the
        // service to it, once, and no new deployment is started by hand.
        var calls = await harness.CallsAsync(ct);
        Assert.Equal(1, calls.Count("ecs:StopServiceDeployment"));
        Assert.Equal(0, calls.Count("ecs:UpdateService"));
        var reverted = Assert.IsType<ServiceReverted>(Assert.Single(outcome.Steps).Result.Evidence);
        Assert.Equal("StopServiceDeployment", reverted.Path);
    }

    [Fact]
    public async Task Given_a_broken_image_as_target_when_ecs_rolls_it_back_then_the_step_and_the_run_fail_naming_the_circuit_breaker()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await PlaybookHarness.SeedAsync(emulator, "breaker", ct);
        var broken = await harness.RegisterBrokenRevisionAsync(ct);
        IStep[] steps = [harness.CanaryStep(0), harness.EcsStep()];

        var target = await harness.SelectAsync(broken, ct);
        var (_, outcome) = await harness.RunAsync(target, steps, ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        var ecs = Assert.Single(outcome.Steps, s => s.Step.Step == "ecs").Result;
        Assert.Equal(StepStatus.Failed, ecs.Status);
        Assert.Contains("FAILED", ecs.Summary, StringComparison.Ordinal);
        Assert.Contains($"circuit breaker rolled the service back to {harness.Names.Family}:4", ecs.Summary, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Failed, (await harness.Ledger.Runs.GetRunAsync(outcome.RunId, ct))!.Status);
        var journal = await harness.Ledger.Runs.ReadJournalAsync(outcome.RunId, ct);
        Assert.DoesNotContain(journal, e => e.Step == "ecs" && e.Kind == JournalKind.Completed);

        // ECS put v4 back: the service is where it was, and Rewind said so instead of claiming the rollback.
        var primary = (await harness.ServiceAsync(ct)).PrimaryDeployment!;
        Assert.Equal(harness.World.DeployedTaskDefinitionArn, primary.TaskDefinition);
    }

    [Fact]
    public async Task Given_a_rollout_that_never_completes_when_the_deadline_passes_then_the_run_fails_resumably_and_resume_repeats_no_call()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await PlaybookHarness.SeedAsync(emulator, "deadline", ct);
        // Without the circuit breaker a broken image stays IN_PROGRESS for ever, as on ECS.
        await harness.EcsSeeder.SetCircuitBreakerAsync(harness.Names.Cluster, harness.Names.Service, enable: false, rollback: false, ct);
        var broken = await harness.RegisterBrokenRevisionAsync(ct);
        await harness.ResetCallsAsync(ct);
        IStep[] steps = [harness.CanaryStep(0), harness.EcsStep(harness.EcsSettings with { DeployTimeout = TimeSpan.FromSeconds(3) })];

        var target = await harness.SelectAsync(broken, ct);
        var (plan, outcome) = await harness.RunAsync(target, steps, ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        var ecs = Assert.Single(outcome.Steps, s => s.Step.Step == "ecs").Result;
        Assert.Equal(StepStatus.Failed, ecs.Status);
        Assert.Contains("deadline", ecs.Summary, StringComparison.Ordinal);
        Assert.Contains($"rewind resume {outcome.RunId}", ecs.Summary, StringComparison.Ordinal);
        var run = (await harness.Ledger.Runs.GetRunAsync(outcome.RunId, ct))!;
        Assert.Equal(RunStatus.Failed, run.Status);

        var resumed = await harness.Executor(steps).ResumeAsync(run, plan, PlaybookHarness.By, ct);

        Assert.Equal(outcome.RunId, resumed.RunId);
        Assert.Equal(StepStatus.Skipped, Assert.Single(resumed.Steps, s => s.Step.Step == "canary").Result.Status);
        Assert.Contains("deadline", Assert.Single(resumed.Steps, s => s.Step.Step == "ecs").Result.Summary, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Failed, resumed.Status);
        var calls = await harness.CallsAsync(ct);
        Assert.Equal(1, calls.Count("elasticloadbalancing:ModifyListener"));
        Assert.Equal(1, calls.Count("ecs:UpdateService"));
        Assert.True((await LedgerVerifier.VerifyAsync(harness.Ledger, outcome.RunId, ct)).IsIntact);
    }
}
