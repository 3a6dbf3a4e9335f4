using Rewind.Aws;
using Rewind.Aws.Ecs;
using Rewind.Aws.Errors;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Ecs;
using Rewind.Playbook.Tests.Fakes;
using Rewind.Playbook.Tests.Layers;
using Xunit;

namespace Rewind.Playbook.Tests.Ecs;

/// <summary>The ecs step below the emulator: plan, execute, resume after each journaled point, and how a rollout fails.</summary>
public sealed class EcsStepTests
{
    private static readonly EcsSettings Prod = new("prod", "api", "claude-proxy-api", TimeSpan.FromSeconds(30));
    private static readonly string V2 = FakeEcs.TaskDefinition(2);
    private static readonly string V4 = FakeEcs.TaskDefinition(4);

    private readonly LayerRun _run = new();
    private readonly FakeEcs _ecs = new FakeEcs().WithService("prod", "api", 4);

    private EcsStep Step(EcsSettings? settings = null, bool restart = false, bool wait = true) =>
        new(_ecs, settings ?? Prod, PollSchedule.Immediate, wait, restart);

    private Task<RollbackPlan> PlanToV2Async(EcsStep? step = null) => _run.PlanAsync(step ?? Step(), LayerRun.Target(V2));

    [Fact]
    public async Task Given_the_service_on_the_bad_revision_when_planned_then_the_plan_names_the_service_the_target_and_what_runs_now()
    {
        var plan = Assert.Single((await PlanToV2Async()).Steps);

        Assert.False(plan.NothingToDo);
        var planned = EcsStep.Read(plan);
        Assert.Equal(("prod", "api", V2, V4, false, true), (planned.Cluster, planned.Service, planned.TargetTaskDefinition, planned.PreviousTaskDefinition, planned.Restart, planned.Wait));
        Assert.Empty(planned.DeploymentsBefore);
        Assert.Equal(
            ["service prod/api: claude-proxy-api:4 → claude-proxy-api:2 (2 tasks)",
             "shape: ECS controller, ROLLING; no deployment in flight; shape from DescribeServices alone: ListServiceDeployments not supported by this endpoint"],
            plan.Changes);
        Assert.Equal(30, plan.DeadlineSeconds);
        Assert.Null(plan.Parameters);
        Assert.Equal(["DescribeServices prod/api", "ListServiceDeployments prod/api"], _ecs.Calls);
    }

    [Fact]
    public async Task Given_the_service_already_on_the_target_with_its_rollout_completed_when_planned_then_there_is_nothing_to_do_and_execution_sends_no_update()
    {
        var plan = await _run.PlanAsync(Step(), LayerRun.Target(V4));

        Assert.True(Assert.Single(plan.Steps).NothingToDo);
        var outcome = await _run.StartAsync(Step(), plan);
        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(0, _ecs.UpdateCount);
    }

    [Fact]
    public async Task Given_a_plan_to_the_good_revision_when_executed_then_one_forced_update_is_sent_and_the_evidence_is_the_completed_deployment_beside_the_plans_target()
    {
        var outcome = await _run.StartAsync(Step(), await PlanToV2Async());

        var (_, result) = Assert.Single(outcome.Steps);
        Assert.Equal(StepStatus.Succeeded, result.Status);
        Assert.Equal("api runs claude-proxy-api:2: rollout COMPLETED, 2/2 running", result.Summary);
        var evidence = Assert.IsType<ServiceReverted>(result.Evidence);
        Assert.Equal(new ServiceReverted("prod", "api", V2, "ecs-svc/0002", V2, "COMPLETED", 2, 2, 1), evidence);
        Assert.Equal(
            ["DescribeServices prod/api", "ListServiceDeployments prod/api", "DescribeServices prod/api", $"UpdateService prod/api {V2} force", "DescribeServices prod/api", "DescribeServices prod/api"],
            _ecs.Calls);
        Assert.Equal(
            ["ecs Planned", "ecs Started", "ecs CallSent UpdateService", "ecs CallSucceeded UpdateService", "ecs Completed"],
            await _run.JournalAsync());
    }

    /// <summary>Where the first attempt dies: before UpdateService, after it took effect but before its answer was journaled, after its answer was journaled.</summary>
    public static TheoryData<string, int> KillPoints => new()
    {
        { "DescribeServices", 1 },
        { "UpdateService", 1 },
        { "DescribeServices", 3 },
    };

    [Theory]
    [MemberData(nameof(KillPoints))]
    public async Task Given_a_run_killed_at_a_journaled_point_when_resumed_from_its_stored_plan_alone_then_update_service_is_sent_exactly_once_and_the_service_reaches_the_target(string call, int occurrence)
    {
        var plan = await PlanToV2Async();
        var seen = 0;
        _ecs.After = c =>
        {
            if (c == call && ++seen == occurrence)
                _run.Kill();
        };

        await _run.StartAndDieAsync(Step(), plan);
        Assert.Equal(RunStatus.Cancelled, await _run.StatusAsync());
        _ecs.After = null;
        var outcome = await _run.ResumeAsync(EcsStep.ForExecution(_ecs, PollSchedule.Immediate));

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(1, _ecs.UpdateCount);
        Assert.Equal(V2, _ecs.Service("prod", "api").PrimaryDeployment!.TaskDefinition);
        Assert.Equal(RolloutState.Completed, _ecs.Service("prod", "api").PrimaryDeployment!.RolloutState);
    }

    [Fact]
    public async Task Given_update_service_applied_but_its_answer_lost_when_executed_then_the_step_reads_the_service_finds_its_deployment_and_never_sends_a_second()
    {
        _ecs.After = call =>
        {
            if (call == "UpdateService")
                throw new AwsAnswerLostException(AwsService.Ecs, "UpdateService", "connection reset after the request was sent");
        };

        var outcome = await _run.StartAsync(Step(), await PlanToV2Async());

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(1, _ecs.UpdateCount);
        Assert.Contains(_run.Progress, line => line.StartsWith("UpdateService answer lost", StringComparison.Ordinal));
        Assert.Contains("UpdateService of attempt 1 landed: waiting for its deployment ecs-svc/0002", _run.Progress);
    }

    [Fact]
    public async Task Given_a_rollout_that_fails_when_executed_then_the_step_fails_with_the_reason_and_the_evidence_says_FAILED()
    {
        _ecs.Rollout = Rollout.Fails;

        var (_, result) = Assert.Single((await _run.StartAsync(Step(), await PlanToV2Async())).Steps);

        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Equal("the rollout of claude-proxy-api:2 FAILED: ECS deployment circuit breaker: tasks failed to start.", result.Summary);
        Assert.Equal("FAILED", Assert.IsType<ServiceReverted>(result.Evidence).RolloutState);
        Assert.Equal(RunStatus.Failed, await _run.StatusAsync());
    }

    [Fact]
    public async Task Given_the_circuit_breaker_rolling_the_service_back_when_executed_then_the_step_fails_naming_the_revision_it_went_back_to()
    {
        _ecs.Rollout = Rollout.RolledBackByCircuitBreaker;

        var (_, result) = Assert.Single((await _run.StartAsync(Step(), await PlanToV2Async())).Steps);

        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Equal(
            "the rollout of claude-proxy-api:2 FAILED: ECS deployment circuit breaker: rolling back to the previous deployment.; the circuit breaker rolled the service back to claude-proxy-api:4",
            result.Summary);
        var evidence = Assert.IsType<ServiceReverted>(result.Evidence);
        Assert.Equal(V4, evidence.TaskDefinition);
        Assert.Equal(V2, evidence.TargetTaskDefinition);
    }

    [Fact]
    public async Task Given_the_deployment_replaced_by_another_when_executed_then_the_step_fails_saying_it_is_gone()
    {
        _ecs.Rollout = Rollout.Replaced;

        var (_, result) = Assert.Single((await _run.StartAsync(Step(), await PlanToV2Async())).Steps);

        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Equal(
            "the deployment of claude-proxy-api:2 is gone and the service runs claude-proxy-api:9: ECS rolled it back or someone deployed over it",
            result.Summary);
    }

    [Fact]
    public async Task Given_a_rollout_that_never_ends_when_the_deadline_passes_then_the_step_fails_with_the_deadline_and_the_run_is_resumable()
    {
        _ecs.Rollout = Rollout.NeverEnds;
        _ecs.After = call =>
        {
            if (call == "DescribeServices")
                _run.Clock.Advance(TimeSpan.FromSeconds(5));
        };

        var (_, result) = Assert.Single((await _run.StartAsync(Step(), await PlanToV2Async())).Steps);

        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.StartsWith("deadline of 30 s reached", result.Summary, StringComparison.Ordinal);
        Assert.Equal(new StepFailed(nameof(TimeoutException), 30), result.Evidence);
        Assert.Equal(1, _ecs.UpdateCount);
    }

    [Fact]
    public async Task Given_a_step_built_with_other_settings_than_the_plan_when_executed_then_it_acts_on_the_plans_service_only_and_reports_the_drift()
    {
        _ecs.WithService("staging", "api-v2", 4);
        var plan = await PlanToV2Async();
        var other = Step(new EcsSettings("staging", "api-v2", "claude-proxy-api", TimeSpan.FromSeconds(5)));

        var outcome = await _run.StartAsync(other, plan);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.DoesNotContain(_ecs.Calls, c => c.Contains("staging", StringComparison.Ordinal));
        Assert.Equal(V4, _ecs.Service("staging", "api-v2").TaskDefinition);
        Assert.Equal(V2, _ecs.Service("prod", "api").TaskDefinition);
        Assert.Equal(
            ["service.cluster is now staging; the plan names prod", "service.ecs_service is now api-v2; the plan names api"],
            other.DriftFrom(Assert.Single(plan.Steps)));
        Assert.Empty(Step().DriftFrom(Assert.Single(plan.Steps)));
        Assert.Empty(EcsStep.ForExecution(_ecs).DriftFrom(Assert.Single(plan.Steps)));
    }

    [Fact]
    public async Task Given_a_plan_stored_by_version_1_when_resumed_by_a_step_without_settings_then_it_rolls_back_the_service_the_parameters_name()
    {
        const string stored = """
            {"service":"claude-proxy-api","target":{"kind":"revision","label":"claude-proxy-api:2","reason":"pinned","releaseId":null,
             "taskDefinitionArn":"arn:aws:ecs:eu-west-1:123456789012:task-definition/claude-proxy-api:2","snapshot":{}},
             "createdAt":"2026-12-03T09:00:00+00:00","steps":[{"step":"ecs","stage":"Service","summary":"update api in prod to claude-proxy-api:2",
             "changes":["service prod/api: claude-proxy-api:4 → claude-proxy-api:2 (2 tasks)"],"nothingToDo":false,"expectedSeconds":60,"deadlineSeconds":30,
             "parameters":{"cluster":"prod","service":"api","taskDefinition":"arn:aws:ecs:eu-west-1:123456789012:task-definition/claude-proxy-api:2",
             "previousTaskDefinition":"arn:aws:ecs:eu-west-1:123456789012:task-definition/claude-proxy-api:4"}}],"expectedSeconds":60}
            """;
        var plan = EngineJson.DeserializePlan(stored);
        Assert.Equal(1, plan.SchemaVersion);
        var planned = EcsStep.Read(plan.Steps[0]);
        Assert.Equal(("prod", "api", V2, V4, false, true), (planned.Cluster, planned.Service, planned.TargetTaskDefinition, planned.PreviousTaskDefinition, planned.Restart, planned.Wait));
        Assert.Empty(planned.DeploymentsBefore);

        var outcome = await _run.StartAsync(EcsStep.ForExecution(_ecs, PollSchedule.Immediate), plan, stored);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal([$"UpdateService prod/api {V2} force"], _ecs.Calls.Where(c => c.StartsWith("Update", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Given_a_restart_whose_update_landed_but_was_never_journaled_when_resumed_then_it_waits_for_that_deployment_and_starts_no_second()
    {
        var plan = await _run.PlanAsync(Step(restart: true));
        Assert.Equal(["ecs-svc/0001"], EcsStep.Read(Assert.Single(plan.Steps)).DeploymentsBefore);
        _ecs.After = call =>
        {
            if (call == "UpdateService")
                _run.Kill();
        };

        await _run.StartAndDieAsync(Step(restart: true), plan);
        _ecs.After = null;
        var outcome = await _run.ResumeAsync(EcsStep.ForExecution(_ecs, PollSchedule.Immediate));

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(1, _ecs.UpdateCount);
        Assert.Equal("ecs-svc/0002", Assert.IsType<ServiceReverted>(Assert.Single(outcome.Steps).Result.Evidence).Deployment);
    }

    [Fact]
    public async Task Given_a_no_wait_plan_when_resumed_by_a_step_built_to_wait_then_it_returns_once_the_deployment_started_as_planned()
    {
        var plan = await _run.PlanAsync(Step(wait: false), LayerRun.Target(V2));

        var outcome = await _run.StartAsync(EcsStep.ForExecution(_ecs, PollSchedule.Immediate), plan);

        var evidence = Assert.IsType<ServiceReverted>(Assert.Single(outcome.Steps).Result.Evidence);
        Assert.False(evidence.Awaited);
        Assert.Equal("not awaited", evidence.RolloutState);
        Assert.Equal(RolloutState.InProgress, _ecs.Service("prod", "api").PrimaryDeployment!.RolloutState);
    }
}
