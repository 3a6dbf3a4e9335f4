using Rewind.Aws;
using Rewind.Aws.CodeDeploy;
using Rewind.Aws.Ecs;
using Rewind.Aws.Errors;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Playbook.Ecs.CodeDeploy;
using Rewind.Playbook.Tests.Fakes;
using Rewind.Playbook.Tests.Layers;
using Xunit;

namespace Rewind.Playbook.Tests.CodeDeploy;

/// <summary>The CODE_DEPLOY path below the emulator: find the group, stop or create exactly once, wait, resume.</summary>
public sealed class CodeDeployRollbackTests
{
    private const string App = "shop";
    private const string Group = "api-dg";
    private static readonly string V1 = FakeEcs.TaskDefinition(1);
    private static readonly string V2 = FakeEcs.TaskDefinition(2);
    private static readonly string V4 = FakeEcs.TaskDefinition(4);

    private static readonly EcsService Service = new()
    {
        ServiceArn = $"{FakeEcs.Account}:service/prod/api",
        ServiceName = "api",
        ClusterArn = $"{FakeEcs.Account}:cluster/prod",
        TaskDefinition = V4,
        DeploymentController = new DeploymentController(DeploymentControllerType.CodeDeploy),
        LoadBalancers = [new ServiceLoadBalancer { TargetGroupArn = "arn:tg/blue", ContainerName = "api", ContainerPort = 8080 }],
    };

    private readonly LayerRun _run = new();
    private readonly FakeCodeDeploy _codeDeploy = new FakeCodeDeploy()
        .WithGroup("other", "web-dg", "prod", "web")
        .WithGroup(App, Group, "prod", "api");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CodeDeployRollback Rollback(string? application = null, string? group = null) =>
        new(_codeDeploy, application, group, PollSchedule.Immediate);

    private Step StepOf(CodeDeployRollback? rollback = null) => new(rollback ?? Rollback());

    private Task<RollbackPlan> PlanAsync(Step? step = null) => _run.PlanAsync(step ?? StepOf(), LayerRun.Target(V2));

    private Task<RollbackPlan> PlanToV1Async() => _run.PlanAsync(StepOf(), LayerRun.Target(V1));

    [Fact]
    public async Task Given_no_configured_group_when_planned_then_the_group_whose_ecs_services_name_the_service_is_found_and_a_create_is_planned()
    {
        var plan = await Rollback().PlanAsync(Service, V2, Ct);

        Assert.Equal(new CodeDeployPlan(App, Group, null, false, V2, "api", 8080,
            "no CodeDeploy deployment in flight in shop/api-dg: CreateDeployment with an ECS AppSpec naming claude-proxy-api:2 (container api:8080), then wait for it"), plan);
        Assert.Contains("ListApplications", _codeDeploy.Calls);
        Assert.Equal(0, _codeDeploy.StopCount + _codeDeploy.CreateCount);
    }

    [Fact]
    public async Task Given_the_group_named_in_rewind_yaml_when_planned_then_only_that_group_is_read()
    {
        var plan = await Rollback(App, Group).PlanAsync(Service, V2, Ct);

        Assert.Equal((App, Group), (plan.Application, plan.DeploymentGroup));
        Assert.Equal($"GetDeploymentGroup {App}/{Group}", _codeDeploy.Calls[0]);
        Assert.DoesNotContain("ListApplications", _codeDeploy.Calls);
        Assert.DoesNotContain(_codeDeploy.Calls, c => c.Contains("web-dg", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("other", "web-dg")]
    public async Task Given_no_group_that_deploys_the_service_when_planned_then_it_is_bad_input_naming_the_keys_to_set(string? application, string? group)
    {
        var rollback = new CodeDeployRollback(new FakeCodeDeploy().WithGroup("other", "web-dg", "prod", "web"), application, group, PollSchedule.Immediate);

        var error = await Assert.ThrowsAsync<RewindException>(() => rollback.PlanAsync(Service, V2, Ct));

        Assert.Equal(FailureKind.BadInput, error.Kind);
        Assert.Equal(
            "service api has a CODE_DEPLOY controller but no CodeDeploy deployment group deploys it; set service.codedeploy_application and service.codedeploy_group",
            error.Message);
    }

    [Theory]
    [InlineData("other", "missing", "CodeDeploy deployment group missing (service.codedeploy_group) was not found in application other (DeploymentGroupDoesNotExistException: No Deployment Group found for name: missing)")]
    [InlineData(App, Group, "CodeDeploy application shop (service.codedeploy_application) was not found (ApplicationDoesNotExistException: No application found for name: shop)")]
    [InlineData(App, null, "CodeDeploy application shop (service.codedeploy_application) was not found (ApplicationDoesNotExistException: No application found for name: shop)")]
    [InlineData(null, "missing", "CodeDeploy deployment group missing (service.codedeploy_group) was not found in any CodeDeploy application (1 listed)")]
    public async Task Given_a_configured_group_or_application_that_does_not_exist_when_planned_then_it_is_bad_input_saying_it_was_not_found(string? application, string? group, string message)
    {
        var rollback = new CodeDeployRollback(new FakeCodeDeploy().WithGroup("other", "web-dg", "prod", "web"), application, group, PollSchedule.Immediate);

        var error = await Assert.ThrowsAsync<RewindException>(() => rollback.PlanAsync(Service, V2, Ct));

        Assert.Equal((FailureKind.BadInput, message), (error.Kind, error.Message));
    }

    [Fact]
    public async Task Given_a_deployment_in_flight_whose_rollback_returns_to_another_revision_than_the_target_when_planned_then_a_stop_without_rollback_then_a_create_is_planned_with_its_reason()
    {
        var inFlight = _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.InProgress, V4, V2, minutesAgo: 3);

        var plan = await Rollback().PlanAsync(Service, V1, Ct);

        Assert.Equal(new CodeDeployPlan(App, Group, inFlight, true, V1, "api", 8080,
            $"CodeDeploy deployment {inFlight} of claude-proxy-api:4 in shop/api-dg is InProgress; stopping it with auto-rollback returns to claude-proxy-api:2, not the target claude-proxy-api:1: " +
            "StopDeployment without auto-rollback, then CreateDeployment to claude-proxy-api:1 (an ECS AppSpec, container api:8080), then wait for it",
            CreateAfterStop: true), plan);
        Assert.Equal(0, _codeDeploy.StopCount + _codeDeploy.CreateCount);
    }

    [Fact]
    public void Given_a_plan_stored_before_create_after_stop_existed_when_read_then_it_is_the_plain_stop()
    {
        var stored = "{\"application\":\"shop\",\"deploymentGroup\":\"api-dg\",\"inFlightDeployment\":\"d-0001\",\"stopInFlight\":true,"
            + "\"targetTaskDefinition\":\"" + V2 + "\",\"containerName\":\"api\",\"containerPort\":8080,\"reason\":\"stop\"}";

        var plan = System.Text.Json.JsonSerializer.Deserialize(stored, CodeDeployPlanJson.Default.CodeDeployPlan)!;

        Assert.Equal(new CodeDeployPlan(App, Group, "d-0001", true, V2, "api", 8080, "stop"), plan);
        Assert.False(plan.CreateAfterStop);
    }

    [Fact]
    public async Task Given_a_stop_then_create_plan_when_executed_then_one_stop_without_rollback_then_one_create_of_the_target_are_sent_and_awaited()
    {
        var inFlight = _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.InProgress, V4, V2);

        var outcome = await _run.StartAsync(StepOf(), await PlanToV1Async());

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(
            [$"StopDeployment {inFlight}", $"GetDeployment {inFlight}", $"CreateDeployment {App}/{Group}"],
            _codeDeploy.Calls.SkipWhile(c => !c.StartsWith("StopDeployment", StringComparison.Ordinal)).Take(3));
        Assert.Equal(CodeDeployDeploymentStatus.Stopped, _codeDeploy.Deployment(inFlight).Status);
        Assert.Null(_codeDeploy.Deployment(inFlight).RollbackInfo);
        var created = _codeDeploy.Deployments.Single(d => d.DeploymentId != inFlight);
        Assert.Equal([V1], AppSpec.TaskDefinitionsOf(created.Revision!.AppSpecContent!.Content));
        Assert.Equal(CodeDeployDeploymentStatus.Succeeded, created.Status);
        Assert.Equal($"CodeDeploy deployment {created.DeploymentId} of claude-proxy-api:1 Succeeded", Assert.Single(outcome.Steps).Result.Summary);
        Assert.Contains($"CodeDeploy deployment {inFlight} is Stopped: creating the deployment of the target", _run.Progress);
        Assert.Equal(
            ["ecs Planned", "ecs Started", "ecs CallSent StopDeployment", "ecs CallSucceeded StopDeployment",
             "ecs CallSent CreateDeployment", "ecs CallSucceeded CreateDeployment", "ecs Completed"],
            await _run.JournalAsync());
    }

    [Fact]
    public async Task Given_another_deployment_active_when_the_create_after_the_stop_is_sent_then_the_step_fails_with_CodeDeploys_reason_and_nothing_is_resent()
    {
        var inFlight = _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.InProgress, V4, V2);
        _codeDeploy.After = call =>
        {
            if (call == "StopDeployment")
                _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.InProgress, FakeEcs.TaskDefinition(5), V4, minutesAgo: 0);
        };

        var outcome = await _run.StartAsync(StepOf(), await PlanToV1Async());

        Assert.Equal(RunStatus.Failed, outcome.Status);
        var (_, result) = Assert.Single(outcome.Steps);
        Assert.Equal(
            "CodeDeploy refused the deployment of claude-proxy-api:1: a deployment of shop/api-dg is still active "
            + "(DeploymentLimitExceededException: The deployment group already has an active deployment); wait until it ends, then plan again",
            result.Summary);
        Assert.Equal((1, 1), (_codeDeploy.StopCount, _codeDeploy.CreateCount));
        Assert.Equal(CodeDeployDeploymentStatus.Stopped, _codeDeploy.Deployment(inFlight).Status);
    }

    [Theory]
    [InlineData("StopDeployment")]
    [InlineData("CreateDeployment")]
    public async Task Given_a_stop_then_create_run_killed_right_after_either_call_took_effect_when_resumed_then_each_call_was_sent_once(string call)
    {
        var inFlight = _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.InProgress, V4, V2);
        _codeDeploy.After = c =>
        {
            if (c == call)
                _run.Kill();
        };
        await _run.StartAndDieAsync(StepOf(), await PlanToV1Async());
        Assert.Equal(RunStatus.Cancelled, await _run.StatusAsync());
        _codeDeploy.After = null;

        var outcome = await _run.ResumeAsync(StepOf());

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal((1, 1), (_codeDeploy.StopCount, _codeDeploy.CreateCount));
        Assert.Equal(CodeDeployDeploymentStatus.Stopped, _codeDeploy.Deployment(inFlight).Status);
        var created = _codeDeploy.Deployments.Single(d => d.DeploymentId != inFlight);
        Assert.Equal((CodeDeployDeploymentStatus.Succeeded, V1), (created.Status, AppSpec.TaskDefinitionsOf(created.Revision!.AppSpecContent!.Content).Single()));
    }

    [Theory]
    [InlineData("StopDeployment")]
    [InlineData("CreateDeployment")]
    public async Task Given_a_stop_then_create_whose_answer_is_lost_when_executed_then_CodeDeploy_is_read_and_no_call_is_sent_twice(string call)
    {
        _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.InProgress, V4, V2);
        _codeDeploy.After = c =>
        {
            if (c == call)
                throw new AwsAnswerLostException(AwsService.CodeDeploy, call, "connection reset after the request was sent");
        };

        var outcome = await _run.StartAsync(StepOf(), await PlanToV1Async());

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal((1, 1), (_codeDeploy.StopCount, _codeDeploy.CreateCount));
        Assert.Contains(_run.Progress, line => line.StartsWith($"{call} answer lost", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Given_the_in_flight_deployment_completed_before_a_stop_then_create_when_executed_then_the_create_of_the_target_still_follows()
    {
        var inFlight = _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.InProgress, V4, V2);
        var plan = await PlanToV1Async();
        _codeDeploy.ReadsToFinish = 0;
        await _codeDeploy.GetDeploymentAsync(inFlight, Ct);
        await _codeDeploy.GetDeploymentAsync(inFlight, Ct);

        var outcome = await _run.StartAsync(StepOf(), plan);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal((1, 1), (_codeDeploy.StopCount, _codeDeploy.CreateCount));
        Assert.Contains(_run.Progress, line => line.StartsWith($"CodeDeploy deployment {inFlight} ended before it could be stopped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Given_a_group_of_the_same_service_name_in_another_cluster_when_planned_then_it_is_not_taken()
    {
        var rollback = new CodeDeployRollback(new FakeCodeDeploy().WithGroup(App, Group, "staging", "api"), null, null, PollSchedule.Immediate);

        var error = await Assert.ThrowsAsync<RewindException>(() => rollback.PlanAsync(Service, V2, Ct));

        Assert.Equal(FailureKind.BadInput, error.Kind);
    }

    [Fact]
    public async Task Given_a_deployment_in_flight_when_planned_then_the_newest_in_flight_one_is_stopped()
    {
        _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.Succeeded, V4, V2, minutesAgo: 60);
        var inFlight = _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.InProgress, V4, V2, minutesAgo: 3);

        var plan = await Rollback().PlanAsync(Service, V2, Ct);

        Assert.True(plan.StopInFlight);
        Assert.Equal(inFlight, plan.InFlightDeployment);
        Assert.Equal(
            $"CodeDeploy deployment {inFlight} of shop/api-dg is InProgress: StopDeployment with auto-rollback (CodeDeploy moves traffic back to the original task set, claude-proxy-api:2), then wait for its rollback deployment",
            plan.Reason);
    }

    [Fact]
    public async Task Given_a_create_plan_when_executed_then_one_deployment_is_created_with_an_AppSpec_naming_target_container_and_port_and_awaited()
    {
        var outcome = await _run.StartAsync(StepOf(), await PlanAsync());

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(1, _codeDeploy.CreateCount);
        Assert.Equal(0, _codeDeploy.StopCount);
        var created = Assert.Single(_codeDeploy.Deployments);
        Assert.Equal(CodeDeployDeploymentStatus.Succeeded, created.Status);
        var content = created.Revision!.AppSpecContent!.Content!;
        Assert.Equal(
            "{\"version\":0.0,\"Resources\":[{\"TargetService\":{\"Type\":\"AWS::ECS::Service\",\"Properties\":{\"TaskDefinition\":\"" + V2
            + "\",\"LoadBalancerInfo\":{\"ContainerName\":\"api\",\"ContainerPort\":8080}}}}]}",
            content);
        Assert.Equal([V2], AppSpec.TaskDefinitionsOf(content));
        Assert.Equal(
            $"CodeDeploy deployment {created.DeploymentId} of claude-proxy-api:2 Succeeded",
            Assert.Single(outcome.Steps).Result.Summary);
        Assert.Contains($"CodeDeploy deployment {created.DeploymentId} of claude-proxy-api:2: InProgress", _run.Progress);
        Assert.Equal(["ecs Planned", "ecs Started", "ecs CallSent CreateDeployment", "ecs CallSucceeded CreateDeployment", "ecs Completed"], await _run.JournalAsync());
    }

    [Fact]
    public async Task Given_a_stop_plan_when_executed_then_one_stop_with_auto_rollback_is_sent_and_the_rollback_deployment_is_awaited()
    {
        var inFlight = _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.InProgress, V4, V2);

        var outcome = await _run.StartAsync(StepOf(), await PlanAsync());

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal([$"StopDeployment {inFlight} rollback"], _codeDeploy.Calls.Where(c => c.StartsWith("StopDeployment", StringComparison.Ordinal)));
        Assert.Equal(0, _codeDeploy.CreateCount);
        var rollback = _codeDeploy.Deployment(inFlight).RollbackInfo!.RollbackDeploymentId!;
        Assert.Equal(CodeDeployDeploymentStatus.Succeeded, _codeDeploy.Deployment(rollback).Status);
        Assert.Equal($"CodeDeploy the rollback deployment {rollback} of stopped {inFlight} Succeeded", Assert.Single(outcome.Steps).Result.Summary);
    }

    [Fact]
    public async Task Given_create_deployment_applied_but_its_answer_lost_when_executed_then_the_deployment_is_found_and_no_second_is_created()
    {
        _codeDeploy.After = call =>
        {
            if (call == "CreateDeployment")
                throw new AwsAnswerLostException(AwsService.CodeDeploy, "CreateDeployment", "connection reset after the request was sent");
        };

        var outcome = await _run.StartAsync(StepOf(), await PlanAsync());

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(1, _codeDeploy.CreateCount);
        Assert.Contains(_run.Progress, line => line.StartsWith("CreateDeployment answer lost", StringComparison.Ordinal));
        Assert.Contains(_run.Progress, line => line.StartsWith("CreateDeployment of attempt 1 landed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Given_stop_deployment_applied_but_its_answer_lost_when_executed_then_the_deployment_is_read_and_no_second_stop_is_sent()
    {
        _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.InProgress, V4, V2);
        _codeDeploy.After = call =>
        {
            if (call == "StopDeployment")
                throw new AwsAnswerLostException(AwsService.CodeDeploy, "StopDeployment", "no answer within 2 s");
        };

        var outcome = await _run.StartAsync(StepOf(), await PlanAsync());

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(1, _codeDeploy.StopCount);
        Assert.Contains(_run.Progress, line => line.StartsWith("StopDeployment of d-0001 landed", StringComparison.Ordinal));
    }

    public static TheoryData<bool> StopOrCreate => [true, false];

    [Theory]
    [MemberData(nameof(StopOrCreate))]
    public async Task Given_a_run_killed_right_after_its_call_took_effect_when_resumed_then_it_waits_without_a_second_call(bool stop)
    {
        if (stop)
            _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.InProgress, V4, V2);
        var call = stop ? "StopDeployment" : "CreateDeployment";
        _codeDeploy.After = c =>
        {
            if (c == call)
                _run.Kill();
        };
        await _run.StartAndDieAsync(StepOf(), await PlanAsync());
        Assert.Equal(RunStatus.Cancelled, await _run.StatusAsync());
        _codeDeploy.After = null;

        var outcome = await _run.ResumeAsync(StepOf());

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(stop ? 1 : 0, _codeDeploy.StopCount);
        Assert.Equal(stop ? 0 : 1, _codeDeploy.CreateCount);
        Assert.All(_codeDeploy.Deployments.Where(d => !stop || d.RollbackInfo?.RollbackTriggeringDeploymentId is not null),
            d => Assert.Equal(CodeDeployDeploymentStatus.Succeeded, d.Status));
    }

    [Fact]
    public async Task Given_a_run_killed_after_the_call_was_journaled_when_resumed_then_the_journaled_deployment_is_awaited_without_a_read_of_the_group()
    {
        var reads = 0;
        _codeDeploy.After = c =>
        {
            if (c == "GetDeployment" && ++reads == 1)
                _run.Kill();
        };
        await _run.StartAndDieAsync(StepOf(), await PlanAsync());
        _codeDeploy.After = null;
        var listsBefore = _codeDeploy.Calls.Count(c => c.StartsWith("ListDeployments", StringComparison.Ordinal));

        var outcome = await _run.ResumeAsync(StepOf());

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(1, _codeDeploy.CreateCount);
        Assert.Equal(listsBefore, _codeDeploy.Calls.Count(c => c.StartsWith("ListDeployments", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Given_a_created_deployment_that_fails_when_executed_then_the_step_fails_with_CodeDeploys_reason()
    {
        _codeDeploy.NextFails = "The ECS service cannot be updated due to an unhealthy task set";

        var outcome = await _run.StartAsync(StepOf(), await PlanAsync());

        Assert.Equal(RunStatus.Failed, outcome.Status);
        var (_, result) = Assert.Single(outcome.Steps);
        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Equal(
            "CodeDeploy deployment d-0001 of claude-proxy-api:2 Failed: HEALTH_CONSTRAINTS: The ECS service cannot be updated due to an unhealthy task set",
            result.Summary);
    }

    [Fact]
    public async Task Given_a_rollback_deployment_that_fails_when_executed_then_the_step_fails_and_names_it()
    {
        var inFlight = _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.InProgress, V4, V2);
        _codeDeploy.NextFails = "tasks failed to start";

        var outcome = await _run.StartAsync(StepOf(), await PlanAsync());

        Assert.Equal(RunStatus.Failed, outcome.Status);
        var rollback = _codeDeploy.Deployment(inFlight).RollbackInfo!.RollbackDeploymentId;
        Assert.Equal(
            $"CodeDeploy the rollback deployment {rollback} of stopped {inFlight} Failed: HEALTH_CONSTRAINTS: tasks failed to start",
            Assert.Single(outcome.Steps).Result.Summary);
    }

    [Fact]
    public async Task Given_a_stop_after_which_CodeDeploy_starts_no_rollback_when_executed_then_the_step_fails_with_CodeDeploys_reason_instead_of_waiting_for_ever()
    {
        var inFlight = _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.InProgress, V4, V2);
        _codeDeploy.StartsNoRollback = true;

        var outcome = await _run.StartAsync(StepOf(), await PlanAsync());

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal(
            $"CodeDeploy deployment {inFlight} is Stopped but no rollback deployment was started: DEPLOYMENT_STOPPED: The deployment was stopped by the user",
            Assert.Single(outcome.Steps).Result.Summary);
        Assert.Equal(1, _codeDeploy.StopCount);
        // One read when planned, then the polls: the first sees it Stopped, RollbackNamingPolls more give up.
        Assert.Equal(1 + CodeDeployRollback.RollbackNamingPolls + 1, _codeDeploy.Calls.Count(c => c == $"GetDeployment {inFlight}"));
    }

    [Fact]
    public async Task Given_the_in_flight_deployment_completed_before_the_stop_when_executed_then_it_fails_saying_to_plan_again()
    {
        var inFlight = _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.InProgress, V4, V2);
        var plan = await PlanAsync();
        _codeDeploy.ReadsToFinish = 0;
        await _codeDeploy.GetDeploymentAsync(inFlight, Ct);
        await _codeDeploy.GetDeploymentAsync(inFlight, Ct);
        Assert.Equal(CodeDeployDeploymentStatus.Succeeded, _codeDeploy.Deployment(inFlight).Status);

        var outcome = await _run.StartAsync(StepOf(), plan);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.StartsWith($"CodeDeploy deployment {inFlight} Succeeded before it could be stopped", Assert.Single(outcome.Steps).Result.Summary, StringComparison.Ordinal);
        Assert.Equal(0, _codeDeploy.CreateCount);
    }

    /// <summary>The ecs step's CODE_DEPLOY path alone, planned and executed the way the ecs step does.</summary>
    private sealed class Step(ICodeDeployRollback rollback) : IStep
    {
        public string Name => "ecs";

        public StepStage Stage => StepStage.Service;

        public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
        {
            var plan = await rollback.PlanAsync(Service, context.RequiredTarget.TaskDefinitionArn, cancellationToken);
            return StepPlan.Of(Name, Stage, plan.Reason, [plan.Reason], false, 60, 600, plan, CodeDeployPlanJson.Default.CodeDeployPlan);
        }

        public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
        {
            var outcome = await rollback.ExecuteAsync(plan.Read(CodeDeployPlanJson.Default.CodeDeployPlan), context, cancellationToken);
            var evidence = new Dictionary<string, string> { ["deployment"] = outcome.Deployment ?? "", ["status"] = outcome.Status ?? "" };
            return outcome.Succeeded ? StepResult.Succeeded(outcome.Summary, evidence) : StepResult.Failed(outcome.Summary, evidence);
        }
    }
}
