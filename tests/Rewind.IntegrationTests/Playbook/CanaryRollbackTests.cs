using Rewind.Aws.Elb;
using Rewind.Cli.Demo;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Clients.Elb;
using Rewind.Playbook.Canary;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>Playbook Option 2 on its own: the canary weights moved to any N and read back, every other field kept.</summary>
[Collection("rollout-emulator")]
public sealed class CanaryRollbackTests(RolloutEmulatorFixture emulator)
{
    [Fact]
    public async Task Given_the_listener_at_90_10_when_the_canary_goes_to_0_then_to_25_then_each_reads_back_with_stickiness_and_order_kept()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await PlaybookHarness.SeedAsync(emulator, "canary", ct);
        var main = harness.World.MainTargetGroupArn;
        var canary = harness.World.CanaryTargetGroupArn;
        var seeded = Assert.Single((await harness.ListenerAsync(ct)).DefaultActions);

        foreach (var percent in new[] { 0, 25 })
        {
            var (plan, outcome) = await harness.RunAsync(null, [harness.CanaryStep(percent)], ct);

            var step = Assert.Single(plan.Steps);
            Assert.False(step.NothingToDo);
            Assert.Equal(RunStatus.Succeeded, outcome.Status);
            var result = Assert.Single(outcome.Steps).Result;
            Assert.Equal(new Rewind.Core.Evidence.Weights(100 - percent, percent), Assert.IsType<Rewind.Core.Evidence.TrafficShifted>(result.Evidence).ReadBack);
            var action = Assert.Single((await harness.ListenerAsync(ct)).DefaultActions);
            Assert.Equal([new WeightedTargetGroup(main, 100 - percent), new WeightedTargetGroup(canary, percent)], action.ForwardConfig!.TargetGroups);
            // Everything but the two weights is as seeded: type, order, stickiness and its duration.
            Assert.Equivalent(seeded.WithWeights(Weights(main, 100 - percent, canary, percent)), action, strict: true);
            Assert.Equal(new TargetGroupStickiness(true, DemoWorld.StickinessSeconds), action.ForwardConfig.TargetGroupStickinessConfig);
        }

        var calls = await harness.CallsAsync(ct);
        Assert.Equal(2, calls.Count("elasticloadbalancing:ModifyListener"));
        Assert.Equal(2, calls.MutatingTotal);
    }

    [Fact]
    public async Task Given_weights_already_at_100_0_when_the_canary_goes_to_0_then_the_plan_has_nothing_to_do_and_no_call_is_made()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await PlaybookHarness.SeedAsync(emulator, "canaryzero", ct);
        await harness.RunAsync(null, [harness.CanaryStep(0)], ct);
        await harness.ResetCallsAsync(ct);

        var (plan, outcome) = await harness.RunAsync(null, [harness.CanaryStep(0)], ct);

        Assert.True(Assert.Single(plan.Steps).NothingToDo);
        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(0, (await harness.CallsAsync(ct)).MutatingTotal);
    }

    [Fact]
    public async Task Given_a_rule_forwarding_to_three_groups_when_the_canary_goes_to_0_then_only_main_and_canary_change_and_the_listener_is_untouched()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await PlaybookHarness.SeedAsync(emulator, "rule", ct);
        var world = harness.World;
        var seed = new ElbSeed(harness.Transport);
        var shadow = await seed.CreateTargetGroupAsync($"{harness.Names.Prefix}-claude-proxy-shadow", world.VpcId, "ip", ct);
        var rule = await seed.CreateRuleAsync(world.ListenerArn, 10, "v2",
        [
            new("Actions.member.1.Type", "forward"),
            new("Actions.member.1.Order", "1"),
            new("Actions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn", world.MainTargetGroupArn),
            new("Actions.member.1.ForwardConfig.TargetGroups.member.1.Weight", "50"),
            new("Actions.member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn", world.CanaryTargetGroupArn),
            new("Actions.member.1.ForwardConfig.TargetGroups.member.2.Weight", "50"),
            new("Actions.member.1.ForwardConfig.TargetGroups.member.3.TargetGroupArn", shadow),
            new("Actions.member.1.ForwardConfig.TargetGroups.member.3.Weight", "5"),
            new("Actions.member.1.ForwardConfig.TargetGroupStickinessConfig.Enabled", "true"),
            new("Actions.member.1.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds", "120"),
        ], ct);
        var listenerBefore = await harness.ListenerAsync(ct);
        var ruleBefore = Assert.Single((await harness.Elb.DescribeRulesAsync([rule], ct)).Single().Actions);
        var settings = new CanarySettings(null, rule, world.MainTargetGroupArn, world.CanaryTargetGroupArn);

        var (plan, outcome) = await harness.RunAsync(null, [harness.CanaryStep(0, settings)], ct);

        Assert.Contains("main 50 / canary 50 → main 100 / canary 0", Assert.Single(Assert.Single(plan.Steps).Changes), StringComparison.Ordinal);
        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var ruleAfter = Assert.Single((await harness.Elb.DescribeRulesAsync([rule], ct)).Single().Actions);
        Assert.Equal(
            [new WeightedTargetGroup(world.MainTargetGroupArn, 100), new WeightedTargetGroup(world.CanaryTargetGroupArn, 0), new WeightedTargetGroup(shadow, 5)],
            ruleAfter.ForwardConfig!.TargetGroups);
        Assert.Equivalent(ruleBefore.WithWeights(Weights(world.MainTargetGroupArn, 100, world.CanaryTargetGroupArn, 0)), ruleAfter, strict: true);
        Assert.Equal(new TargetGroupStickiness(true, 120), ruleAfter.ForwardConfig.TargetGroupStickinessConfig);
        Assert.Equivalent(listenerBefore, await harness.ListenerAsync(ct), strict: true);
        var conditions = (await seed.DescribeRuleXmlAsync(rule, ct)).Descendants().Where(e => e.Name.LocalName == "PathPatternConfig");
        Assert.Equal("/v2/*", Assert.Single(conditions).Descendants().First(e => e.Name.LocalName == "member").Value);
        var calls = await harness.CallsAsync(ct);
        Assert.Equal(1, calls.Count("elasticloadbalancing:ModifyRule"));
        Assert.Equal(0, calls.Count("elasticloadbalancing:ModifyListener"));
    }

    private static Dictionary<string, int> Weights(string main, int mainWeight, string canary, int canaryWeight) =>
        new() { [main] = mainWeight, [canary] = canaryWeight };
}
