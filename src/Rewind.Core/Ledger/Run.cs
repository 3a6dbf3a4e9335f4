namespace Rewind.Core.Ledger;

/// <summary>Where a run stands.</summary>
public enum RunStatus
{
    /// <summary>Started and not finished (or interrupted: resumable).</summary>
    Running,

    /// <summary>Every step done and verified.</summary>
    Succeeded,

    /// <summary>A step failed; the journal says which.</summary>
    Failed,

    /// <summary>Stopped by the operator; resumable.</summary>
    Cancelled,
}

/// <summary>One execution of a plan (a rollback, an undo, a single step command).</summary>
/// <param name="Id">Run id, e.g. <c>run-20261127-091500-ab12</c> (see <see cref="LedgerIds.NewRunId"/>).</param>
/// <param name="Service">The service it acts on.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="Status">Its status.</param>
/// <param name="TargetReleaseId">The release it rolls back to, if any.</param>
/// <param name="PlanJson">The plan as JSON; opaque to the ledger.</param>
/// <param name="IncidentId">The incident it belongs to, once known.</param>
public sealed record Run(
    string Id,
    string Service,
    DateTimeOffset StartedAt,
    RunStatus Status,
    string? TargetReleaseId,
    string PlanJson,
    string? IncidentId = null);
