using Rewind.Aws.Ecs;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Playbook.Ecs;
using Rewind.Playbook.Tests.Fakes;
using Rewind.Playbook.Tests.Layers;
using Xunit;

namespace Rewind.Playbook.Tests.Ecs;

/// <summary>One rollback path per shape, chosen in the plan with its reason (issue 17's table).</summary>
public sealed class PathChooserTests
{
    private static readonly EcsSettings Prod = new("prod", "api", "claude-proxy-api", TimeSpan.FromSeconds(30));
    private static readonly string V2 = FakeEcs.TaskDefinition(2);

    private readonly LayerRun _run = new();
    private readonly FakeEcs _ecs = new();

    private async Task<StepPlan> PlanAsync(string target, WaitUntil waitUntil = WaitUntil.Traffic) =>
        Assert.Single((await _run.PlanAsync(new EcsStep(_ecs, Prod, PollSchedule.Immediate, waitUntil: waitUntil), LayerRun.Target(target))).Steps);

    [Fact]
    public async Task Given_a_blue_green_deployment_in_bake_whose_source_runs_the_target_when_planned_then_the_path_is_stop_service_deployment_rollback()
    {
        var arn = _ecs.WithDeploymentInFlight("prod", "api", 2, 4, DeploymentStrategy.BlueGreen, ServiceDeploymentLifecycleStage.BakeTime);

        var plan = await PlanAsync(V2);

        var planned = EcsStep.Read(plan);
        Assert.Equal((RollbackPath.StopServiceDeployment, arn, (string?)null, "BLUE_GREEN"), (planned.Path, planned.ServiceDeploymentArn, planned.HookId, planned.Strategy));
        Assert.Equal(
            "BLUE_GREEN deployment sd-4 of claude-proxy-api:4 is in BAKE_TIME; its source revision runs claude-proxy-api:2, the target: StopServiceDeployment ROLLBACK (traffic back in seconds, no new tasks)",
            plan.Summary);
        Assert.Equal(plan.Summary, planned.Reason);
        Assert.Equal(30, plan.ExpectedSeconds);
    }

    [Fact]
    public async Task Given_a_paused_hook_awaiting_action_when_planned_then_the_path_is_continue_service_deployment_rollback_with_its_hook_id()
    {
        _ecs.WithDeploymentInFlight("prod", "api", 2, 4, DeploymentStrategy.Linear, ServiceDeploymentLifecycleStage.PostTestTrafficShift, pausedHook: "hook-7");

        var planned = EcsStep.Read(await PlanAsync(V2));

        Assert.Equal((RollbackPath.ContinueServiceDeployment, "hook-7"), (planned.Path, planned.HookId));
        Assert.EndsWith("ContinueServiceDeployment ROLLBACK on PAUSE hook hook-7 (awaiting action)", planned.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_rolling_deployment_in_flight_whose_source_runs_the_target_when_planned_then_the_path_is_stop_service_deployment_rollback()
    {
        _ecs.WithDeploymentInFlight("prod", "api", 2, 4, DeploymentStrategy.Rolling);

        var planned = EcsStep.Read(await PlanAsync(V2));

        Assert.Equal(RollbackPath.StopServiceDeployment, planned.Path);
        Assert.EndsWith("StopServiceDeployment ROLLBACK (ECS's own rollback to the last successful revision)", planned.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DeploymentStrategy.Rolling)]
    [InlineData(DeploymentStrategy.BlueGreen)]
    public async Task Given_a_deployment_in_flight_whose_source_is_not_rewinds_target_when_planned_then_the_path_is_update_service_and_the_plan_says_why(DeploymentStrategy strategy)
    {
        _ecs.WithDeploymentInFlight("prod", "api", 3, 4, strategy, ServiceDeploymentLifecycleStage.BakeTime);

        var planned = EcsStep.Read(await PlanAsync(V2));

        Assert.Equal(RollbackPath.UpdateService, planned.Path);
        Assert.EndsWith(
            "its source revision runs claude-proxy-api:3, not the target claude-proxy-api:2: UpdateService to claude-proxy-api:2 (ECS's own rollback would end elsewhere)",
            planned.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_completed_blue_green_deployment_when_planned_then_the_path_is_update_service_waited_for_under_the_strategy_until_traffic()
    {
        _ecs.WithService("prod", "api", 4).Reshape("prod", "api", s => s with
        {
            DeploymentConfiguration = new DeploymentConfiguration { Strategy = DeploymentStrategy.BlueGreen, BakeTimeInMinutes = 10 },
            LoadBalancers = [FakeEcs.EcsOwned],
        });

        var plan = await PlanAsync(V2, WaitUntil.Bake);

        var planned = EcsStep.Read(plan);
        Assert.Equal((RollbackPath.UpdateService, WaitUntil.Bake), (planned.Path, planned.WaitUntil));
        Assert.Equal(
            "no BLUE_GREEN deployment in flight: UpdateService to claude-proxy-api:2, a new deployment waited for under the strategy (until it reaches its bake time)",
            plan.Summary);
        Assert.Equal(660, plan.ExpectedSeconds);
        Assert.Equal(1320, plan.DeadlineSeconds);
    }

    [Fact]
    public async Task Given_an_external_controller_when_planned_then_it_is_refused_as_bad_input_saying_why_and_what_to_do()
    {
        _ecs.WithService("prod", "api", 4).Reshape("prod", "api", s => s with { DeploymentController = new DeploymentController(DeploymentControllerType.External) });

        var refused = await Assert.ThrowsAsync<RewindException>(() => PlanAsync(V2));

        Assert.Equal(FailureKind.BadInput, refused.Kind);
        Assert.StartsWith("ECS service api uses the EXTERNAL deployment controller", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, _ecs.UpdateCount);
    }

    [Fact]
    public async Task Given_a_code_deploy_controller_and_no_code_deploy_rollback_when_planned_then_it_is_refused_as_bad_input()
    {
        _ecs.WithService("prod", "api", 4).Reshape("prod", "api", s => s with { DeploymentController = new DeploymentController(DeploymentControllerType.CodeDeploy) });

        var refused = await Assert.ThrowsAsync<RewindException>(() => PlanAsync(V2));

        Assert.Equal(FailureKind.BadInput, refused.Kind);
        Assert.Contains("CODE_DEPLOY deployment controller", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_the_service_ecs_already_rolled_back_to_the_target_when_planned_then_there_is_nothing_to_do_and_the_plan_names_the_failed_deployment()
    {
        _ecs.WithRolledBackByEcs("prod", "api", failed: 5, returnedTo: 2);

        var plan = await PlanAsync(V2);

        Assert.True(plan.NothingToDo);
        Assert.Equal("ECS rolled back deployment sd-5 of claude-proxy-api:5 at 2026-12-04 18:05Z to claude-proxy-api:2 (circuit breaker): the service already runs the target, nothing to do", plan.Summary);
    }

    [Fact]
    public void Given_a_plan_stored_before_issue_17_when_read_then_its_path_is_update_service_waited_as_before()
    {
        const string stored = """{"cluster":"prod","service":"api","targetTaskDefinition":"a:2","previousTaskDefinition":"a:4","restart":false,"deploymentsBefore":[],"wait":true}""";

        var planned = System.Text.Json.JsonSerializer.Deserialize(stored, EcsPlanJson.Default.EcsPlan)!;

        Assert.Equal((RollbackPath.UpdateService, (string?)null, (string?)null, false), (planned.Path, planned.Reason, planned.Strategy, planned.EcsShiftsTraffic));
    }
}
