using Rewind.Aws.Ecs;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Playbook.Canary;
using Rewind.Playbook.Ecs;
using Rewind.Playbook.Tests.Fakes;
using Rewind.Playbook.Tests.Layers;
using Xunit;

namespace Rewind.Playbook.Tests.Canary;

/// <summary>Never fight ECS for the listener: a rule ECS owns under BLUE_GREEN/LINEAR/CANARY is read, never modified.</summary>
public sealed class EcsOwnedRuleTests
{
    private static readonly AdvancedConfiguration Owned = FakeEcs.EcsOwned.AdvancedConfiguration!;
    private static readonly string Blue = FakeEcs.EcsOwned.TargetGroupArn!;
    private static readonly string Green = Owned.AlternateTargetGroupArn!;

    private readonly LayerRun _run = new();
    private readonly FakeEcs _ecs = new();
    private readonly FakeElb _elb = new();

    public EcsOwnedRuleTests()
    {
        _ecs.WithDeploymentInFlight("prod", "api", 2, 4, DeploymentStrategy.BlueGreen, ServiceDeploymentLifecycleStage.BakeTime);
        _elb.WithRule(Owned.ProductionListenerRule!, FakeElb.Forward(Blue, Green, 0, 100))
            .WithRule(FakeElb.RuleArn("own"), FakeElb.Forward(Blue, Green, 0, 100))
            .WithRule(FakeElb.RuleArn("unrelated"), FakeElb.Forward(FakeElb.TargetGroup("main"), FakeElb.TargetGroup("canary"), 90, 10));
    }

    private CanaryStep Step(string rule, string main, string canary, bool standalone = false) =>
        new(_elb, new CanarySettings(null, rule, main, canary), standalone ? 10 : 0,
            ct => new ServiceShapeReader(_ecs).ReadAsync("prod", "api", ct), standalone);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Given_the_services_production_rule_or_its_two_target_groups_when_planned_then_the_canary_step_changes_nothing_and_runs_after_the_ecs_step(bool productionRule)
    {
        var rule = productionRule ? Owned.ProductionListenerRule! : FakeElb.RuleArn("own");
        var step = Step(rule, Blue, Green);

        var plan = Assert.Single((await _run.PlanAsync(step)).Steps);

        Assert.Equal("ECS owns this rule (strategy BLUE_GREEN): traffic moves with the ECS rollback", plan.Summary);
        Assert.Equal((StepStage.Service, true), (plan.Stage, plan.NothingToDo));
        Assert.Equal("BLUE_GREEN", CanaryStep.Read(plan).EcsOwnedBy);
        Assert.Equal(["ecs"], step.Needs);
        Assert.Equal(["ecs"], CanaryStep.ForExecution(_elb, null, plan).Needs);
    }

    [Fact]
    public async Task Given_an_ecs_owned_rule_executed_without_the_ecs_steps_proof_when_run_then_it_fails_and_sends_no_modify()
    {
        var step = Step(Owned.ProductionListenerRule!, Blue, Green);

        var (_, result) = Assert.Single((await _run.StartAsync(step, await _run.PlanAsync(step))).Steps);

        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.StartsWith("ECS owns this rule (strategy BLUE_GREEN) and the ecs step reported no rollback", result.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain(_elb.Calls, c => c.StartsWith("Modify", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Given_rewind_canary_on_an_ecs_owned_rule_when_planned_then_it_is_refused_as_bad_input_with_the_explanation()
    {
        var refused = await Assert.ThrowsAsync<RewindException>(() => _run.PlanAsync(Step(Owned.ProductionListenerRule!, Blue, Green, standalone: true)));

        Assert.Equal(FailureKind.BadInput, refused.Kind);
        Assert.StartsWith("ECS owns this rule (strategy BLUE_GREEN): traffic moves with the ECS rollback", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_elb.Calls, c => c.StartsWith("Modify", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Given_a_rule_ecs_does_not_own_when_planned_then_the_canary_step_sets_its_weights_as_before()
    {
        var step = Step(FakeElb.RuleArn("unrelated"), FakeElb.TargetGroup("main"), FakeElb.TargetGroup("canary"));

        var plan = Assert.Single((await _run.PlanAsync(step)).Steps);

        Assert.Equal((StepStage.Traffic, (string?)null), (plan.Stage, CanaryStep.Read(plan).EcsOwnedBy));
        Assert.Empty(step.Needs);
    }
}
