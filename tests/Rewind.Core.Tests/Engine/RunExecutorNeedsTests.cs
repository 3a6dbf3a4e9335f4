using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Core.Tests.Engine;

/// <summary>
/// Steps declare what they consume: the executor runs a need first (in the same stage too), hands its evidence over
/// through <see cref="StepContext.OutputOf{T}"/> (on resume from the journal), refuses needs it cannot meet, and calls
/// the run's hooks once each, resumed or not.
/// </summary>
public sealed class RunExecutorNeedsTests
{
    private const string Service = "claude-proxy-api";
    private static readonly Operator Alice = new("alice (pid 100)", "laptop-1");
    private static readonly TicketOpened Ticket = new("INC-0007", "dana", Epoch, Epoch.AddHours(48), [], false, "/drafts/INC-0007.md", null);
    private static DateTimeOffset Epoch => new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Epoch);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_freeze_and_notify_needing_the_incident_in_one_stage_when_the_run_executes_then_the_incident_ends_first_and_both_read_its_id()
    {
        var order = new ConcurrentQueue<string>();
        var incident = new Step("incident", order) { Produces = Ticket, Gate = new TaskCompletionSource() };
        var freeze = new Step("freeze", order, "incident");
        var notify = new Step("notify", order, "incident");
        var ledger = new InMemoryLedger(_clock);

        var running = Executor(ledger, [notify, freeze, incident]).StartAsync(Plan(notify, freeze, incident), "{}", Alice, Ct);
        await incident.Started.Task.WaitAsync(Ct);
        Assert.False(freeze.Ran || notify.Ran); // planned before it, yet neither started while the incident is open
        incident.Gate.SetResult();
        var outcome = await running;

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal("incident", order.First());
        Assert.Equal(["freeze", "incident", "notify"], order.Order());
        Assert.Equal("INC-0007", freeze.SawIncident);
        Assert.Equal("INC-0007", notify.SawIncident);
        Assert.Equal(["notify", "freeze", "incident"], outcome.Steps.Select(s => s.Step.Step)); // plan order
    }

    [Fact]
    public async Task Given_two_steps_without_needs_in_one_stage_when_the_run_executes_then_they_run_at_the_same_time()
    {
        var first = new Step("first", new()) { Gate = new TaskCompletionSource() };
        var second = new Step("second", new()) { OnRun = () => first.Gate!.SetResult() };

        var outcome = await Executor(new InMemoryLedger(_clock), [first, second]).StartAsync(Plan(first, second), "{}", Alice, Ct).WaitAsync(TimeSpan.FromSeconds(5), Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status); // second released first while first waited: parallel
    }

    [Fact]
    public async Task Given_the_needed_step_fails_when_the_run_executes_then_the_dependent_never_starts_and_the_run_fails()
    {
        var order = new ConcurrentQueue<string>();
        var incident = new Step("incident", order) { Fails = true };
        var freeze = new Step("freeze", order, "incident");
        var ledger = new InMemoryLedger(_clock);

        var outcome = await Executor(ledger, [incident, freeze]).StartAsync(Plan(incident, freeze), "{}", Alice, Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal(["incident"], order);
        Assert.Equal(["incident"], outcome.Steps.Select(s => s.Step.Step));
        var journal = await ledger.ReadJournalAsync(outcome.RunId, Ct);
        Assert.DoesNotContain(journal, e => e.Step == "freeze" && e.Kind == JournalKind.Started);
    }

    [Fact]
    public async Task Given_a_need_that_runs_in_a_later_stage_when_the_run_starts_then_it_is_refused_before_anything_is_journaled()
    {
        var freeze = new Step("freeze", new(), "incident") { Stage = StepStage.Traffic };
        var incident = new Step("incident", new());
        var ledger = new InMemoryLedger(_clock);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Executor(ledger, [freeze, incident]).StartAsync(Plan(freeze, incident), "{}", Alice, Ct));

        Assert.Equal("step freeze (Traffic) needs step incident, which runs later (Announce)", refused.Message);
        Assert.Empty(await ledger.ListRunsAsync(null, 10, Ct));
        Assert.Null(await ledger.GetLeaseAsync(Service, Ct));
    }

    [Fact]
    public async Task Given_steps_that_need_each_other_when_the_run_starts_then_the_cycle_is_refused()
    {
        var a = new Step("a", new(), "b");
        var b = new Step("b", new(), "a");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Executor(new InMemoryLedger(_clock), [a, b]).StartAsync(Plan(a, b), "{}", Alice, Ct));

        Assert.Equal("steps need each other in a cycle: a → b → a", refused.Message);
    }

    [Fact]
    public async Task Given_a_need_the_plan_does_not_hold_when_the_run_executes_then_the_step_runs_and_gets_no_output()
    {
        var freeze = new Step("freeze", new(), "incident");

        var outcome = await Executor(new InMemoryLedger(_clock), [freeze]).StartAsync(Plan(freeze), "{}", Alice, Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.True(freeze.Ran);
        Assert.Null(freeze.SawIncident);
    }

    [Fact]
    public async Task Given_the_incident_completed_before_a_crash_when_the_run_resumes_then_the_freeze_reads_its_id_from_the_journal_and_the_incident_is_not_run_again()
    {
        var order = new ConcurrentQueue<string>();
        var incident = new Step("incident", order) { Produces = Ticket };
        var freeze = new Step("freeze", order, "incident") { Fails = true };
        var ledger = new InMemoryLedger(_clock);
        var first = await Executor(ledger, [incident, freeze]).StartAsync(Plan(incident, freeze), "{}", Alice, Ct);
        Assert.Equal(RunStatus.Failed, first.Status);

        var incidentAgain = new Step("incident", order) { Produces = Ticket with { Incident = "INC-9999" } };
        var freezeAgain = new Step("freeze", order, "incident");
        var run = (await ledger.GetRunAsync(first.RunId, Ct))!;
        var resumed = await Executor(ledger, [incidentAgain, freezeAgain]).ResumeAsync(run, Plan(incident, freeze), Alice, Ct);

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.False(incidentAgain.Ran);
        Assert.Equal("INC-0007", freezeAgain.SawIncident);
        Assert.Equal(StepStatus.Skipped, resumed.Steps.Single(s => s.Step.Step == "incident").Result.Status);
    }

    [Fact]
    public async Task Given_hooks_when_a_run_succeeds_then_started_each_step_finished_and_ended_are_called_once_and_started_journals_fenced()
    {
        var hooks = new RecordingHooks();
        var incident = new Step("incident", new()) { Produces = Ticket };
        var ledger = new InMemoryLedger(_clock);

        var outcome = await Executor(ledger, [incident], hooks).StartAsync(Plan(incident), "{}", Alice, Ct);

        Assert.Equal([$"started {outcome.RunId} resumed=False", "finished incident Succeeded", "ended Succeeded"], hooks.Calls);
        var journal = await ledger.ReadJournalAsync(outcome.RunId, Ct);
        Assert.Contains(journal, e => e.Step == "notify" && e.Kind == JournalKind.CallSent && e.Detail.Contains("\"call\":\"Announce\"", StringComparison.Ordinal));
        Assert.Contains(journal, e => e.Step == "notify" && e.Kind == JournalKind.CallSucceeded);
    }

    [Fact]
    public async Task Given_hooks_when_a_run_fails_and_is_resumed_then_each_execution_calls_started_and_ended_once_with_its_outcome()
    {
        var hooks = new RecordingHooks();
        var failing = new Step("ecs", new()) { Fails = true };
        var ledger = new InMemoryLedger(_clock);
        var first = await Executor(ledger, [failing], hooks).StartAsync(Plan(failing), "{}", Alice, Ct);

        var run = (await ledger.GetRunAsync(first.RunId, Ct))!;
        var resumed = await Executor(ledger, [new Step("ecs", new())], hooks).ResumeAsync(run, Plan(failing), Alice, Ct);

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal(
            [
                $"started {first.RunId} resumed=False", "finished ecs Failed", "ended Failed",
                $"started {first.RunId} resumed=True", "finished ecs Succeeded", "ended Succeeded",
            ],
            hooks.Calls);
        Assert.Equal(RunStatus.Succeeded, (await ledger.GetRunAsync(first.RunId, Ct))!.Status);
    }

    private RunExecutor Executor(InMemoryLedger ledger, IReadOnlyList<IStep> steps, IRunHooks? hooks = null) =>
        new(ledger, steps, new SilentObserver(), _clock) { Hooks = hooks };

    private static RollbackPlan Plan(params Step[] steps) => new(
        Service, null, Epoch,
        [.. steps.Select(s => new StepPlan(s.Name, s.Stage, s.Name, [], false, 1, 3600, new JsonObject()))]);

    private sealed class Step(string name, ConcurrentQueue<string> order, params string[] needs) : IStep
    {
        public string Name => name;
        public StepStage Stage { get; init; } = StepStage.Announce;
        public IReadOnlyList<string> Needs => needs;
        public StepEvidence? Produces { get; init; }
        public TaskCompletionSource? Gate { get; init; }
        public Action? OnRun { get; init; }
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Fails { get; init; }
        public bool Ran { get; private set; }
        public string? SawIncident { get; private set; }

        public Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
        {
            Ran = true;
            Started.TrySetResult();
            SawIncident = context.OutputOf<TicketOpened>("incident")?.Incident;
            OnRun?.Invoke();
            if (Gate is not null)
                await Gate.Task.WaitAsync(cancellationToken);
            order.Enqueue(name);
            if (Fails)
                return StepResult.Failed($"{name} failed", new StepFailed("Test", null));
            return StepResult.Succeeded($"{name} done", Produces ?? new StepFailed("none", null));
        }
    }

    private sealed class RecordingHooks : IRunHooks
    {
        public List<string> Calls { get; } = [];

        public async Task RunStartedAsync(RunHookContext run, CancellationToken cancellationToken)
        {
            lock (Calls)
                Calls.Add($"started {run.RunId} resumed={run.Resumed}");
            await run.JournalAs("notify").CallAsync("Announce", new JsonObject(), _ => Task.FromResult(1), _ => new JsonObject(), cancellationToken);
        }

        public Task StepFinishedAsync(RunHookContext run, StepPlan step, StepResult result, CancellationToken cancellationToken)
        {
            lock (Calls)
                Calls.Add($"finished {step.Step} {result.Status}");
            return Task.CompletedTask;
        }

        public Task RunEndedAsync(RunHookContext run, RunOutcome outcome, CancellationToken cancellationToken)
        {
            lock (Calls)
                Calls.Add($"ended {outcome.Status}");
            return Task.CompletedTask;
        }
    }

    private sealed class SilentObserver : IRunObserver
    {
        public void StepStarted(StepPlan step)
        {
        }

        public void StepProgress(string step, string message)
        {
        }

        public void StepFinished(StepPlan step, StepResult result, TimeSpan duration)
        {
        }
    }
}
