using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Core.Tests.Engine;

/// <summary>
/// The executor's edges the other executor tests do not reach: takeovers journaled, the lock lost at each point the run
/// writes (before a step, at its end, at the run's end, while a parallel step waits, to a renewal under another
/// generation), the hooks' order, what the observer and the Planned entries see, needs across stages and diamonds.
/// </summary>
public sealed class RunExecutorEdgeTests
{
    private const string Service = "claude-proxy-api";
    private static readonly Operator Alice = new("alice (pid 100)", "laptop-1");
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(2);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
    private readonly EngineLog _log = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_the_service_locked_by_another_operator_then_the_refusal_names_the_holder_since_until_and_the_way_out()
    {
        var ledger = new InMemoryLedger(_clock);
        await ledger.TryAcquireAsync(Service, "bob (pid 200)", "laptop-2", Ttl, Ct);
        IStep[] steps = [Step("ecs", StepStage.Service)];

        var locked = await Assert.ThrowsAsync<ServiceLockedException>(() => Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct));

        Assert.Equal("claude-proxy-api is locked by bob (pid 200) on laptop-2 since 2026-12-03 09:00:00Z (until 09:02:00Z)", locked.Message);
        Assert.Equal(("wait for that run to finish, or take the lock over with --takeover", FailureKind.Blocked, (string?)null), (locked.Hint, locked.Kind, locked.AwsCode));
    }

    [Fact]
    public async Task Given_a_takeover_allowed_when_a_run_starts_on_a_held_service_then_the_takeover_is_journaled_first_with_both_holders()
    {
        var ledger = new InMemoryLedger(_clock);
        var bob = (await ledger.TryAcquireAsync(Service, "bob (pid 200)", "laptop-2", Ttl, Ct)).Lease;
        IStep[] steps = [Step("ecs", StepStage.Service)];
        Lease? asked = null;
        var executor = new RunExecutor(ledger, steps, new QuietObserver(), _clock) { LeaseTtl = Ttl, TakeOverWhen = l => (asked = l) is not null };

        var outcome = await executor.StartAsync(Plan(steps), "{}", Alice, Ct);

        Assert.Equal((RunStatus.Succeeded, "bob (pid 200)"), (outcome.Status, asked?.Owner));
        var journal = await ledger.ReadJournalAsync(outcome.RunId, Ct);
        Assert.Equal(("lock", JournalKind.CallSucceeded), (journal[0].Step, journal[0].Kind));
        Assert.True(JsonNode.DeepEquals(
            new JsonObject
            {
                ["call"] = "TakeOverLock",
                ["previousOwner"] = "bob (pid 200)",
                ["previousHost"] = "laptop-2",
                ["previousSince"] = "2026-12-03T09:00:00.0000000+00:00",
                ["previousGeneration"] = bob.Generation,
                ["generation"] = bob.Generation + 1,
            },
            JsonNode.Parse(journal[0].Detail)), journal[0].Detail);
    }

    [Fact]
    public async Task Given_a_failed_run_held_by_a_dead_process_when_it_is_resumed_with_a_takeover_then_the_takeover_is_journaled_and_the_run_is_running_again()
    {
        var ledger = new InMemoryLedger(_clock);
        var fail = true;
        RunStatus? seen = null;
        string? runId = null;
        IStep[] steps = [Step("ecs", StepStage.Service, async (_, context, _) =>
        {
            seen = (await ledger.GetRunAsync(context.RunId, Ct))?.Status;
            runId = context.RunId;
            return fail ? StepResult.Failed("not yet", new StepFailed("Test", null)) : StepResult.Succeeded("done", FakeStep.Proof);
        })];
        var plan = Plan(steps);
        var first = await Executor(ledger, steps).StartAsync(plan, "{}", Alice, Ct);
        await ledger.TryAcquireAsync(Service, "bob (pid 200)", "laptop-2", Ttl, Ct);
        fail = false;
        var executor = new RunExecutor(ledger, steps, new QuietObserver(), _clock) { LeaseTtl = Ttl, TakeOverWhen = _ => true };

        var outcome = await executor.ResumeAsync((await ledger.GetRunAsync(first.RunId, Ct))!, plan, Alice, Ct);

        Assert.Equal((RunStatus.Failed, RunStatus.Succeeded, RunStatus.Running), (first.Status, outcome.Status, seen));
        var journal = await ledger.ReadJournalAsync(runId!, Ct);
        var takeover = Assert.Single(journal, e => e.Step == "lock");
        Assert.Equal("bob (pid 200)", JsonNode.Parse(takeover.Detail)!["previousOwner"]!.GetValue<string>());
        Assert.True(takeover.Seq < journal.Single(e => e.Step == "ecs" && e.Kind == JournalKind.Completed).Seq);
    }

    [Fact]
    public async Task Given_a_run_started_hook_still_sending_when_the_steps_end_then_the_run_ends_only_after_it()
    {
        var ledger = new InMemoryLedger(_clock);
        var hooks = new SlowStartHooks();
        IStep[] steps = [Step("ecs", StepStage.Service)];
        var executor = new RunExecutor(ledger, steps, new QuietObserver(), _clock) { Hooks = hooks };

        var running = executor.StartAsync(Plan(steps), "{}", Alice, Ct);
        await hooks.StepFinished.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await Task.WhenAny(running, Task.Delay(200, Ct));
        Assert.False(running.IsCompleted);
        hooks.Gate.SetResult();
        await running.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(["started done", "ended"], hooks.Calls);
    }

    [Fact]
    public async Task Given_the_lock_lost_while_the_run_ended_hook_ran_then_the_run_stops_before_ending_and_stays_running()
    {
        var ledger = new InMemoryLedger(_clock);
        IStep[] steps = [Step("ecs", StepStage.Service)];
        var executor = new RunExecutor(ledger, steps, new QuietObserver(), _clock) { Hooks = new TakeOverWhenEnding(ledger) };

        var stopped = await Assert.ThrowsAsync<RunStoppedByTakeoverException>(() => executor.StartAsync(Plan(steps), "{}", Alice, Ct));

        Assert.EndsWith("; this run stopped before ending the run; see 'rewind status'", stopped.Message, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Running, Assert.Single(await ledger.ListRunsAsync(Service, 10, Ct)).Status);
    }

    [Fact]
    public async Task Given_the_lock_taken_between_two_stages_then_the_run_stops_before_the_next_steps_start()
    {
        var ledger = new InMemoryLedger(_clock);
        IStep[] steps = [Step("canary", StepStage.Traffic), Step("ecs", StepStage.Service)];
        var executor = new RunExecutor(ledger, steps, new QuietObserver(), _clock) { Hooks = new TakeOverAfterStep(ledger, "canary") };

        var stopped = await Assert.ThrowsAsync<RunStoppedByTakeoverException>(() => executor.StartAsync(Plan(steps), "{}", Alice, Ct));

        Assert.Equal(
            "the lock on claude-proxy-api was taken over by bob (pid 200) on laptop-2 at 2026-12-03 09:00:00Z; this run stopped before step ecs; see 'rewind status'",
            stopped.Message);
        Assert.Equal(("bob (pid 200)", FailureKind.Blocked, "", (string?)null), (stopped.Holder?.Owner, stopped.Kind, stopped.Hint, stopped.AwsCode));
        Assert.Equal(["start canary", "end canary"], _log.Lines);
    }

    [Fact]
    public async Task Given_the_lock_taken_while_a_step_ran_then_the_run_stops_before_journaling_its_end()
    {
        var ledger = new InMemoryLedger(_clock);
        IStep[] steps = [Step("ecs", StepStage.Service, async (_, _, _) =>
        {
            await ledger.TakeOverAsync(Service, "bob (pid 200)", "laptop-2", Ttl, Ct);
            return StepResult.Succeeded("done", FakeStep.Proof);
        })];

        var stopped = await Assert.ThrowsAsync<RunStoppedByTakeoverException>(() => Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct));

        Assert.EndsWith("; this run stopped before journaling the end of step ecs; see 'rewind status'", stopped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_refused_write_of_one_step_then_a_step_waiting_beside_it_is_stopped_at_once()
    {
        var ledger = new InMemoryLedger(_clock);
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IStep[] steps =
        [
            Step("secrets", StepStage.Service, async (_, context, ct) =>
            {
                await waiting.Task.WaitAsync(ct);
                await ledger.TakeOverAsync(Service, "bob (pid 200)", "laptop-2", Ttl, Ct);
                await context.CallAsync("PutSecretValue", new JsonObject(), _ => Task.FromResult(1), _ => new JsonObject(), ct);
                return StepResult.Succeeded("never", FakeStep.Proof);
            }),
            Step("ecs", StepStage.Service, async (_, context, ct) =>
            {
                var wait = Task.Delay(Timeout.InfiniteTimeSpan, context.Time, ct);
                waiting.SetResult();
                await wait;
                return StepResult.Succeeded("never", FakeStep.Proof);
            }),
        ];

        var running = Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct);

        await Assert.ThrowsAsync<RunStoppedByTakeoverException>(() => running.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Contains("end ecs", _log.Lines);
    }

    [Fact]
    public async Task Given_a_renewal_that_finds_the_lock_acquired_again_under_another_generation_then_the_run_stops()
    {
        var ledger = new InMemoryLedger(_clock);
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IStep[] steps = [Step("ecs", StepStage.Service, async (_, context, ct) =>
        {
            var wait = Task.Delay(Timeout.InfiniteTimeSpan, context.Time, ct);
            waiting.SetResult();
            await wait;
            return StepResult.Succeeded("never", FakeStep.Proof);
        })];

        var running = Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct);
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await ledger.TakeOverAsync(Service, Alice.Owner, Alice.Host, Ttl, Ct); // the same holder, another generation
        _clock.Advance(Ttl / 3);

        var stopped = await Assert.ThrowsAsync<RunStoppedByTakeoverException>(() => running.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.EndsWith("this run stopped before its next change in step ecs; see 'rewind status'", stopped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_step_still_retrying_at_its_deadline_then_its_failure_names_the_reason_it_was_retrying()
    {
        var ledger = new InMemoryLedger(_clock);
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IStep[] steps = [Step("ecs", StepStage.Service, async (_, context, ct) =>
        {
            var wait = Task.Delay(Timeout.InfiniteTimeSpan, context.Time, ct);
            waiting.SetResult();
            try
            {
                await wait;
            }
            catch (OperationCanceledException)
            {
                throw new OperationCanceledException("gave up", new InvalidOperationException("ECS is throttling"), ct);
            }
            return StepResult.Succeeded("never", FakeStep.Proof);
        })];
        var plan = new RollbackPlan(Service, null, _clock.GetUtcNow(), [FakeStep.PlanOf("ecs", StepStage.Service, deadlineSeconds: 60)]);

        var running = Executor(ledger, steps).StartAsync(plan, "{}", Alice, Ct);
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        _clock.Advance(TimeSpan.FromSeconds(60));
        var outcome = await running.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        var (_, result) = Assert.Single(outcome.Steps);
        Assert.Equal(new StepFailed(nameof(InvalidOperationException), 60), result.Evidence);
        Assert.Equal($"deadline of 60 s reached (ECS is throttling); the run can be continued with 'rewind resume {outcome.RunId}'", result.Summary);
    }

    [Fact]
    public async Task Given_a_run_then_the_observer_sees_each_step_start_and_finish_and_the_journal_holds_the_plans_facts()
    {
        var ledger = new InMemoryLedger(_clock);
        var observer = new RecordingObserver();
        IStep[] steps = [Step("ecs", StepStage.Service)];
        var plan = new RollbackPlan(Service, null, _clock.GetUtcNow(),
            [new StepPlan("ecs", StepStage.Service, "ecs as planned", [], true, 1, 60, new Dictionary<string, string> { ["taskDefinition"] = "claude-proxy-api:3" })]);

        var outcome = await new RunExecutor(ledger, steps, observer, _clock).StartAsync(plan, "{}", Alice, Ct);

        Assert.Equal(["started ecs", "finished ecs Succeeded"], observer.Lines);
        var journal = await ledger.ReadJournalAsync(outcome.RunId, Ct);
        Assert.True(JsonNode.DeepEquals(
            new JsonObject { ["summary"] = "ecs as planned", ["nothingToDo"] = true, ["parameters"] = new JsonObject { ["taskDefinition"] = "claude-proxy-api:3" } },
            JsonNode.Parse(journal[0].Detail)), journal[0].Detail);
        Assert.Equal("{}", journal.Single(e => e.Kind == JournalKind.Started).Detail);
    }

    [Fact]
    public async Task Given_a_step_needing_one_of_an_earlier_stage_then_it_runs_after_it_and_reads_its_output()
    {
        var ledger = new InMemoryLedger(_clock);
        string? seen = null;
        IStep[] steps =
        [
            new NeedingStep(Step("incident", StepStage.Traffic, (_, _, _) => Task.FromResult(StepResult.Succeeded("opened", Ticket)))),
            new NeedingStep(Step("notify", StepStage.Announce, (_, context, _) =>
            {
                seen = context.OutputOf<TicketOpened>("incident")?.Incident;
                return Task.FromResult(StepResult.Succeeded("sent", FakeStep.Proof));
            }), "incident"),
        ];

        var outcome = await Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct);

        Assert.Equal((RunStatus.Succeeded, "INC-0007"), (outcome.Status, seen));
    }

    [Fact]
    public async Task Given_a_step_planned_before_its_need_behind_another_step_of_its_stage_then_it_still_waits_for_its_need()
    {
        var ledger = new InMemoryLedger(_clock);
        string? seen = null;
        IStep[] steps =
        [
            new NeedingStep(Step("freeze", StepStage.Announce)),
            new NeedingStep(Step("notify", StepStage.Announce, (_, context, _) =>
            {
                seen = context.OutputOf<TicketOpened>("incident")?.Incident;
                return Task.FromResult(StepResult.Succeeded("sent", FakeStep.Proof));
            }), "incident"),
            new NeedingStep(Step("incident", StepStage.Announce, async (_, _, _) =>
            {
                await Task.Yield();
                return StepResult.Succeeded("opened", Ticket);
            })),
        ];

        await Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct);

        Assert.Equal("INC-0007", seen);
    }

    [Fact]
    public async Task Given_needs_that_meet_again_in_a_diamond_then_they_are_no_cycle_and_run_in_order()
    {
        var ledger = new InMemoryLedger(_clock);
        IStep[] steps =
        [
            new NeedingStep(Step("notify", StepStage.Announce), "freeze", "incident-assign"),
            new NeedingStep(Step("freeze", StepStage.Announce), "incident"),
            new NeedingStep(Step("incident-assign", StepStage.Announce), "incident"),
            new NeedingStep(Step("incident", StepStage.Announce)),
        ];

        var outcome = await Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal("start incident", _log.Lines[0]);
        Assert.Equal("end notify", _log.Lines[^1]);
    }

    private static readonly TicketOpened Ticket = new(
        "INC-0007", "dana", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(48), [], false, null, null);

    private FakeStep Step(string name, StepStage stage, Func<StepPlan, StepContext, CancellationToken, Task<StepResult>>? execute = null) =>
        execute is null ? new FakeStep(name, stage, _log) : new FakeStep(name, stage, _log) { Execute = execute };

    private RunExecutor Executor(InMemoryLedger ledger, IReadOnlyList<IStep> steps) => new(ledger, steps, new QuietObserver(), _clock) { LeaseTtl = Ttl };

    private RollbackPlan Plan(IEnumerable<IStep> steps) =>
        new(Service, null, _clock.GetUtcNow(), [.. steps.Select(s => FakeStep.PlanOf(s.Name, s.Stage))]);

    /// <summary>A fake step with declared needs.</summary>
    private sealed class NeedingStep(FakeStep step, params string[] needs) : IStep
    {
        public string Name => step.Name;
        public StepStage Stage => step.Stage;
        public IReadOnlyList<string> Needs => needs;

        public Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken) => step.PlanAsync(context, cancellationToken);

        public Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken) => step.ExecuteAsync(plan, context, cancellationToken);
    }

    private sealed class SlowStartHooks : IRunHooks
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource StepFinished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public List<string> Calls { get; } = [];

        public async Task RunStartedAsync(RunHookContext run, CancellationToken cancellationToken)
        {
            await Gate.Task.WaitAsync(cancellationToken);
            lock (Calls)
                Calls.Add("started done");
        }

        public Task StepFinishedAsync(RunHookContext run, StepPlan step, StepResult result, CancellationToken cancellationToken)
        {
            StepFinished.TrySetResult();
            return Task.CompletedTask;
        }

        public Task RunEndedAsync(RunHookContext run, RunOutcome outcome, CancellationToken cancellationToken)
        {
            lock (Calls)
                Calls.Add("ended");
            return Task.CompletedTask;
        }
    }

    /// <summary>Bob takes the lock while the run's end is announced; the announcement reports its own trouble, as a hook must.</summary>
    private sealed class TakeOverWhenEnding(InMemoryLedger ledger) : IRunHooks
    {
        public async Task RunEndedAsync(RunHookContext run, RunOutcome outcome, CancellationToken cancellationToken)
        {
            await ledger.TakeOverAsync(Service, "bob (pid 200)", "laptop-2", Ttl, cancellationToken);
            try
            {
                await run.JournalAs("notify").CallAsync("Announce", new JsonObject(), _ => Task.FromResult(1), _ => new JsonObject(), cancellationToken);
            }
            catch (RunStoppedByTakeoverException)
            {
                // Reported, not thrown: the executor itself must notice the lock is gone.
            }
        }
    }

    private sealed class TakeOverAfterStep(InMemoryLedger ledger, string step) : IRunHooks
    {
        public async Task StepFinishedAsync(RunHookContext run, StepPlan plan, StepResult result, CancellationToken cancellationToken)
        {
            if (plan.Step == step)
                await ledger.TakeOverAsync(Service, "bob (pid 200)", "laptop-2", Ttl, cancellationToken);
        }
    }

    private sealed class RecordingObserver : IRunObserver
    {
        public List<string> Lines { get; } = [];

        public void StepStarted(StepPlan step) => Lines.Add($"started {step.Step}");

        public void StepProgress(string step, string message) => Lines.Add($"progress {step} {message}");

        public void StepFinished(StepPlan step, StepResult result, TimeSpan duration) => Lines.Add($"finished {step.Step} {result.Status}");
    }
}
