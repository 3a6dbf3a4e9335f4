using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Rewind.Core.Engine;
using Xunit;

namespace Rewind.Core.Tests.Engine;

/// <summary>
/// A step's plan read back (typed detail, version-1 parameters, or a clear error), the plan's expected duration, the
/// rollback target a step requires, owners that merely look formatted, and the delays a wait really asks the clock for.
/// </summary>
public sealed class PlanReadingTests
{
    private static readonly RollbackTarget Target = new("revision", "claude-proxy-api:3", "next lower ACTIVE revision", null, "claude-proxy-api:3");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Given_a_typed_detail_then_it_reads_as_its_record_and_of_another_shape_it_is_a_clear_error()
    {
        var plan = StepPlan.Of("ecs", StepStage.Service, "ecs", [], false, 1, 60, Target, EngineJson.Default.RollbackTarget);
        var wrong = plan with { Detail = new JsonObject { ["kind"] = 5 } };

        var read = plan.Read(EngineJson.Default.RollbackTarget);
        Assert.Equal((Target.Kind, Target.Label, Target.Reason, Target.TaskDefinitionArn), (read.Kind, read.Label, read.Reason, read.TaskDefinitionArn));
        var unreadable = Assert.Throws<InvalidOperationException>(() => wrong.Read(EngineJson.Default.RollbackTarget));
        Assert.StartsWith("the stored plan of step ecs cannot be read (", unreadable.Message, StringComparison.Ordinal);
        Assert.IsType<System.Text.Json.JsonException>(unreadable.InnerException);
        Assert.Equal("type", Assert.Throws<ArgumentNullException>(() => plan.Read<RollbackTarget>(null!)).ParamName);
    }

    [Fact]
    public void Given_a_typed_plan_that_is_no_json_object_then_making_it_is_refused()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => StepPlan.Of("ecs", StepStage.Service, "ecs", [], false, 1, 60, StepStage.Service, EngineJson.Default.StepStage));

        Assert.Equal("the plan of step ecs is not a JSON object", refused.Message);
    }

    [Fact]
    public void Given_a_version_1_plan_then_its_parameters_read_through_the_converter_and_without_one_it_is_a_clear_error()
    {
        var plan = new StepPlan("ecs", StepStage.Service, "ecs", [], false, 1, 60, new Dictionary<string, string> { ["taskDefinition"] = "claude-proxy-api:3" });

        Assert.Equal("claude-proxy-api:3", plan.Read(EngineJson.Default.RollbackTarget, p => Target with { TaskDefinitionArn = p["taskDefinition"] }).TaskDefinitionArn);
        Assert.Equal("the stored plan of step ecs has no RollbackTarget", Assert.Throws<InvalidOperationException>(() => plan.Read(EngineJson.Default.RollbackTarget)).Message);
        Assert.Equal("claude-proxy-api:3", plan.Parameter("taskDefinition"));
        Assert.Equal("plan of step ecs has no parameter cluster", Assert.Throws<InvalidOperationException>(() => plan.Parameter("cluster")).Message);
    }

    [Fact]
    public void Given_a_typed_plan_then_it_has_no_version_1_parameters()
    {
        var plan = FakeStep.PlanOf("ecs", StepStage.Service);

        Assert.Equal("the stored plan of step ecs has no RollbackTarget",
            Assert.Throws<InvalidOperationException>(() => (plan with { Detail = null }).Read(EngineJson.Default.RollbackTarget, _ => Target)).Message);
        Assert.Equal("plan of step ecs has no parameter taskDefinition", Assert.Throws<InvalidOperationException>(() => plan.Parameter("taskDefinition")).Message);
    }

    [Fact]
    public void Given_stages_of_parallel_steps_then_the_expected_duration_is_the_sum_of_each_stages_longest_step()
    {
        var plan = new RollbackPlan("claude-proxy-api", null, DateTimeOffset.UnixEpoch,
        [
            Planned("canary", StepStage.Traffic, 5), Planned("secrets", StepStage.Traffic, 10), Planned("ecs", StepStage.Service, 3),
        ]);

        Assert.Equal(13, plan.ExpectedSeconds);
    }

    [Fact]
    public void Given_a_planning_context_without_a_target_then_a_step_that_requires_one_is_told_so()
    {
        Assert.Same(Target, new PlanningContext("claude-proxy-api", Target).RequiredTarget);
        Assert.Equal("this step needs a rollback target",
            Assert.Throws<InvalidOperationException>(() => new PlanningContext("claude-proxy-api", null).RequiredTarget).Message);
    }

    [Theory]
    [InlineData("alice (admin)", null, "alice (admin)")]
    [InlineData(" (pid 5)", 5, "")]
    [InlineData("host-12)", null, "host-12)")]
    public void Given_owners_at_the_edges_of_the_format_then_user_and_process_read_as_written(string owner, int? pid, string user)
    {
        var holder = new Operator(owner, "laptop-1");

        Assert.Equal((pid, user), (holder.ProcessId, holder.User));
    }

    [Fact]
    public async Task Given_a_wait_of_several_polls_then_each_delay_asked_of_the_clock_grows_from_the_first()
    {
        var clock = new RecordingClock();
        var reads = 0;

        var polling = Polling.UntilAsync(_ => Task.FromResult(++reads), n => n == 4, PollSchedule.Default, clock, Ct);
        for (var timer = 1; timer <= 3; timer++)
        {
            await clock.TimerCreated.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(4, await polling.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal([200, 300, 450], clock.Delays.Select(d => d.TotalMilliseconds));
    }

    private static StepPlan Planned(string step, StepStage stage, double expectedSeconds) =>
        FakeStep.PlanOf(step, stage) with { ExpectedSeconds = expectedSeconds };

    /// <summary>A fake clock that records every timer's due time and signals each one created.</summary>
    private sealed class RecordingClock : FakeTimeProvider
    {
        public List<TimeSpan> Delays { get; } = [];
        public SemaphoreSlim TimerCreated { get; } = new(0);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (Delays)
                Delays.Add(dueTime);
            var timer = base.CreateTimer(callback, state, dueTime, period);
            TimerCreated.Release();
            return timer;
        }
    }
}
