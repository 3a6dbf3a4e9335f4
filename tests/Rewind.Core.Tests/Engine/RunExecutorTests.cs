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
/// The executor over an in-memory ledger with fake steps: stages in order, a stage's steps in parallel, a failed stage
/// ends the run, deadlines, Ctrl-C, and resume. (Losing the lock: <see cref="RunExecutorLeaseTests"/>.)
/// </summary>
public sealed class RunExecutorTests
{
    private const string Service = "claude-proxy-api";
    private static readonly Operator Alice = new("alice (pid 100)", "laptop-1");

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
    private readonly EngineLog _log = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_three_stages_then_each_starts_after_the_one_before_has_ended_and_the_run_succeeds()
    {
        var ledger = new InMemoryLedger(_clock);
        IStep[] steps = [Step("smoke", StepStage.Verification), Step("canary", StepStage.Traffic), Step("ecs", StepStage.Service)];

        var outcome = await Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(["start canary", "end canary", "start ecs", "end ecs", "start smoke", "end smoke"], _log.Lines);
        Assert.Equal(["canary", "ecs", "smoke"], outcome.Steps.Select(s => s.Step.Step));
        Assert.All(outcome.Steps, s => Assert.Same(FakeStep.Proof, s.Result.Evidence));
        Assert.Equal(RunStatus.Succeeded, (await ledger.GetRunAsync(outcome.RunId, Ct))!.Status);
        Assert.Null(await ledger.GetLeaseAsync(Service, Ct));
    }

    [Fact]
    public async Task Given_a_run_then_the_journal_holds_each_step_planned_started_and_completed_with_its_typed_evidence()
    {
        var ledger = new InMemoryLedger(_clock);
        IStep[] steps = [Step("canary", StepStage.Traffic), Step("ecs", StepStage.Service)];

        var outcome = await Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct);

        var journal = await ledger.ReadJournalAsync(outcome.RunId, Ct);
        Assert.Equal(
            ["canary Planned", "ecs Planned", "canary Started", "canary Completed", "ecs Started", "ecs Completed"],
            journal.Select(e => $"{e.Step} {e.Kind}"));
        var planned = JsonNode.Parse(journal[0].Detail)!;
        Assert.Equal("canary as planned", planned["summary"]!.GetValue<string>());
        Assert.Equal("canary", planned["detail"]!["step"]!.GetValue<string>());
        Assert.True(StepEnd.TryParse(journal[3], out var end));
        Assert.Equivalent(FakeStep.Proof, Assert.IsType<CacheInvalidated>(end.Evidence), strict: true);
        Assert.Null(LedgerVerifier.VerifyChain(outcome.RunId, journal, await ledger.GetJournalHeadAsync(outcome.RunId, Ct)));
    }

    [Fact]
    public async Task Given_two_steps_of_one_stage_then_they_run_in_parallel()
    {
        // Each waits until both have started: run one after the other, neither would end.
        var bothStarted = new CountdownEvent(2);
        Func<StepPlan, StepContext, CancellationToken, Task<StepResult>> meet = async (_, _, ct) =>
        {
            bothStarted.Signal();
            await Task.Run(() => bothStarted.Wait(ct), ct);
            return StepResult.Succeeded("met", FakeStep.Proof);
        };
        var ledger = new InMemoryLedger(_clock);
        IStep[] steps = [Step("smoke", StepStage.Verification, meet), Step("verify", StepStage.Verification, meet)];

        var outcome = await Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(["start smoke", "start verify"], _log.Lines.Take(2).Order());
    }

    [Fact]
    public async Task Given_a_step_that_fails_then_its_stage_finishes_the_later_stages_never_start_and_the_run_fails()
    {
        var ledger = new InMemoryLedger(_clock);
        IStep[] steps =
        [
            Step("ecs", StepStage.Service, (_, _, _) => Task.FromResult(StepResult.Failed("rollout FAILED", FakeStep.Proof))),
            Step("secrets", StepStage.Service),
            Step("smoke", StepStage.Verification),
        ];

        var outcome = await Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal(["ecs Failed", "secrets Succeeded"], outcome.Steps.Select(s => $"{s.Step.Step} {s.Result.Status}").Order());
        Assert.DoesNotContain("start smoke", _log.Lines);
        var journal = await ledger.ReadJournalAsync(outcome.RunId, Ct);
        Assert.DoesNotContain(journal, e => e.Step == "smoke" && e.Kind != JournalKind.Planned);
        Assert.Single(journal, e => e.Step == "ecs" && e.Kind == JournalKind.CallFailed);
        Assert.Equal(RunStatus.Failed, (await ledger.GetRunAsync(outcome.RunId, Ct))!.Status);
    }

    [Fact]
    public async Task Given_a_step_awaiting_approval_then_the_run_stops_there_as_failed()
    {
        var ledger = new InMemoryLedger(_clock);
        IStep[] steps =
        [
            Step("infra", StepStage.Infrastructure, (_, _, _) => Task.FromResult(new StepResult(StepStatus.AwaitingApproval, "approve the plan", FakeStep.Proof))),
            Step("smoke", StepStage.Verification),
        ];

        var outcome = await Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal(0, ((FakeStep)steps[1]).Executions);
    }

    [Fact]
    public async Task Given_a_step_that_throws_then_it_fails_with_the_exceptions_type_as_evidence_and_its_message_as_summary()
    {
        var ledger = new InMemoryLedger(_clock);
        IStep[] steps = [Step("ecs", StepStage.Service, (_, _, _) => throw new InvalidOperationException("service claude-proxy-api does not exist"))];

        var outcome = await Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct);

        var (_, result) = Assert.Single(outcome.Steps);
        Assert.Equal((StepStatus.Failed, "service claude-proxy-api does not exist"), (result.Status, result.Summary));
        Assert.Equal(new StepFailed(nameof(InvalidOperationException), null), result.Evidence);
        Assert.Equal(RunStatus.Failed, outcome.Status);
    }

    [Fact]
    public async Task Given_a_step_whose_own_call_is_cancelled_when_nothing_of_the_run_asked_for_it_then_the_step_fails_and_the_run_ends_failed()
    {
        var ledger = new InMemoryLedger(_clock);
        // An HttpClient timeout surfaces as a TaskCanceledException although neither Ctrl-C nor the deadline fired.
        IStep[] steps = [Step("ecs", StepStage.Service, (_, _, _) => throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing."))];

        var outcome = await Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct);

        var (_, result) = Assert.Single(outcome.Steps);
        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Contains("HttpClient.Timeout", result.Summary, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal(RunStatus.Failed, (await ledger.GetRunAsync(outcome.RunId, Ct))!.Status);
    }

    [Fact]
    public async Task Given_a_step_that_throws_an_expected_failure_then_its_evidence_keeps_the_kind_and_the_aws_code_and_the_journal_reads_them_back()
    {
        var ledger = new InMemoryLedger(_clock);
        IStep[] steps = [Step("secrets", StepStage.Secrets, (_, _, _) => throw new DeniedException())];

        var outcome = await Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct);

        var (_, result) = Assert.Single(outcome.Steps);
        Assert.Equal(new StepFailed(nameof(DeniedException), null, FailureKind.BadInput, "AccessDeniedException"), result.Evidence);
        var end = (await ledger.ReadJournalAsync(outcome.RunId, Ct)).Last();
        Assert.True(StepEnd.TryParse(end, out var journaled));
        Assert.Equal(result.Evidence, journaled.Evidence);
    }

    [Fact]
    public async Task Given_a_step_still_waiting_at_its_deadline_then_it_fails_with_the_deadline_and_the_resume_command()
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
        var plan = new RollbackPlan(Service, null, _clock.GetUtcNow(), [FakeStep.PlanOf("ecs", StepStage.Service, deadlineSeconds: 600)]);

        var running = Executor(ledger, steps).StartAsync(plan, "{}", Alice, Ct);
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        _clock.Advance(TimeSpan.FromSeconds(600));
        var outcome = await running.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        var (_, result) = Assert.Single(outcome.Steps);
        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Equal(new StepFailed(nameof(TimeoutException), 600), result.Evidence);
        Assert.Equal($"deadline of 600 s reached; the run can be continued with 'rewind resume {outcome.RunId}'", result.Summary);
        Assert.Equal(RunStatus.Failed, outcome.Status);
    }

    [Fact]
    public async Task Given_ctrl_c_while_a_step_waits_then_the_run_is_cancelled_the_lock_released_and_a_resume_finishes_it()
    {
        var ledger = new InMemoryLedger(_clock);
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = 0;
        IStep[] steps =
        [
            Step("canary", StepStage.Traffic),
            Step("ecs", StepStage.Service, async (_, context, ct) =>
            {
                if (++attempts == 1)
                {
                    var wait = Task.Delay(Timeout.InfiniteTimeSpan, context.Time, ct);
                    waiting.SetResult();
                    await wait;
                }
                return StepResult.Succeeded("rolled back", FakeStep.Proof);
            }),
        ];
        using var ctrlC = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var running = Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, ctrlC.Token);
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await ctrlC.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(10), Ct));

        var run = Assert.Single(await ledger.ListRunsAsync(Service, 10, Ct));
        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.Null(await ledger.GetLeaseAsync(Service, Ct));
        Assert.DoesNotContain(await ledger.ReadJournalAsync(run.Id, Ct), e => e.Step == "ecs" && e.Kind is JournalKind.Completed or JournalKind.CallFailed);

        var resumed = await Executor(ledger, steps).ResumeAsync(run, Plan(steps), Alice, Ct);

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal(run.Id, resumed.RunId);
        Assert.Equal(1, ((FakeStep)steps[0]).Executions);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task Given_a_failed_run_when_it_is_resumed_then_completed_steps_are_skipped_and_the_failed_one_runs_again()
    {
        var ledger = new InMemoryLedger(_clock);
        var ecsAttempts = 0;
        IStep[] steps =
        [
            Step("canary", StepStage.Traffic),
            Step("ecs", StepStage.Service, (_, _, _) => Task.FromResult(++ecsAttempts == 1
                ? StepResult.Failed("rollout FAILED", FakeStep.Proof)
                : StepResult.Succeeded("rolled back", FakeStep.Proof))),
            Step("smoke", StepStage.Verification),
        ];
        var failed = await Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct);
        var run = (await ledger.GetRunAsync(failed.RunId, Ct))!;

        var resumed = await Executor(ledger, steps).ResumeAsync(run, Plan(steps), Alice, Ct);

        Assert.Equal((RunStatus.Failed, RunStatus.Succeeded), (failed.Status, resumed.Status));
        Assert.Equal(
            ["canary Skipped already done in an earlier attempt", "ecs Succeeded rolled back", "smoke Succeeded done"],
            resumed.Steps.Select(s => $"{s.Step.Step} {s.Result.Status} {s.Result.Summary}"));
        Assert.Equal((1, 2, 1), (((FakeStep)steps[0]).Executions, ((FakeStep)steps[1]).Executions, ((FakeStep)steps[2]).Executions));
        var journal = await ledger.ReadJournalAsync(run.Id, Ct);
        Assert.Equal(1, journal.Count(e => e.Step == "canary" && e.Kind == JournalKind.Started));
        Assert.Equal(2, journal.Count(e => e.Step == "ecs" && e.Kind == JournalKind.Started));
    }

    [Fact]
    public async Task Given_a_resumed_run_then_each_step_is_journaled_planned_once()
    {
        var ledger = new InMemoryLedger(_clock);
        var attempts = 0;
        IStep[] steps =
        [
            Step("canary", StepStage.Traffic),
            Step("ecs", StepStage.Service, (_, _, _) => Task.FromResult(++attempts < 3 ? StepResult.Failed("not yet", FakeStep.Proof) : StepResult.Succeeded("done", FakeStep.Proof))),
        ];
        var outcome = await Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct);
        var run = (await ledger.GetRunAsync(outcome.RunId, Ct))!;

        await Executor(ledger, steps).ResumeAsync(run, Plan(steps), Alice, Ct);
        await Executor(ledger, steps).ResumeAsync(run, Plan(steps), Alice, Ct);

        var planned = (await ledger.ReadJournalAsync(run.Id, Ct)).Where(e => e.Kind == JournalKind.Planned).Select(e => e.Step);
        Assert.Equal(["canary", "ecs"], planned);
    }

    [Fact]
    public async Task Given_a_start_killed_while_journaling_the_plan_when_it_is_resumed_then_only_the_missing_steps_are_planned_before_any_runs()
    {
        var ledger = new InMemoryLedger(_clock);
        IStep[] steps = [Step("canary", StepStage.Traffic), Step("ecs", StepStage.Service)];
        var run = new Run("run-20261203-090000-ab12", Service, _clock.GetUtcNow(), RunStatus.Running, null, "{}");
        await ledger.CreateRunAsync(run, Ct);
        await ledger.AppendJournalAsync(run.Id, "canary", JournalKind.Planned, """{"summary":"canary as planned"}""", Ct);

        await Executor(ledger, steps).ResumeAsync(run, Plan(steps), Alice, Ct);

        var journal = await ledger.ReadJournalAsync(run.Id, Ct);
        Assert.Equal(["canary Planned", "ecs Planned", "canary Started"], journal.Take(3).Select(e => $"{e.Step} {e.Kind}"));
        Assert.Equal(1, journal.Count(e => e.Step == "canary" && e.Kind == JournalKind.Planned));
    }

    [Fact]
    public async Task Given_a_step_killed_after_its_first_call_when_the_run_is_resumed_then_the_step_sees_that_call_sent_with_its_result()
    {
        var ledger = new InMemoryLedger(_clock);
        var sent = new List<string>();
        var seen = new List<(bool WasSent, string? Earlier)>();
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        IStep[] steps = [Step("ecs", StepStage.Service, async (_, context, ct) =>
        {
            seen.Add((context.WasSent("UpdateService"), context.EarlierResult("UpdateService")?["deployment"]?.GetValue<string>()));
            if (!context.WasSent("UpdateService"))
                await context.CallAsync("UpdateService", new JsonObject(), _ => { sent.Add("UpdateService"); return Task.FromResult("ecs-svc/1"); }, d => new JsonObject { ["deployment"] = d }, ct);
            if (sent.Count == 1 && seen.Count == 1)
            {
                await kill.CancelAsync(); // the process dies before the step ends
                ct.ThrowIfCancellationRequested();
            }
            return StepResult.Succeeded("rolled back", FakeStep.Proof);
        })];

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, kill.Token));
        var run = Assert.Single(await ledger.ListRunsAsync(Service, 10, Ct));
        var resumed = await Executor(ledger, steps).ResumeAsync(run, Plan(steps), Alice, Ct);

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal(["UpdateService"], sent);
        Assert.Equal([(false, null), (true, "ecs-svc/1")], seen);
    }

    [Fact]
    public async Task Given_the_service_locked_by_another_operator_then_nothing_is_journaled_and_no_step_runs()
    {
        var ledger = new InMemoryLedger(_clock);
        await ledger.TryAcquireAsync(Service, "bob (pid 200)", "laptop-2", TimeSpan.FromMinutes(2), Ct);
        IStep[] steps = [Step("ecs", StepStage.Service)];

        var locked = await Assert.ThrowsAsync<ServiceLockedException>(() => Executor(ledger, steps).StartAsync(Plan(steps), "{}", Alice, Ct));

        Assert.Equal("bob (pid 200)", locked.Holder.Owner);
        Assert.Empty(await ledger.ListRunsAsync(Service, 10, Ct));
        Assert.Empty(_log.Lines);
    }

    [Fact]
    public async Task Given_a_plan_naming_a_step_this_rewind_lacks_then_the_run_fails_loudly()
    {
        var ledger = new InMemoryLedger(_clock);
        var plan = new RollbackPlan(Service, null, _clock.GetUtcNow(), [FakeStep.PlanOf("teleport", StepStage.Service)]);

        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => Executor(ledger, []).StartAsync(plan, "{}", Alice, Ct));

        Assert.Equal("the plan names step 'teleport', which this Rewind does not have", missing.Message);
    }

    private FakeStep Step(string name, StepStage stage, Func<StepPlan, StepContext, CancellationToken, Task<StepResult>>? execute = null) =>
        execute is null ? new FakeStep(name, stage, _log) : new FakeStep(name, stage, _log) { Execute = execute };

    private RunExecutor Executor(InMemoryLedger ledger, IReadOnlyList<IStep> steps) => new(ledger, steps, new QuietObserver(), _clock);

    private RollbackPlan Plan(IEnumerable<IStep> steps) =>
        new(Service, null, _clock.GetUtcNow(), [.. steps.OrderBy(s => s.Stage).Select(s => FakeStep.PlanOf(s.Name, s.Stage))]);

    /// <summary>What the AWS layer throws for AccessDenied: an expected failure of kind bad input, with its code.</summary>
    private sealed class DeniedException() : Exception("Secrets Manager PutSecretValue failed: AccessDeniedException: not authorized"), IRewindFailure
    {
        public FailureKind Kind => FailureKind.BadInput;

        public string? AwsCode => "AccessDeniedException";

        public string Hint => "grant the permission";
    }
}
