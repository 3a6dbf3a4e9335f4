using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Core.Tests.Engine;

/// <summary>A run that loses the service's lock stops before its next change, journals nothing more and never ignores a failed renewal.</summary>
public sealed class RunExecutorLeaseTests
{
    private const string Service = "claude-proxy-api";
    private static readonly Operator Alice = new("alice (pid 100)", "laptop-1");
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(2);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_the_lock_taken_over_between_two_calls_when_the_step_makes_the_second_then_it_is_never_sent_and_the_run_stops_with_the_takeover_line()
    {
        var ledger = new InMemoryLedger(_clock);
        var step = new TwoCallStep();
        var executor = new RunExecutor(ledger, [step], new SilentObserver(), _clock) { LeaseTtl = Ttl };

        var running = executor.StartAsync(Plan(step.Name), "{}", Alice, Ct);
        await step.BetweenCalls.Task.WaitAsync(Ct);
        _clock.Advance(TimeSpan.FromSeconds(5));
        await ledger.TakeOverAsync(Service, "bob (pid 200)", "laptop-2", Ttl, Ct);
        step.Continue.SetResult();
        var stopped = await Assert.ThrowsAsync<RunStoppedByTakeoverException>(() => running);

        Assert.Equal(
            "the lock on claude-proxy-api was taken over by bob (pid 200) on laptop-2 at 2026-12-03 09:00:05Z; this run stopped before Second; see 'rewind status'",
            stopped.Message);
        Assert.Equal(["First"], step.Sent);
        var run = Assert.Single(await ledger.ListRunsAsync(Service, 10, Ct));
        Assert.Equal(RunStatus.Running, run.Status); // the new holder's to finish: the displaced run does not end it
        var journal = await ledger.ReadJournalAsync(run.Id, Ct);
        Assert.Equal(
            [JournalKind.Planned, JournalKind.Started, JournalKind.CallSent, JournalKind.CallSucceeded],
            journal.Select(e => e.Kind));
        Assert.Equal("bob (pid 200)", (await ledger.GetLeaseAsync(Service, Ct))!.Owner);
    }

    [Theory]
    [InlineData(true, "the lock on claude-proxy-api was taken over by bob (pid 200) on laptop-2 at 2026-12-03 09:00:05Z; this run stopped before its next change in step wait; see 'rewind status'")]
    [InlineData(false, "the lock on claude-proxy-api is no longer held by alice (pid 100) on laptop-1; this run stopped before its next change in step wait; see 'rewind status'")]
    public async Task Given_a_renewal_that_finds_the_lock_taken_or_gone_when_the_step_is_waiting_then_the_run_stops_at_once(bool takenOver, string line)
    {
        var ledger = new InMemoryLedger(_clock);
        var step = new WaitingStep();
        var executor = new RunExecutor(ledger, [step], new SilentObserver(), _clock) { LeaseTtl = Ttl };

        var running = executor.StartAsync(Plan(step.Name), "{}", Alice, Ct);
        await step.Waiting.Task.WaitAsync(Ct);
        _clock.Advance(TimeSpan.FromSeconds(5));
        if (takenOver)
            await ledger.TakeOverAsync(Service, "bob (pid 200)", "laptop-2", Ttl, Ct);
        else
            ledger.DropLease(Service);
        _clock.Advance(Ttl / 3);
        var stopped = await Assert.ThrowsAsync<RunStoppedByTakeoverException>(() => running.WaitAsync(TimeSpan.FromSeconds(10), Ct));

        Assert.Equal(line, stopped.Message);
        var run = Assert.Single(await ledger.ListRunsAsync(Service, 10, Ct));
        Assert.DoesNotContain(await ledger.ReadJournalAsync(run.Id, Ct), e => e.Kind is JournalKind.Completed or JournalKind.CallFailed);
    }

    [Fact]
    public async Task Given_renewals_that_succeed_when_the_step_outlives_the_lease_ttl_then_the_run_succeeds_and_releases_the_lock()
    {
        var ledger = new InMemoryLedger(_clock);
        var step = new WaitingStep { FinishAfter = Ttl * 2 };
        var executor = new RunExecutor(ledger, [step], new SilentObserver(), _clock) { LeaseTtl = Ttl };

        var running = executor.StartAsync(Plan(step.Name), "{}", Alice, Ct);
        await step.Waiting.Task.WaitAsync(Ct);
        for (var i = 0; i < 7 && !running.IsCompleted; i++)
        {
            _clock.Advance(Ttl / 3);
            await Task.Delay(20, Ct);
        }
        var outcome = await running.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Null(await ledger.GetLeaseAsync(Service, Ct));
    }

    private static RollbackPlan Plan(string step) => new(
        Service, null, DateTimeOffset.UnixEpoch,
        [new StepPlan(step, StepStage.Service, step, [], false, 1, 3600, new JsonObject())]);

    /// <summary>Sends "First", waits for the test, then sends "Second".</summary>
    private sealed class TwoCallStep : IStep
    {
        public TaskCompletionSource BetweenCalls { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Continue { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public List<string> Sent { get; } = [];
        public string Name => "ecs";
        public StepStage Stage => StepStage.Service;

        public Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
        {
            await SendAsync("First", context, cancellationToken);
            BetweenCalls.SetResult();
            await Continue.Task.WaitAsync(cancellationToken);
            await SendAsync("Second", context, cancellationToken);
            return StepResult.Succeeded("both sent", FakeStep.Proof);
        }

        private Task<string> SendAsync(string call, StepContext context, CancellationToken cancellationToken) =>
            context.CallAsync(call, new JsonObject(), _ =>
            {
                Sent.Add(call);
                return Task.FromResult(call);
            }, _ => new JsonObject(), cancellationToken);
    }

    /// <summary>Waits on the clock (for ever, or <see cref="FinishAfter"/>), as a step waiting for a rollout does.</summary>
    private sealed class WaitingStep : IStep
    {
        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TimeSpan FinishAfter { get; init; } = Timeout.InfiniteTimeSpan;
        public string Name => "wait";
        public StepStage Stage => StepStage.Service;

        public Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
        {
            var wait = Task.Delay(FinishAfter, context.Time, cancellationToken);
            Waiting.SetResult();
            await wait;
            return StepResult.Succeeded("waited", FakeStep.Proof);
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
