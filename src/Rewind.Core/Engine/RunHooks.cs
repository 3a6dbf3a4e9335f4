using Rewind.Core.Ledger;

namespace Rewind.Core.Engine;

/// <summary>
/// What happens around every run the executor runs, started or resumed alike (the team's "rollback started" and
/// "rollback failed" announcements): each hook is called once per execution, while the run still holds the service's
/// lock, so whatever a hook sends it journals through <see cref="RunHookContext.JournalAs"/>, fenced like a step.
/// A hook must not fail the run: it reports its own trouble.
/// </summary>
public interface IRunHooks
{
    /// <summary>
    /// The run is journaled (started or resumed) and its first stage begins now: the returned task runs alongside the
    /// stages (a slow receiver never delays the rollback) and the run waits for it before it ends.
    /// </summary>
    Task RunStartedAsync(RunHookContext run, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A step that ran in this execution ended, and its end is journaled.</summary>
    Task StepFinishedAsync(RunHookContext run, StepPlan step, StepResult result, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The run ended, succeeded or failed (<see cref="RunOutcome.Status"/>), before its status is stored and its lock released.</summary>
    Task RunEndedAsync(RunHookContext run, RunOutcome outcome, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The run a hook is called for, and the only way it may journal a call.</summary>
public sealed class RunHookContext
{
    private readonly HeldLease _held;
    private readonly IReadOnlyList<JournalEntry> _journal;
    private readonly IRunObserver _observer;
    private readonly TimeProvider _time;
    private readonly RunOutputs _outputs;

    internal RunHookContext(string runId, RollbackPlan plan, bool resumed, HeldLease held, IReadOnlyList<JournalEntry> journal, IRunObserver observer, TimeProvider time, RunOutputs outputs)
    {
        RunId = runId;
        Plan = plan;
        Resumed = resumed;
        _held = held;
        _journal = journal;
        _observer = observer;
        _time = time;
        _outputs = outputs;
    }

    public string RunId { get; }

    /// <summary>The plan being executed (the stored one on resume).</summary>
    public RollbackPlan Plan { get; }

    /// <summary>Whether this execution continues an earlier one (<c>rewind resume</c>, a takeover).</summary>
    public bool Resumed { get; }

    /// <summary>A step context whose calls are journaled under <paramref name="step"/> (the announcements use "notify").</summary>
    public StepContext JournalAs(string step) => new(RunId, step, _held, _journal, _observer, _time, _outputs);
}
