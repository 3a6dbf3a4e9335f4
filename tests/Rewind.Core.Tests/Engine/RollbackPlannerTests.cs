using Microsoft.Extensions.Time.Testing;
using Rewind.Core.Engine;
using Xunit;

namespace Rewind.Core.Tests.Engine;

/// <summary>The planner asks the chosen steps, all at once, and orders their plans by stage.</summary>
public sealed class RollbackPlannerTests
{
    private static readonly RollbackTarget Target = new("revision", "claude-proxy-api:3", "next lower ACTIVE revision", null, "claude-proxy-api:3");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
    private readonly EngineLog _log = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("", "", "canary,ecs,smoke,notify")]
    [InlineData("ecs,smoke", "", "ecs,smoke")]
    [InlineData("", "smoke,notify", "canary,ecs")]
    [InlineData("ecs,smoke", "smoke", "ecs")]
    [InlineData("cdn", "", "")]
    public async Task Given_only_and_skip_then_exactly_the_kept_steps_are_asked_and_planned(string only, string skip, string planned)
    {
        var planner = new RollbackPlanner(Steps(), _clock);

        var plan = await planner.PlanAsync("claude-proxy-api", Target, new StepSelection(Set(only), Set(skip)), Ct);

        Assert.Equal(Set(planned).Order(), plan.Steps.Select(s => s.Step).Order());
        Assert.Equal(Set(planned).Select(s => $"plan {s}").Order(), _log.Lines.Order());
    }

    [Fact]
    public async Task Given_steps_registered_out_of_stage_order_then_the_plan_lists_them_by_stage_with_the_target_and_the_time()
    {
        var planner = new RollbackPlanner(Steps(), _clock);

        var plan = await planner.PlanAsync("claude-proxy-api", Target, StepSelection.All, Ct);

        Assert.Equal(["canary", "ecs", "smoke", "notify"], plan.Steps.Select(s => s.Step));
        Assert.Equal(("claude-proxy-api", Target, _clock.GetUtcNow()), (plan.Service, plan.Target, plan.CreatedAt));
        Assert.Equal(RollbackPlan.CurrentSchemaVersion, plan.SchemaVersion);
    }

    [Fact]
    public async Task Given_two_steps_then_they_are_planned_in_parallel()
    {
        // Each step's planning waits until both have started: planned one after the other, neither would finish.
        var bothStarted = new CountdownEvent(2);
        Func<CancellationToken, Task> meet = async ct =>
        {
            bothStarted.Signal();
            await Task.Run(() => bothStarted.Wait(ct), ct);
        };
        var planner = new RollbackPlanner(
            [new FakeStep("ecs", StepStage.Service, _log) { BeforePlan = meet }, new FakeStep("smoke", StepStage.Verification, _log) { BeforePlan = meet }], _clock);

        var plan = await planner.PlanAsync("claude-proxy-api", Target, StepSelection.All, Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(2, plan.Steps.Count);
    }

    [Fact]
    public void Given_a_selection_then_skip_wins_over_only()
    {
        var selection = new StepSelection(Set("ecs"), Set("ecs"));

        Assert.False(selection.Includes("ecs"));
        Assert.True(StepSelection.All.Includes("anything"));
    }

    private IReadOnlyList<IStep> Steps() =>
        [new FakeStep("notify", StepStage.Announce, _log), new FakeStep("smoke", StepStage.Verification, _log),
         new FakeStep("canary", StepStage.Traffic, _log), new FakeStep("ecs", StepStage.Service, _log)];

    private static HashSet<string> Set(string names) => [.. names.Split(',', StringSplitOptions.RemoveEmptyEntries)];
}
