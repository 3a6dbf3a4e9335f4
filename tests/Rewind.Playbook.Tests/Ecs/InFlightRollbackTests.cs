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

/// <summary>
/// ECS's own rollback of the deployment in flight: StopServiceDeployment or ContinueServiceDeployment ROLLBACK sent
/// exactly once (after a crash at each journaled point, after a lost answer), waited for until ROLLBACK_SUCCESSFUL,
/// and ROLLBACK_FAILED or a failed hook reported as failures.
/// </summary>
public sealed class InFlightRollbackTests
{
    private static readonly EcsSettings Prod = new("prod", "api", "claude-proxy-api", TimeSpan.FromSeconds(30));
    private static readonly string V2 = FakeEcs.TaskDefinition(2);

    private readonly LayerRun _run = new();
    private readonly FakeEcs _ecs = new();

    private EcsStep Step() => new(_ecs, Prod, PollSchedule.Immediate);

    private Task<RollbackPlan> PlanAsync() => _run.PlanAsync(Step(), LayerRun.Target(V2));

    private string InBake() => _ecs.WithDeploymentInFlight("prod", "api", 2, 4, DeploymentStrategy.BlueGreen, ServiceDeploymentLifecycleStage.BakeTime);

    private string Paused() => _ecs.WithDeploymentInFlight("prod", "api", 2, 4, DeploymentStrategy.Canary, ServiceDeploymentLifecycleStage.PostTestTrafficShift, pausedHook: "hook-7");

    [Fact]
    public async Task Given_a_blue_green_deployment_in_bake_when_rolled_back_then_one_stop_is_sent_no_update_and_the_evidence_is_rollback_successful_with_traffic_on_the_target()
    {
        var arn = InBake();

        var (_, result) = Assert.Single((await _run.StartAsync(Step(), await PlanAsync())).Steps);

        Assert.Equal(StepStatus.Succeeded, result.Status);
        Assert.Equal(1, _ecs.CallCount("StopServiceDeployment"));
        Assert.Contains("StopServiceDeployment sd-4 ROLLBACK", _ecs.Calls);
        Assert.Equal(0, _ecs.UpdateCount);
        var evidence = Assert.IsType<ServiceReverted>(result.Evidence);
        Assert.Equal(("StopServiceDeployment", arn, "ROLLBACK_SUCCESSFUL", 100d, V2), (evidence.Path, evidence.ServiceDeployment, evidence.ServiceDeploymentStatus, evidence.TargetProductionWeight, evidence.TaskDefinition));
        Assert.Equal(
            ["ecs Planned", "ecs Started", "ecs CallSent StopServiceDeployment", "ecs CallSucceeded StopServiceDeployment", "ecs Completed"],
            await _run.JournalAsync());
    }

    [Fact]
    public async Task Given_a_paused_hook_when_rolled_back_then_one_continue_rollback_answers_it_with_its_hook_id()
    {
        Paused();

        var (_, result) = Assert.Single((await _run.StartAsync(Step(), await PlanAsync())).Steps);

        Assert.Equal(StepStatus.Succeeded, result.Status);
        Assert.Equal(["ContinueServiceDeployment sd-4 hook-7 ROLLBACK"], _ecs.Calls.Where(c => c.StartsWith("ContinueServiceDeployment", StringComparison.Ordinal)));
        Assert.Equal(0, _ecs.CallCount("StopServiceDeployment"));
        Assert.Equal("ContinueServiceDeployment", Assert.IsType<ServiceReverted>(result.Evidence).Path);
    }

    /// <summary>Where the first attempt dies: on the read before the call, after the call took effect (answer not journaled), on the read after its answer was journaled.</summary>
    public static TheoryData<bool, string, int> KillPoints => new()
    {
        { false, "DescribeServiceDeployments", 1 },
        { false, "StopServiceDeployment", 1 },
        { false, "DescribeServiceDeployments", 2 },
        { true, "DescribeServiceDeployments", 1 },
        { true, "ContinueServiceDeployment", 1 },
        { true, "DescribeServiceDeployments", 2 },
    };

    [Theory]
    [MemberData(nameof(KillPoints))]
    public async Task Given_a_run_killed_at_a_journaled_point_when_resumed_then_the_rollback_call_is_sent_exactly_once_and_ends_rollback_successful(bool paused, string call, int occurrence)
    {
        var arn = paused ? Paused() : InBake();
        var plan = await PlanAsync();
        var seen = 0;
        _ecs.After = c =>
        {
            if (c == call && ++seen == occurrence)
                _run.Kill();
        };

        await _run.StartAndDieAsync(Step(), plan);
        _ecs.After = null;
        var outcome = await _run.ResumeAsync(EcsStep.ForExecution(_ecs, PollSchedule.Immediate));

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(1, _ecs.CallCount(paused ? "ContinueServiceDeployment" : "StopServiceDeployment"));
        Assert.Equal(ServiceDeploymentStatus.RollbackSuccessful, _ecs.ServiceDeploymentOf(arn).Status);
        Assert.Equal(V2, _ecs.Service("prod", "api").TaskDefinition);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Given_the_rollback_call_applied_but_its_answer_lost_when_executed_then_the_step_reads_the_deployment_and_never_sends_a_second(bool paused)
    {
        var call = paused ? "ContinueServiceDeployment" : "StopServiceDeployment";
        if (paused)
            Paused();
        else
            InBake();
        var plan = await PlanAsync();
        _ecs.After = c =>
        {
            if (c == call)
                throw new AwsAnswerLostException(AwsService.Ecs, call, "connection reset after the request was sent");
        };

        var outcome = await _run.StartAsync(Step(), plan);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(1, _ecs.CallCount(call));
        Assert.Contains($"{call} of attempt 1 landed: sd-4 is ROLLBACK_IN_PROGRESS", _run.Progress);
    }

    [Fact]
    public async Task Given_a_rollback_that_ends_rollback_failed_when_executed_then_the_step_fails_with_ecs_reason_and_the_checklist_would_not_tick()
    {
        InBake();
        _ecs.RollbackEnds = ServiceDeploymentStatus.RollbackFailed;

        var (_, result) = Assert.Single((await _run.StartAsync(Step(), await PlanAsync())).Steps);

        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Equal("ECS's rollback of sd-4 is ROLLBACK_FAILED: tasks of the source revision failed to start", result.Summary);
        Assert.Equal("ROLLBACK_FAILED", Assert.IsType<ServiceReverted>(result.Evidence).ServiceDeploymentStatus);
    }

    [Fact]
    public async Task Given_a_hook_that_fails_when_answered_then_the_step_fails_naming_the_hook()
    {
        Paused();
        _ecs.HookAnswer = LifecycleHookStatus.Failed;

        var (_, result) = Assert.Single((await _run.StartAsync(Step(), await PlanAsync())).Steps);

        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.StartsWith("PAUSE hook hook-7 of sd-4 is FAILED", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_an_update_service_under_blue_green_when_waited_until_traffic_then_the_step_ends_when_production_traffic_is_on_the_target()
    {
        _ecs.WithService("prod", "api", 4).Reshape("prod", "api", s => s with
        {
            DeploymentConfiguration = new DeploymentConfiguration { Strategy = DeploymentStrategy.BlueGreen, BakeTimeInMinutes = 10 },
            LoadBalancers = [FakeEcs.EcsOwned],
        });
        _ecs.ServiceDeploymentsSupported = true;

        var (_, result) = Assert.Single((await _run.StartAsync(Step(), await PlanAsync())).Steps);

        Assert.Equal(StepStatus.Succeeded, result.Status);
        var evidence = Assert.IsType<ServiceReverted>(result.Evidence);
        Assert.Equal(("UpdateService", "traffic", 100d), (evidence.Path, evidence.StageReached, evidence.TargetProductionWeight));
        Assert.Equal(1, _ecs.UpdateCount);
    }
}
