using Rewind.Core.Engine;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>A dry run (<c>rewind plan</c>, any command without --live) reads live state and changes nothing, counted at the emulator.</summary>
[Collection("rollout-emulator")]
public sealed class DryRunTests(RolloutEmulatorFixture emulator)
{
    [Theory]
    [InlineData(null)]
    [InlineData("2")]
    public async Task Given_the_bad_v4_deployed_when_the_rollback_is_only_planned_then_the_emulator_counts_reads_and_zero_mutating_calls(string? pinned)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await PlaybookHarness.SeedAsync(emulator, pinned is null ? "dry" : "drypinned", ct);
        IStep[] steps = [harness.CanaryStep(0), harness.EcsStep()];
        await harness.ResetCallsAsync(ct);

        var target = await harness.SelectAsync(pinned, ct);
        var plan = await harness.PlanAsync(target, steps, ct);

        Assert.Equal(["canary", "ecs"], plan.Steps.Select(s => s.Step));
        Assert.All(plan.Steps, s => Assert.False(s.NothingToDo));
        Assert.Equal(harness.World.TaskDefinitionArns[pinned is null ? 2 : 1], Rewind.Playbook.Ecs.EcsStep.Read(plan.Steps[1]).TargetTaskDefinition);
        var calls = await harness.CallsAsync(ct);
        Assert.Equal(0, calls.MutatingTotal);
        Assert.Empty(calls.Mutating);
        // The counter did see this plan: it read the service and the listener.
        Assert.True(calls.Count("ecs:DescribeServices") >= 2, calls.ToString());
        Assert.True(calls.Count("elasticloadbalancing:DescribeListeners") >= 1, calls.ToString());
        Assert.Empty(await harness.Ledger.Runs.ListRunsAsync(null, 10, ct));
    }
}
