using Microsoft.Extensions.Time.Testing;
using Rewind.Aws;
using Rewind.Aws.Errors;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Playbook.Tests;

/// <summary>AWS busy during an incident: calls tried again with backoff until the step's deadline, and only then failed, saying why.</summary>
public sealed class StepRetriesTests
{
    private const string RunId = "run-20261203-090000-ab12";

    private readonly FakeTimeProvider _clock = new(ProcessRun.Epoch);
    private readonly InMemoryLedger _ledger;
    private readonly Heard _heard = new();

    public StepRetriesTests() => _ledger = new InMemoryLedger(_clock);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AwsServiceException Throttled(int n = 1) => new(AwsService.Ecs, "UpdateService", "ThrottlingException", $"Rate exceeded {n}", 400, "req-1");

    private static AwsServiceException Denied => new(AwsService.Ecs, "UpdateService", "AccessDeniedException", "not allowed", 403, "req-2");

    private static AwsUnavailableException Unreachable => new(AwsService.Elb, "ModifyListener", "no answer after 3 attempts", "check the network");

    private async Task<StepContext> ContextAsync()
    {
        var lease = (await _ledger.TryAcquireAsync(ProcessRun.Service, "alice (pid 100)", "laptop-1", TimeSpan.FromMinutes(2), Ct)).Lease;
        await _ledger.CreateRunAsync(new Run(RunId, ProcessRun.Service, _clock.GetUtcNow(), RunStatus.Running, null, "{}"), Ct);
        return new StepContext(RunId, "ecs", new HeldLease(_ledger.Runs, lease), [], _heard, _clock, RunOutputs.From([]));
    }

    /// <summary>Moves the fake clock on until <paramref name="task"/> ends: the backoff waits are on that clock.</summary>
    private async Task<T> DriveAsync<T>(Task<T> task)
    {
        for (var i = 0; i < 10_000 && !task.IsCompleted; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Yield();
        }
        return await task;
    }

    [Fact]
    public void Given_failures_when_judged_then_throttling_and_unreachable_are_busy_and_refusals_are_not()
    {
        Assert.True(StepRetries.IsBusy(Throttled()));
        Assert.True(StepRetries.IsBusy(Unreachable));
        Assert.True(StepRetries.IsBusy(new AwsServiceException(AwsService.Ecs, "DescribeServices", "InternalFailure", "boom", 500, null)));
        Assert.False(StepRetries.IsBusy(Denied));
        Assert.False(StepRetries.IsBusy(new InvalidOperationException("x")));
        Assert.False(StepRetries.IsBusy(new TimeoutException("x")));
    }

    [Fact]
    public void Given_the_backoff_when_read_then_it_starts_at_half_a_second_doubles_and_stops_at_10_s()
    {
        Assert.Equal(new PollSchedule(TimeSpan.FromMilliseconds(500), 2, TimeSpan.FromSeconds(10)), StepRetries.Backoff);
    }

    [Fact]
    public async Task Given_a_call_that_succeeds_when_run_until_the_deadline_then_it_runs_once_and_reports_nothing()
    {
        var context = await ContextAsync();
        var calls = 0;

        var result = await StepRetries.UntilDeadlineAsync(context, _ => Task.FromResult(++calls), Ct);

        Assert.Equal((1, 1), (result, calls));
        Assert.Empty(_heard.Messages);
    }

    [Fact]
    public async Task Given_AWS_busy_twice_when_run_until_the_deadline_then_it_is_tried_again_and_each_round_is_reported()
    {
        var context = await ContextAsync();
        var calls = 0;

        var result = await DriveAsync(StepRetries.UntilDeadlineAsync(context, _ => ++calls <= 2 ? throw Throttled(calls) : Task.FromResult("done"), Ct));

        Assert.Equal(("done", 3), (result, calls));
        Assert.Equal(
            [
                ("ecs", "AWS busy, trying again until the step's deadline: ECS UpdateService failed: ThrottlingException: Rate exceeded 1 (HTTP 400, request req-1)"),
                ("ecs", "AWS busy, trying again until the step's deadline: ECS UpdateService failed: ThrottlingException: Rate exceeded 2 (HTTP 400, request req-1)"),
            ],
            _heard.Messages);
    }

    [Fact]
    public async Task Given_a_refusal_when_run_until_the_deadline_then_it_fails_at_once_as_it_was()
    {
        var context = await ContextAsync();
        var calls = 0;
        var denied = Denied;

        var thrown = await Assert.ThrowsAsync<AwsServiceException>(() => StepRetries.UntilDeadlineAsync<int>(context, _ =>
        {
            calls++;
            throw denied;
        }, Ct));

        Assert.Same(denied, thrown);
        Assert.Equal(1, calls);
        Assert.Empty(_heard.Messages);
    }

    [Fact]
    public async Task Given_AWS_busy_until_the_deadline_when_it_comes_then_the_step_is_cancelled_carrying_the_last_failure()
    {
        var context = await ContextAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(3), _clock);
        var calls = 0;

        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            DriveAsync(StepRetries.UntilDeadlineAsync<int>(context, _ => throw Throttled(++calls), deadline.Token)));

        var why = Assert.IsType<AwsUnavailableException>(cancelled.InnerException);
        Assert.Equal($"ECS UpdateService: still failing when the step's deadline came: ECS UpdateService failed: ThrottlingException: Rate exceeded {calls} (HTTP 400, request req-1)", why.Message);
        Assert.Equal((AwsService.Ecs, "UpdateService", "AWS is throttling or failing"), (why.Service, why.Operation, why.Hint));
        Assert.IsType<AwsServiceException>(why.InnerException);
        Assert.Equal(why.Message, cancelled.Message);
        Assert.Equal(deadline.Token, cancelled.CancellationToken);
        Assert.True(calls >= 3, $"{calls} calls in 3 s of backoff");
        Assert.Equal(calls, _heard.Messages.Count);
    }

    [Fact]
    public async Task Given_AWS_unreachable_until_the_deadline_when_it_comes_then_that_failure_is_carried_as_it_was()
    {
        var context = await ContextAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(1), _clock);
        var unreachable = Unreachable;

        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            DriveAsync(StepRetries.UntilDeadlineAsync<int>(context, _ => throw unreachable, deadline.Token)));

        Assert.Same(unreachable, cancelled.InnerException);
    }

    [Fact]
    public async Task Given_the_call_itself_cancelled_by_the_deadline_after_AWS_was_busy_then_the_busy_failure_is_carried()
    {
        var context = await ContextAsync();
        using var deadline = new CancellationTokenSource();
        var calls = 0;

        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DriveAsync(StepRetries.UntilDeadlineAsync<int>(context, async ct =>
        {
            if (++calls == 1)
                throw Throttled();
            await deadline.CancelAsync();
            throw new OperationCanceledException(ct);
        }, deadline.Token)));

        Assert.IsType<AwsUnavailableException>(cancelled.InnerException);
        Assert.Equal(2, calls);
        Assert.Equal(deadline.Token, cancelled.CancellationToken);
    }

    [Fact]
    public async Task Given_a_cancellation_without_AWS_busy_when_run_then_it_propagates_untouched()
    {
        var context = await ContextAsync();
        var original = new OperationCanceledException("stopped");

        var thrown = await Assert.ThrowsAsync<OperationCanceledException>(() => StepRetries.UntilDeadlineAsync<int>(context, _ => throw original, Ct));

        Assert.Same(original, thrown);
    }

    [Fact]
    public async Task Given_AWS_busy_after_the_deadline_already_passed_then_the_failure_is_not_retried()
    {
        var context = await ContextAsync();
        using var deadline = new CancellationTokenSource();
        await deadline.CancelAsync();
        var throttled = Throttled();

        var thrown = await Assert.ThrowsAsync<AwsServiceException>(() => StepRetries.UntilDeadlineAsync<int>(context, _ => throw throttled, deadline.Token));

        Assert.Same(throttled, thrown);
        Assert.Empty(_heard.Messages);
    }

    [Fact]
    public async Task Given_a_call_without_a_result_when_busy_once_then_it_runs_again()
    {
        var context = await ContextAsync();
        var calls = 0;

        var running = StepRetries.UntilDeadlineAsync(context, _ => ++calls == 1 ? throw Unreachable : Task.CompletedTask, Ct);
        await DriveAsync(running.ContinueWith(_ => true, Ct, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default));

        Assert.Equal(2, calls);
        Assert.Single(_heard.Messages);
    }

    [Fact]
    public async Task Given_a_read_that_succeeds_when_planning_then_it_runs_once()
    {
        var reports = new List<string>();

        Assert.Equal(7, await StepRetries.ReadingAsync(_clock, reports.Add, TimeSpan.FromSeconds(10), _ => Task.FromResult(7), Ct));
        Assert.Empty(reports);
    }

    [Fact]
    public async Task Given_AWS_busy_while_planning_when_it_recovers_then_the_read_is_tried_again_and_reported()
    {
        var reports = new List<string>();
        var calls = 0;

        var read = await DriveAsync(StepRetries.ReadingAsync(_clock, reports.Add, TimeSpan.FromSeconds(30), _ => ++calls <= 2 ? throw Unreachable : Task.FromResult("state"), Ct));

        Assert.Equal(("state", 3), (read, calls));
        Assert.Equal(["rewind: AWS busy, planning again: ELBv2 ModifyListener: no answer after 3 attempts", "rewind: AWS busy, planning again: ELBv2 ModifyListener: no answer after 3 attempts"], reports);
    }

    [Fact]
    public async Task Given_AWS_busy_past_the_planning_deadline_then_the_last_failure_is_thrown_as_it_was()
    {
        var reports = new List<string>();
        var calls = 0;
        AwsServiceException? last = null;
        var started = _clock.GetUtcNow();

        var thrown = await Assert.ThrowsAsync<AwsServiceException>(() => DriveAsync(StepRetries.ReadingAsync<int>(_clock, reports.Add, TimeSpan.FromSeconds(2), _ =>
        {
            last = Throttled(++calls);
            throw last;
        }, Ct)));

        Assert.Same(last, thrown);
        Assert.Equal(calls - 1, reports.Count);
        Assert.True(calls >= 2, $"{calls} reads");
        Assert.True(_clock.GetUtcNow() - started >= TimeSpan.FromSeconds(2));
        Assert.True(_clock.GetUtcNow() - started < TimeSpan.FromSeconds(3), "the last wait stops at the deadline");
    }

    [Fact]
    public async Task Given_a_refusal_while_planning_then_it_is_thrown_at_once()
    {
        var denied = Denied;

        Assert.Same(denied, await Assert.ThrowsAsync<AwsServiceException>(() => StepRetries.ReadingAsync<int>(_clock, _ => { }, TimeSpan.FromSeconds(30), _ => throw denied, Ct)));
    }

    [Fact]
    public async Task Given_the_planning_cancelled_when_AWS_is_busy_then_the_failure_is_not_retried()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var reports = new List<string>();

        await Assert.ThrowsAsync<AwsUnavailableException>(() => StepRetries.ReadingAsync<int>(_clock, reports.Add, TimeSpan.FromSeconds(30), _ => throw Unreachable, cancelled.Token));
        Assert.Empty(reports);
    }

    private sealed class Heard : IRunObserver
    {
        public List<(string Step, string Message)> Messages { get; } = [];

        public void StepStarted(StepPlan step)
        {
        }

        public void StepProgress(string step, string message) => Messages.Add((step, message));

        public void StepFinished(StepPlan step, StepResult result, TimeSpan duration)
        {
        }
    }
}
