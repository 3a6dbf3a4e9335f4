using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Canary;
using Rewind.Playbook.Tests.Fakes;
using Rewind.Playbook.Tests.Layers;
using Xunit;

namespace Rewind.Playbook.Tests.Canary;

/// <summary>The canary step below the emulator: plan, execute, resume, weights not read back, and the plan over the settings.</summary>
public sealed class CanaryStepTests
{
    private static readonly string Listener = FakeElb.ListenerArn("main");
    private static readonly string OtherListener = FakeElb.ListenerArn("other");
    private static readonly string Rule = FakeElb.RuleArn("canary");
    private static readonly string Main = FakeElb.TargetGroup("main");
    private static readonly string Canary = FakeElb.TargetGroup("canary");
    private static readonly string OtherMain = FakeElb.TargetGroup("other-main");
    private static readonly string OtherCanary = FakeElb.TargetGroup("other-canary");
    private static readonly CanarySettings Configured = new(Listener, null, Main, Canary);

    private readonly LayerRun _run = new();
    private readonly FakeElb _elb = new FakeElb()
        .WithListener(Listener, FakeElb.Forward(Main, Canary, 90, 10))
        .WithListener(OtherListener, FakeElb.Forward(OtherMain, OtherCanary, 50, 50))
        .WithRule(Rule, FakeElb.Forward(Main, Canary, 90, 10));

    private CanaryStep Step(CanarySettings? settings = null, int percent = 0) => new(_elb, settings ?? Configured, percent);

    [Fact]
    public async Task Given_weights_90_10_when_planned_then_the_plan_names_the_listener_both_target_groups_and_the_weights()
    {
        var plan = Assert.Single((await _run.PlanAsync(Step())).Steps);

        Assert.False(plan.NothingToDo);
        Assert.Equal(new CanaryPlan("listener", Listener, Main, Canary, new Weights(100, 0), new Weights(90, 10)), CanaryStep.Read(plan));
        Assert.Equal([$"listener {Listener}: main 90 / canary 10 → main 100 / canary 0"], plan.Changes);
        Assert.Equal([$"DescribeListeners {Listener}"], _elb.Calls);
    }

    [Fact]
    public async Task Given_the_weights_already_wanted_when_planned_and_executed_then_there_is_nothing_to_do_and_no_modify_is_sent()
    {
        var plan = await _run.PlanAsync(Step(percent: 10));

        Assert.True(Assert.Single(plan.Steps).NothingToDo);
        var outcome = await _run.StartAsync(Step(percent: 10), plan);
        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(0, _elb.ModifyCount);
    }

    [Fact]
    public async Task Given_a_plan_to_100_0_when_executed_then_one_modify_sets_the_weights_keeping_stickiness_and_the_evidence_is_read_back()
    {
        var outcome = await _run.StartAsync(Step(), await _run.PlanAsync(Step()));

        var (_, result) = Assert.Single(outcome.Steps);
        Assert.Equal(StepStatus.Succeeded, result.Status);
        Assert.Equal("weights read back main 100 / canary 0", result.Summary);
        Assert.Equal(new TrafficShifted("listener", Listener, new Weights(100, 0), new Weights(90, 10), new Weights(100, 0)), result.Evidence);
        Assert.Equal([$"DescribeListeners {Listener}", $"DescribeListeners {Listener}", $"ModifyListener {Listener} 100/0", $"DescribeListeners {Listener}"], _elb.Calls);
        Assert.Equal(new Rewind.Aws.Elb.TargetGroupStickiness(true, 300), Assert.Single(_elb.ActionsOf(Listener)).ForwardConfig!.TargetGroupStickinessConfig);
        Assert.Equal(["canary Planned", "canary Started", "canary CallSent ModifyListener", "canary CallSucceeded ModifyListener", "canary Completed"], await _run.JournalAsync());
    }

    [Fact]
    public async Task Given_a_rule_split_when_executed_then_the_rule_is_modified_and_not_the_listener()
    {
        var rule = new CanarySettings(null, Rule, Main, Canary);

        var outcome = await _run.StartAsync(Step(rule), await _run.PlanAsync(Step(rule)));

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal([$"ModifyRule {Rule} 100/0"], _elb.Calls.Where(c => c.StartsWith("Modify", StringComparison.Ordinal)));
        Assert.Equal("90/10", FakeElb.Weights(_elb.ActionsOf(Listener)));
    }

    [Theory]
    [InlineData("DescribeListeners", 1)]
    [InlineData("ModifyListener", 1)]
    [InlineData("DescribeListeners", 2)]
    public async Task Given_a_run_killed_at_a_journaled_point_when_resumed_from_its_stored_plan_alone_then_the_weights_are_set_once_and_read_back(string call, int occurrence)
    {
        var plan = await _run.PlanAsync(Step());
        var seen = 0;
        _elb.After = c =>
        {
            if (c == call && ++seen == occurrence)
                _run.Kill();
        };

        await _run.StartAndDieAsync(Step(), plan);
        _elb.After = null;
        var outcome = await _run.ResumeAsync(CanaryStep.ForExecution(_elb));

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(1, _elb.ModifyCount);
        Assert.Equal("100/0", FakeElb.Weights(_elb.ActionsOf(Listener)));
    }

    [Fact]
    public async Task Given_a_listener_that_does_not_take_the_weights_when_executed_then_the_step_fails_with_what_was_read_back()
    {
        _elb.IgnoreModify = true;

        var (_, result) = Assert.Single((await _run.StartAsync(Step(), await _run.PlanAsync(Step()))).Steps);

        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Equal("weights read back main 90 / canary 10, not 100/0", result.Summary);
        Assert.Equal(new Weights(90, 10), Assert.IsType<TrafficShifted>(result.Evidence).ReadBack);
    }

    [Fact]
    public async Task Given_a_step_built_with_another_listener_and_target_groups_when_executed_then_it_writes_the_plans_listener_only_and_reports_the_drift()
    {
        var plan = await _run.PlanAsync(Step());
        var other = Step(new CanarySettings(OtherListener, null, OtherMain, OtherCanary));

        var outcome = await _run.StartAsync(other, plan);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal("100/0", FakeElb.Weights(_elb.ActionsOf(Listener)));
        Assert.Equal("50/50", FakeElb.Weights(_elb.ActionsOf(OtherListener)));
        Assert.DoesNotContain(_elb.Calls, c => c.Contains(OtherListener, StringComparison.Ordinal));
        Assert.Equal(
            [
                $"canary.listener_arn is now {OtherListener}; the plan names the listener {Listener}",
                $"canary.main_target_group is now {OtherMain}; the plan names {Main}",
                $"canary.canary_target_group is now {OtherCanary}; the plan names {Canary}",
            ],
            other.DriftFrom(Assert.Single(plan.Steps)));
        Assert.Empty(CanaryStep.ForExecution(_elb).DriftFrom(Assert.Single(plan.Steps)));
    }

    private static StepPlan Version1Plan() => Assert.Single(EngineJson.DeserializePlan($$$"""
        {"service":"claude-proxy-api","target":null,"createdAt":"2026-12-03T09:00:00+00:00","steps":[{"step":"canary","stage":"Traffic",
         "summary":"set the listener's weights to main 100 / canary 0","changes":["listener {{{Listener}}}: main 90 / canary 10 → main 100 / canary 0"],
         "nothingToDo":false,"expectedSeconds":1,"deadlineSeconds":60,
         "parameters":{"arn":"{{{Listener}}}","kind":"listener","main":"100","canary":"0","previous":"90/10"}}],"expectedSeconds":1}
        """).Steps);

    [Fact]
    public async Task Given_a_plan_stored_by_version_1_when_executed_with_the_configured_split_of_the_same_listener_then_it_takes_the_target_groups_from_it()
    {
        var plan = Version1Plan();
        Assert.Equal(new CanaryPlan("listener", Listener, null, null, new Weights(100, 0), new Weights(90, 10)), CanaryStep.Read(plan));

        var outcome = await _run.StartAsync(CanaryStep.ForExecution(_elb, Configured), new RollbackPlan(LayerRun.Service, null, _run.Clock.GetUtcNow(), [plan]));

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal("100/0", FakeElb.Weights(_elb.ActionsOf(Listener)));
    }

    [Fact]
    public async Task Given_a_plan_stored_by_version_1_when_the_configuration_names_another_listener_then_the_step_fails_changing_nothing()
    {
        var outcome = await _run.StartAsync(
            CanaryStep.ForExecution(_elb, new CanarySettings(OtherListener, null, OtherMain, OtherCanary)),
            new RollbackPlan(LayerRun.Service, null, _run.Clock.GetUtcNow(), [Version1Plan()]));

        var (_, result) = Assert.Single(outcome.Steps);
        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.StartsWith($"the stored canary plan (made before plans recorded target groups) names the listener {Listener}", result.Summary, StringComparison.Ordinal);
        Assert.Equal(new StepFailed(nameof(RewindException), null, Core.FailureKind.BadInput), result.Evidence);
        Assert.Equal(0, _elb.ModifyCount);
    }
}
