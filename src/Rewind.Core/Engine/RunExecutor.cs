using System.Diagnostics;
using System.Text.Json.Nodes;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;

namespace Rewind.Core.Engine;

/// <summary>Another operator holds the service: nothing was done.</summary>
public sealed class ServiceLockedException(Lease holder)
    : Exception($"{holder.Service} is locked by {holder.Owner} on {holder.Host} since {holder.AcquiredAt:yyyy-MM-dd HH:mm:ss}Z (until {holder.ExpiresAt:HH:mm:ss}Z)"), IRewindFailure
{
    public Lease Holder { get; } = holder;

    public FailureKind Kind => FailureKind.Blocked;

    public string? AwsCode => null;

    public string Hint => "wait for that run to finish, or take the lock over with --takeover";
}

/// <summary>How a run ended: each step's result, in plan order.</summary>
public sealed record RunOutcome(string RunId, RunStatus Status, IReadOnlyList<(StepPlan Step, StepResult Result)> Steps);

/// <summary>
/// Executes a plan: holds and renews the service lock, journals every step before and after, runs each stage's steps in
/// parallel and the stages in order, gives every step its deadline, and on resume skips what the journal proves done.
/// </summary>
public sealed class RunExecutor(ILedger ledger, IReadOnlyList<IStep> steps, IRunObserver observer, TimeProvider time)
{
    /// <summary>
    /// Which holder's lease this executor may take over instead of stopping: an operator's explicit --takeover, or a
    /// holder known to be dead (a killed process on this host). The takeover is journaled.
    /// </summary>
    public Func<Lease, bool> TakeOverWhen { get; init; } = _ => false;

    /// <summary>Called around every execution, started or resumed (the announcements): see <see cref="IRunHooks"/>.</summary>
    public IRunHooks? Hooks { get; init; }

    /// <summary>How long a lease lasts without renewal; renewed every third of it while the run lives.</summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the last ledger writes of a cancelled run may take.</summary>
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(5);

    /// <summary>Starts a new run of <paramref name="plan"/>.</summary>
    public async Task<RunOutcome> StartAsync(RollbackPlan plan, string planJson, Operator by, CancellationToken cancellationToken)
    {
        var needs = StepNeeds.Of(plan, steps);
        var runId = LedgerIds.NewRunId(time.GetUtcNow());
        var (holder, replaced) = await LockAsync(plan.Service, by, cancellationToken);
        await using var _ = holder;
        await ledger.Runs.CreateRunAsync(new Run(runId, plan.Service, time.GetUtcNow(), RunStatus.Running, plan.Target?.ReleaseId, planJson), cancellationToken);
        await JournalTakeoverAsync(holder.Held, runId, replaced, cancellationToken);
        await JournalPlanAsync(holder.Held, runId, plan, [], cancellationToken);
        return await RunAsync(holder.Held, runId, plan, needs, [], resumed: false, cancellationToken);
    }

    /// <summary>
    /// Continues an interrupted or failed run: steps the journal shows completed are not run again. A takeover (the
    /// run another operator's process still holds) is a resume too: the new holder continues the same stored plan.
    /// </summary>
    public async Task<RunOutcome> ResumeAsync(Run run, RollbackPlan plan, Operator by, CancellationToken cancellationToken)
    {
        var needs = StepNeeds.Of(plan, steps);
        var (holder, replaced) = await LockAsync(plan.Service, by, cancellationToken);
        await using var _ = holder;
        // The takeover is journaled before the journal is read, so the steps see every entry the displaced run
        // managed to write: from here on its fenced writes are refused.
        await JournalTakeoverAsync(holder.Held, run.Id, replaced, cancellationToken);
        await ledger.Runs.SetRunStatusAsync(run.Id, RunStatus.Running, cancellationToken);
        var journal = await ledger.Runs.ReadJournalAsync(run.Id, cancellationToken);
        if (await JournalPlanAsync(holder.Held, run.Id, plan, journal, cancellationToken))
            journal = await ledger.Runs.ReadJournalAsync(run.Id, cancellationToken);
        return await RunAsync(holder.Held, run.Id, plan, needs, journal, resumed: true, cancellationToken);
    }

    /// <summary>
    /// Runs the stages with the hooks around them: "started" alongside the stages, awaited before the end; "ended" with
    /// the outcome; then the run's status, while the lock is still held.
    /// </summary>
    private async Task<RunOutcome> RunAsync(
        HeldLease held, string runId, RollbackPlan plan, IReadOnlyDictionary<string, IReadOnlyList<string>> needs, IReadOnlyList<JournalEntry> journal, bool resumed,
        CancellationToken cancellationToken)
    {
        var outputs = RunOutputs.From(journal);
        var hooked = new RunHookContext(runId, plan, resumed, held, journal, observer, time, outputs);
        var started = Hooks?.RunStartedAsync(hooked, cancellationToken) ?? Task.CompletedTask;
        RunOutcome outcome;
        try
        {
            outcome = await RunStagesAsync(held, hooked, needs, journal, outputs, cancellationToken);
        }
        finally
        {
            // Whatever ended the run, "started" is not left writing to a journal whose lock is about to go.
            await Task.WhenAny(started);
        }
        if (Hooks is { } hooks)
            await hooks.RunEndedAsync(hooked, outcome, cancellationToken);
        ThrowIfLost(held, "ending the run");
        await ledger.Runs.SetRunStatusAsync(runId, outcome.Status, cancellationToken);
        return outcome;
    }

    private async Task<RunOutcome> RunStagesAsync(
        HeldLease held, RunHookContext run, IReadOnlyDictionary<string, IReadOnlyList<string>> needs, IReadOnlyList<JournalEntry> journal, RunOutputs outputs,
        CancellationToken cancellationToken)
    {
        var runId = run.RunId;
        var done = journal.Where(e => e.Kind is JournalKind.Completed or JournalKind.Skipped).Select(e => e.Step).ToHashSet(StringComparer.Ordinal);
        var results = new List<(StepPlan, StepResult)>();
        try
        {
            foreach (var stage in run.Plan.Stages)
            {
                // Each step starts once the needs it shares the stage with have ended; the others run in parallel.
                var running = new Dictionary<string, Task<(StepPlan, StepResult)?>>(StringComparer.Ordinal);
                foreach (var step in StepNeeds.Ordered(stage, needs))
                {
                    var first = needs[step.Step].Where(running.ContainsKey).Select(n => running[n]).ToList();
                    running[step.Step] = done.Contains(step.Step)
                        ? Task.FromResult<(StepPlan, StepResult)?>((step, new StepResult(StepStatus.Skipped, "already done in an earlier attempt", (StepEvidence?)null)))
                        : AfterAsync(first, () => RunStepAsync(held, run, step, journal, outputs, cancellationToken));
                }
                await Task.WhenAll(running.Values);
                // In plan order; a step whose need did not succeed did not run and has no result.
                var stageResults = stage.Select(s => running[s.Step].Result).OfType<(StepPlan, StepResult)>().ToList();
                results.AddRange(stageResults);
                if (stageResults.Any(r => r.Item2.Status is StepStatus.Failed or StepStatus.AwaitingApproval))
                    return new RunOutcome(runId, RunStatus.Failed, results);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C: the journal holds what was done; 'rewind resume' continues. This last write gets its own short bound.
            using var grace = new CancellationTokenSource(GracePeriod, time);
            await ledger.Runs.SetRunStatusAsync(runId, RunStatus.Cancelled, grace.Token);
            throw;
        }
        return new RunOutcome(runId, RunStatus.Succeeded, results);
    }

    /// <summary>Runs <paramref name="step"/> once every need has ended well; null (not run) when one did not.</summary>
    private static async Task<(StepPlan, StepResult)?> AfterAsync(IReadOnlyList<Task<(StepPlan, StepResult)?>> needs, Func<Task<(StepPlan, StepResult)>> step)
    {
        foreach (var need in needs)
        {
            if (await need is not { Item2.Status: StepStatus.Succeeded or StepStatus.Skipped })
                return null;
        }
        return await step();
    }

    /// <summary>
    /// Journals a Planned entry for every step of the plan that has none yet: all of them at the start, and on resume
    /// those a start killed half-way through journaling the plan never wrote (the announcements read their routes from
    /// them). Returns whether it wrote any.
    /// </summary>
    private static async Task<bool> JournalPlanAsync(HeldLease held, string runId, RollbackPlan plan, IReadOnlyList<JournalEntry> journal, CancellationToken cancellationToken)
    {
        var planned = journal.Where(e => e.Kind == JournalKind.Planned).Select(e => e.Step).ToHashSet(StringComparer.Ordinal);
        var missing = plan.Steps.Where(step => !planned.Contains(step.Step)).ToList();
        foreach (var step in missing)
            await AppendAsync(held, runId, step.Step, JournalKind.Planned, Describe(step).ToJsonString(), "its first step", cancellationToken);
        return missing.Count > 0;
    }

    private async Task<(StepPlan, StepResult)> RunStepAsync(
        HeldLease held, RunHookContext run, StepPlan plan, IReadOnlyList<JournalEntry> journal, RunOutputs outputs, CancellationToken cancellationToken)
    {
        var runId = run.RunId;
        var step = steps.FirstOrDefault(s => s.Name == plan.Step)
            ?? throw new InvalidOperationException($"the plan names step '{plan.Step}', which this Rewind does not have");
        await AppendAsync(held, runId, plan.Step, JournalKind.Started, "{}", $"step {plan.Step}", cancellationToken);
        observer.StepStarted(plan);
        var started = Stopwatch.GetTimestamp();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(plan.DeadlineSeconds), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token, held.Lost);
        StepResult result;
        try
        {
            result = await step.ExecuteAsync(plan, new StepContext(runId, plan.Step, held, journal, observer, time, outputs), linked.Token);
        }
        catch (OperationCanceledException) when (held.LostBecause is { } lost && !cancellationToken.IsCancellationRequested)
        {
            // A failed renewal found the lock taken: whatever the step was waiting for is the new holder's now.
            throw new RunStoppedByTakeoverException(lost, $"its next change in step {plan.Step}");
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // A step that was still retrying a busy AWS when its deadline came says why (the inner exception).
            var evidence = e.InnerException is { } still ? StepFailed.Of(still, plan.DeadlineSeconds) : new StepFailed(nameof(TimeoutException), plan.DeadlineSeconds);
            result = StepResult.Failed(
                $"deadline of {plan.DeadlineSeconds:0} s reached{(e.InnerException is { } reason ? $" ({reason.Message})" : "")}; the run can be continued with 'rewind resume {runId}'",
                evidence);
        }
        catch (Exception e) when (e is not RunStoppedByTakeoverException && !(e is OperationCanceledException && linked.IsCancellationRequested))
        {
            // A cancellation none of the run's tokens asked for (an HTTP client's own timeout) is the step's failure,
            // not the run's: the run ends failed and resumable, as for any other error.
            result = StepResult.Failed(e.Message, StepFailed.Of(e, null));
        }
        var detail = result.ToJson();
        var kind = result.Status is StepStatus.Succeeded or StepStatus.Skipped ? JournalKind.Completed : JournalKind.CallFailed;
        await AppendAsync(held, runId, plan.Step, kind, detail.ToJsonString(), $"journaling the end of step {plan.Step}", cancellationToken);
        outputs.Add(plan.Step, result);
        observer.StepFinished(plan, result, Stopwatch.GetElapsedTime(started));
        if (Hooks is { } hooks)
            await hooks.StepFinishedAsync(run, plan, result, cancellationToken);
        return (plan, result);
    }

    private async Task<(LeaseHolder Holder, Lease? Replaced)> LockAsync(string service, Operator by, CancellationToken cancellationToken)
    {
        var attempt = await ledger.Leases.TryAcquireAsync(service, by.Owner, by.Host, LeaseTtl, cancellationToken);
        var lease = attempt.Lease;
        Lease? replaced = null;
        if (!attempt.Acquired)
        {
            if (!TakeOverWhen(attempt.Lease))
                throw new ServiceLockedException(attempt.Lease);
            var takeover = await ledger.Leases.TakeOverAsync(service, by.Owner, by.Host, LeaseTtl, cancellationToken);
            (lease, replaced) = (takeover.Lease, takeover.Previous);
        }
        return (new LeaseHolder(ledger.Leases, new HeldLease(ledger.Runs, lease), LeaseTtl, GracePeriod, time), replaced);
    }

    private static async Task JournalTakeoverAsync(HeldLease held, string runId, Lease? replaced, CancellationToken cancellationToken)
    {
        if (replaced is null)
            return;
        var detail = new JsonObject
        {
            ["call"] = "TakeOverLock",
            ["previousOwner"] = replaced.Owner,
            ["previousHost"] = replaced.Host,
            ["previousSince"] = replaced.AcquiredAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["previousGeneration"] = replaced.Generation,
            ["generation"] = held.Fence.Generation,
        };
        await AppendAsync(held, runId, "lock", JournalKind.CallSucceeded, detail.ToJsonString(), "journaling its takeover", cancellationToken);
    }

    /// <summary>A fenced journal write; a lost lease stops the run before whatever <paramref name="before"/> names.</summary>
    private static async Task AppendAsync(HeldLease held, string runId, string step, JournalKind kind, string detailJson, string before, CancellationToken cancellationToken)
    {
        try
        {
            await held.AppendAsync(runId, step, kind, detailJson, cancellationToken);
        }
        catch (LeaseLostException lost)
        {
            throw new RunStoppedByTakeoverException(lost, before);
        }
    }

    private static void ThrowIfLost(HeldLease held, string before)
    {
        if (held.LostBecause is { } lost)
            throw new RunStoppedByTakeoverException(lost, before);
    }

    /// <summary>A Planned entry: the step's summary and its typed plan (a version-1 plan's parameters).</summary>
    private static JsonObject Describe(StepPlan step)
    {
        var json = new JsonObject { ["summary"] = step.Summary, ["nothingToDo"] = step.NothingToDo };
        if (step.Detail is { } detail)
            json["detail"] = detail.DeepClone();
        if (step.Parameters is { } parameters)
            json["parameters"] = new JsonObject([.. parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]);
        return json;
    }

    /// <summary>
    /// Renews the lease every third of its lifetime until disposed, then releases it. A renewal that finds the lock
    /// held by another (Conflict), gone (NotFound) or acquired again under another generation marks the lease lost,
    /// which stops the run; an unreachable ledger is tried again at the next tick (the fenced writes decide meanwhile).
    /// </summary>
    private sealed class LeaseHolder : IAsyncDisposable
    {
        private readonly ILeaseStore _leases;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing;
        private readonly TimeSpan _grace;
        private readonly TimeProvider _time;

        public LeaseHolder(ILeaseStore leases, HeldLease held, TimeSpan ttl, TimeSpan grace, TimeProvider time)
        {
            _leases = leases;
            Held = held;
            _grace = grace;
            _time = time;
            _renewing = RenewAsync(ttl, time, _stop.Token);
        }

        public HeldLease Held { get; }

        private LeaseFence Fence => Held.Fence;

        private async Task RenewAsync(TimeSpan ttl, TimeProvider time, CancellationToken stop)
        {
            using var timer = new PeriodicTimer(ttl / 3, time);
            try
            {
                while (Held.LostBecause is null && await timer.WaitForNextTickAsync(stop))
                {
                    try
                    {
                        var renewed = await _leases.RenewAsync(Fence.Service, Fence.Owner, Fence.Host, ttl, stop);
                        if (renewed.Generation != Fence.Generation)
                            Held.MarkLost(new LeaseLostException(Fence, renewed));
                    }
                    catch (LedgerException e) when (e.Reason is LedgerFailureReason.Conflict or LedgerFailureReason.NotFound)
                    {
                        Held.MarkLost(new LeaseLostException(Fence, await _leases.GetLeaseAsync(Fence.Service, stop)));
                    }
                    catch (LedgerException e) when (e.Reason is LedgerFailureReason.Unreachable)
                    {
                        // Tried again at the next tick; the lease outlives two missed renewals.
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Disposed: the run is over.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _renewing;
            _stop.Dispose();
            if (Held.LostBecause is null)
            {
                // Released even after Ctrl-C, within a short bound; an unreleased lease still expires by itself.
                using var grace = new CancellationTokenSource(_grace, _time);
                await _leases.ReleaseAsync(Fence.Service, Fence.Owner, Fence.Host, grace.Token);
            }
            Held.Dispose();
        }
    }
}
