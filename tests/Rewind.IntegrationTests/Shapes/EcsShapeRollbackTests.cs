using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Aws.Ecs;
using Rewind.Aws.Protocols;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Playbook;
using Xunit;

namespace Rewind.IntegrationTests.Shapes;

/// <summary>
/// Issue 17, must-show 1 and 2 for the ECS controller: <c>rewind run --live</c> on every ROLLING and
/// BLUE_GREEN/LINEAR/CANARY row of the deployment-shape table, in flight and completed, and the failures ECS reports
/// (ROLLBACK_FAILED, a Lambda hook FAILED). Each asserts the calls counted at the emulator, the end state, and the ecs
/// step's evidence with the checklist's "service reverted" item.
/// </summary>
[Collection("shape-emulator")]
public sealed class EcsShapeRollbackTests(ShapeEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_a_rolling_deployment_of_4_in_flight_when_rewind_runs_then_one_StopServiceDeployment_returns_the_service_to_2_without_UpdateService()
    {
        // The rollout of :4 must still be going when rewind reads it; the rollback's own rollout is short again.
        ShapeConfig world;
        await using (await ShapeConfig.SecondsAsync(emulator, "rolloutSeconds", TimeSpan.FromSeconds(60), ShapeEmulatorFixture.RolloutTime, Ct))
            world = await ShapeConfig.SeedAsync(emulator, ServiceShape.Rolling, FourthDeployment.InProgress, Ct);
        await using var _ = world;

        var run = await world.RunLiveAsync(Ct);

        Assert.True(run.ExitCode == 0, run.ToString());
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("ecs:StopServiceDeployment"));
        Assert.Equal(0, calls.Count("ecs:UpdateService"));
        Assert.Equal(1, calls.MutatingTotal);
        Assert.Equal(ServiceDeploymentStatus.RollbackSuccessful, (await world.World.DescribeAsync(world.World.FourthDeploymentArn!, Ct))!.Status);
        Assert.Equal(world.World.Good, (await world.ServiceAsync(Ct)).TaskDefinition);
        var evidence = await world.EcsEvidenceAsync(Ct);
        Assert.Equal(("StopServiceDeployment", world.World.FourthDeploymentArn, "ROLLBACK_SUCCESSFUL"), (evidence.Path, evidence.ServiceDeployment, evidence.ServiceDeploymentStatus));
        Assert.Equal(world.World.Good, evidence.TaskDefinition);
        await AssertTickedAsync(world);
    }

    [Fact]
    public async Task Given_a_rolling_deployment_of_4_in_flight_and_a_target_its_source_does_not_run_when_rewind_runs_then_one_UpdateService_deploys_the_target_and_no_StopServiceDeployment()
    {
        ShapeConfig world;
        await using (await ShapeConfig.SecondsAsync(emulator, "rolloutSeconds", TimeSpan.FromSeconds(60), ShapeEmulatorFixture.RolloutTime, Ct))
            world = await ShapeConfig.SeedAsync(emulator, ServiceShape.Rolling, FourthDeployment.InProgress, Ct);
        await using var _ = world;

        var run = await world.RunLiveAsync(Ct, ["--to", "1"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("ecs:UpdateService"));
        Assert.Equal(0, calls.Count("ecs:StopServiceDeployment"));
        Assert.Equal(1, calls.MutatingTotal);
        var ecsPlan = (await world.RecordAsync(Ct)).Plan!.Steps.Single(s => s.Step == "ecs");
        Assert.Contains("UpdateService", ecsPlan.Summary, StringComparison.Ordinal);
        var service = await world.ServiceAsync(Ct);
        Assert.Equal((world.World.Revisions[0], RolloutState.Completed), (service.PrimaryDeployment!.TaskDefinition, service.PrimaryDeployment.RolloutState));
        await AssertTickedAsync(world);
    }

    [Fact]
    public async Task Given_a_rolling_deployment_of_4_completed_when_rewind_runs_then_one_UpdateService_deploys_2()
    {
        await using var world = await ShapeConfig.SeedAsync(emulator, ServiceShape.Rolling, FourthDeployment.Completed, Ct);

        var run = await world.RunLiveAsync(Ct);

        Assert.True(run.ExitCode == 0, run.ToString());
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("ecs:UpdateService"));
        Assert.Equal(0, calls.Count("ecs:StopServiceDeployment"));
        Assert.Equal(1, calls.MutatingTotal);
        var service = await world.ServiceAsync(Ct);
        Assert.Equal(world.World.Good, service.TaskDefinition);
        Assert.Equal((world.World.Good, RolloutState.Completed), (service.PrimaryDeployment!.TaskDefinition, service.PrimaryDeployment.RolloutState));
        var evidence = await world.EcsEvidenceAsync(Ct);
        // The rolling UpdateService path's evidence keeps its pre-issue-17 form: no path (UpdateService), the completed rollout.
        Assert.Null(evidence.Path);
        Assert.Equal(("COMPLETED", 1), (evidence.RolloutState, evidence.Deployments));
        await AssertTickedAsync(world);
    }

    [Theory]
    [InlineData(ServiceShape.BlueGreen)]
    [InlineData(ServiceShape.Linear)]
    [InlineData(ServiceShape.Canary)]
    public async Task Given_a_shifting_deployment_of_4_in_bake_time_when_rewind_runs_then_one_StopServiceDeployment_flips_production_back_to_2_and_the_rule_is_never_modified(ServiceShape shape)
    {
        await using var world = await ShapeConfig.SeedAsync(emulator, shape, FourthDeployment.InBakeTime, Ct);
        Assert.Equal(100, (await world.World.ProductionWeightsAsync(Ct))[world.World.GreenTargetGroupArn!]);

        var run = await world.RunLiveAsync(Ct);

        Assert.True(run.ExitCode == 0, run.ToString());
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("ecs:StopServiceDeployment"));
        AssertNoRuleWritten(calls);
        Assert.Equal(0, calls.Count("ecs:UpdateService"));
        Assert.Equal(1, calls.MutatingTotal);
        var weights = await world.World.ProductionWeightsAsync(Ct);
        Assert.Equal(100, weights[world.World.BlueTargetGroupArn!]);
        Assert.Equal(0, weights.GetValueOrDefault(world.World.GreenTargetGroupArn!));
        Assert.Equal(ServiceDeploymentStatus.RollbackSuccessful, (await world.World.DescribeAsync(world.World.FourthDeploymentArn!, Ct))!.Status);
        Assert.Equal(world.World.Good, (await world.ServiceAsync(Ct)).TaskDefinition);
        var evidence = await world.EcsEvidenceAsync(Ct);
        Assert.Equal(("StopServiceDeployment", world.World.FourthDeploymentArn, "ROLLBACK_SUCCESSFUL"), (evidence.Path, evidence.ServiceDeployment, evidence.ServiceDeploymentStatus));
        Assert.Equal(100, evidence.TargetProductionWeight);
        await AssertTickedAsync(world);
        Assert.Contains("ECS owns this rule", (await world.RecordAsync(Ct)).Plan!.Steps.Single(s => s.Step == "canary").Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ServiceShape.BlueGreen)]
    [InlineData(ServiceShape.Linear)]
    [InlineData(ServiceShape.Canary)]
    public async Task Given_a_shifting_deployment_of_4_completed_when_rewind_runs_then_one_UpdateService_to_2_is_waited_for_under_the_strategy_until_production_traffic_is_on_it(ServiceShape shape)
    {
        await using var world = await ShapeConfig.SeedAsync(emulator, shape, FourthDeployment.Completed, Ct);

        var run = await world.RunLiveAsync(Ct);

        Assert.True(run.ExitCode == 0, run.ToString());
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("ecs:UpdateService"));
        Assert.Equal(0, calls.Count("ecs:StopServiceDeployment"));
        AssertNoRuleWritten(calls);
        Assert.Equal(1, calls.MutatingTotal);
        var latest = await world.World.LatestAsync(Ct);
        Assert.NotEqual(world.World.FourthDeploymentArn, latest.ServiceDeploymentArn);
        var evidence = await world.EcsEvidenceAsync(Ct);
        // Waited until production traffic was on :2 (the default --wait-until traffic); ECS may be baking by the time it is read.
        Assert.Equal(("UpdateService", 100.0), (evidence.Path, evidence.TargetProductionWeight));
        Assert.Contains(evidence.StageReached, new[] { "traffic", "bake" });
        Assert.Equal(world.World.Good, (await world.ServiceAsync(Ct)).TaskDefinition);
        // ECS moved production onto the group the new deployment of :2 runs in: all of it, on one group.
        Assert.Equal([0, 100], (await world.World.ProductionWeightsAsync(Ct)).Values.Order());
        await AssertTickedAsync(world);
    }

    [Fact]
    public async Task Given_a_blue_green_deployment_of_4_waiting_at_a_PAUSE_hook_when_rewind_runs_then_one_ContinueServiceDeployment_ROLLBACK_answers_that_hook()
    {
        await using var world = await ShapeConfig.SeedAsync(emulator, ServiceShape.BlueGreen, FourthDeployment.PausedAtHook, Ct);
        var hook = (await world.World.LatestAsync(Ct)).LifecycleHookDetails.Single(h => h.Status == LifecycleHookStatus.AwaitingAction);

        var run = await world.RunLiveAsync(Ct);

        Assert.True(run.ExitCode == 0, run.ToString());
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("ecs:ContinueServiceDeployment"));
        Assert.Equal(0, calls.Count("ecs:StopServiceDeployment") + calls.Count("ecs:UpdateService"));
        AssertNoRuleWritten(calls);
        Assert.Equal(1, calls.MutatingTotal);
        var sent = (await world.RecordAsync(Ct)).Journal.Single(e => e.Step == "ecs" && e.Kind == JournalKind.CallSent);
        Assert.Contains(hook.HookId, sent.Detail, StringComparison.Ordinal);
        var fourth = (await world.World.DescribeAsync(world.World.FourthDeploymentArn!, Ct))!;
        Assert.Equal(ServiceDeploymentStatus.RollbackSuccessful, fourth.Status);
        Assert.DoesNotContain(fourth.LifecycleHookDetails, h => h.Status == LifecycleHookStatus.AwaitingAction);
        Assert.Equal(100, (await world.World.ProductionWeightsAsync(Ct))[world.World.BlueTargetGroupArn!]);
        var evidence = await world.EcsEvidenceAsync(Ct);
        Assert.Equal(("ContinueServiceDeployment", "ROLLBACK_SUCCESSFUL"), (evidence.Path, evidence.ServiceDeploymentStatus));
        await AssertTickedAsync(world);
    }

    [Fact]
    public async Task Given_a_StopServiceDeployment_that_ends_ROLLBACK_FAILED_when_rewind_runs_then_the_run_fails_with_ECSs_reason_and_the_evidence_is_unticked()
    {
        await using var world = await ShapeConfig.SeedAsync(emulator, ServiceShape.BlueGreen, FourthDeployment.InBakeTime, Ct);
        await ShapeConfig.ConfigureEmulatorAsync(emulator, """{"failNextRollback": true}""", Ct);

        var run = await world.RunLiveAsync(Ct);

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Equal(1, (await world.CallsAsync(Ct)).Count("ecs:StopServiceDeployment"));
        Assert.Equal(RunStatus.Failed, (await world.RunAsync(Ct)).Status);
        var end = (await world.RecordAsync(Ct)).EndOf("ecs")!;
        Assert.False(end.Succeeded, end.Summary);
        Assert.Contains("ROLLBACK_FAILED", end.Summary, StringComparison.Ordinal);
        Assert.Contains("failNextRollback", end.Summary, StringComparison.Ordinal);
        Assert.False((await world.ServiceRevertedAsync(Ct)).Ticked);
    }

    [Fact]
    public async Task Given_a_Lambda_hook_that_fails_the_rollback_deployment_when_rewind_runs_then_the_run_fails_naming_the_FAILED_hook()
    {
        await using var world = await ShapeConfig.SeedAsync(emulator, ServiceShape.BlueGreen, FourthDeployment.Completed, Ct);
        // The next deployment (Rewind's UpdateService to :2) meets a Lambda hook whose function fails.
        var ecs = new JsonProtocol(world.World.Transport, AwsService.Ecs, "AmazonEC2ContainerServiceV20141113", "1.1");
        await ecs.InvokeAsync("UpdateService", new JsonObject
        {
            ["cluster"] = world.World.Cluster,
            ["service"] = world.World.Service,
            ["deploymentConfiguration"] = new JsonObject
            {
                ["lifecycleHooks"] = new JsonArray(new JsonObject
                {
                    ["targetType"] = "AWS_LAMBDA",
                    ["hookTargetArn"] = "arn:aws:lambda:us-east-1:123456789012:function:fail-smoke-check",
                    ["roleArn"] = "arn:aws:iam::123456789012:role/ecsLambdaHooks",
                    ["lifecycleStages"] = new JsonArray("POST_TEST_TRAFFIC_SHIFT"),
                }),
            },
        }, Ct);
        await EmulatorCalls.ResetAsync(emulator.Endpoint, Ct);

        var run = await world.RunLiveAsync(Ct);

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Equal(1, (await world.CallsAsync(Ct)).Count("ecs:UpdateService"));
        Assert.Equal(RunStatus.Failed, (await world.RunAsync(Ct)).Status);
        var end = (await world.RecordAsync(Ct)).EndOf("ecs")!;
        Assert.False(end.Succeeded, end.Summary);
        Assert.Contains("lifecycle hook", end.Summary, StringComparison.Ordinal);
        Assert.Contains("is FAILED", end.Summary, StringComparison.Ordinal);
        Assert.False((await world.ServiceRevertedAsync(Ct)).Ticked);
        Assert.Equal(world.World.Bad, (await world.ServiceAsync(Ct)).TaskDefinition);
    }

    private static void AssertNoRuleWritten(EmulatorCallCounts calls)
    {
        Assert.Equal(0, calls.Count("elasticloadbalancing:ModifyRule"));
        Assert.Equal(0, calls.Count("elasticloadbalancing:ModifyListener"));
    }

    private static async Task AssertTickedAsync(ShapeConfig world)
    {
        var item = await world.ServiceRevertedAsync(Ct);
        Assert.True(item.Ticked, $"{item.Missing} ({item.EvidenceLine()})");
    }
}
