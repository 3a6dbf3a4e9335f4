using Rewind.Core.Ledger;

namespace Rewind.Playbook.Freeze;

/// <summary>What copying a lifted freeze's root cause into its incident does (or did).</summary>
public enum IncidentRootCauseOutcome
{
    /// <summary>The freeze names no incident: the root cause stays with the freeze only.</summary>
    NoIncident,

    /// <summary>The freeze names an incident the ledger does not hold: nothing to copy into.</summary>
    IncidentMissing,

    /// <summary>The incident already holds this root cause: nothing to change.</summary>
    Unchanged,

    /// <summary>The incident had no root cause: it gets this one.</summary>
    Record,

    /// <summary>The incident held another root cause (an earlier freeze's): the newest lift wins.</summary>
    Replace,
}

/// <summary>
/// Copying the root cause a freeze was lifted with into the incident the freeze names (<c>rewind freeze off</c>). The
/// freeze record is written first, so a crash in between leaves a lifted freeze whose incident lacks its root cause:
/// <see cref="UnfinishedAsync"/> finds it and a second <c>freeze off</c> (or <c>rewind resume</c>) completes the copy. Copying is idempotent:
/// the same root cause is never written twice; a different one is replaced (the newest lift wins) and reported.
/// </summary>
/// <param name="FreezeId">The lifted freeze.</param>
/// <param name="IncidentId">The incident the freeze names, if any.</param>
/// <param name="RootCause">The root cause the freeze was lifted with.</param>
/// <param name="Outcome">What the copy does.</param>
/// <param name="Replaced">The root cause the incident held before, when it is replaced.</param>
public sealed record IncidentRootCause(
    string FreezeId, string? IncidentId, string RootCause, IncidentRootCauseOutcome Outcome, string? Replaced)
{
    /// <summary>Whether the copy writes the incident.</summary>
    public bool ChangesIncident => Outcome is IncidentRootCauseOutcome.Record or IncidentRootCauseOutcome.Replace;

    /// <summary>Plans the copy of <paramref name="freeze"/>'s root cause (lifted, or about to be lifted with it).</summary>
    public static async Task<IncidentRootCause> PlanAsync(
        IIncidentStore incidents, Core.Ledger.Freeze freeze, CancellationToken cancellationToken)
    {
        var rootCause = freeze.RootCause ?? throw new ArgumentException($"freeze {freeze.Id} has no root cause", nameof(freeze));
        if (freeze.IncidentId is null)
            return new(freeze.Id, null, rootCause, IncidentRootCauseOutcome.NoIncident, null);
        var incident = await incidents.GetIncidentAsync(freeze.IncidentId, cancellationToken);
        var outcome = incident switch
        {
            null => IncidentRootCauseOutcome.IncidentMissing,
            { RootCause: null } => IncidentRootCauseOutcome.Record,
            _ when string.Equals(incident.RootCause, rootCause, StringComparison.Ordinal) => IncidentRootCauseOutcome.Unchanged,
            _ => IncidentRootCauseOutcome.Replace,
        };
        return new(freeze.Id, freeze.IncidentId, rootCause, outcome, outcome == IncidentRootCauseOutcome.Replace ? incident!.RootCause : null);
    }

    /// <summary>
    /// The copy of the service's last lift (<see cref="FreezeVerdict.LastLift"/>) when its incident does not hold its
    /// root cause yet (the process died between the lift and the copy), or null when it is complete or there is no
    /// lift. Only the last lift counts: an older freeze's root cause never overwrites a newer one's.
    /// </summary>
    public static async Task<IncidentRootCause?> UnfinishedAsync(IIncidentStore incidents, Core.Ledger.Freeze? lastLift, CancellationToken cancellationToken)
    {
        if (lastLift is null)
            return null;
        var copy = await PlanAsync(incidents, lastLift, cancellationToken);
        return copy.ChangesIncident ? copy : null;
    }

    /// <summary>Writes the root cause into the incident (only when <see cref="ChangesIncident"/>).</summary>
    public Task<Core.Ledger.Incident> ApplyAsync(IIncidentStore incidents, CancellationToken cancellationToken) =>
        incidents.UpdateIncidentAsync(IncidentId!, incident => incident with { RootCause = RootCause, RootCauseFrom = FreezeId }, cancellationToken);

    /// <summary>The copy a <see cref="Wire"/> value (done) names again: how a lift's evidence is rendered.</summary>
    public static IncidentRootCause FromWire(string freezeId, string? incidentId, string rootCause, string wire, string? replaced) => new(
        freezeId, incidentId, rootCause,
        wire switch
        {
            "no-incident" => IncidentRootCauseOutcome.NoIncident,
            "incident-missing" => IncidentRootCauseOutcome.IncidentMissing,
            "unchanged" => IncidentRootCauseOutcome.Unchanged,
            "recorded" => IncidentRootCauseOutcome.Record,
            "replaced" => IncidentRootCauseOutcome.Replace,
            _ => throw new ArgumentException($"'{wire}' is not a root cause copy's outcome", nameof(wire)),
        },
        replaced);

    /// <summary>The outcome as <c>--output json</c> shows it: <c>recorded</c>, <c>replaced</c>, … or <c>would-record</c>, … in a dry-run.</summary>
    public string Wire(bool done) => Outcome switch
    {
        IncidentRootCauseOutcome.NoIncident => "no-incident",
        IncidentRootCauseOutcome.IncidentMissing => "incident-missing",
        IncidentRootCauseOutcome.Unchanged => "unchanged",
        IncidentRootCauseOutcome.Record => done ? "recorded" : "would-record",
        _ => done ? "replaced" : "would-replace",
    };

    /// <summary>One line for people: what was (or, in a dry-run, would be) done with the incident.</summary>
    public string Describe(bool done) => Outcome switch
    {
        IncidentRootCauseOutcome.NoIncident =>
            $"freeze {FreezeId} names no incident: the root cause stays with the freeze (nothing to copy it into)",
        IncidentRootCauseOutcome.IncidentMissing =>
            $"incident {IncidentId} of freeze {FreezeId} is not in the ledger: the root cause stays with the freeze",
        IncidentRootCauseOutcome.Unchanged => $"incident {IncidentId} already holds this root cause: unchanged",
        IncidentRootCauseOutcome.Record => done
            ? $"root cause recorded in incident {IncidentId}"
            : $"would record the root cause in incident {IncidentId}",
        _ => done
            ? $"root cause of incident {IncidentId} replaced (it was: {Replaced})"
            : $"would replace the root cause of incident {IncidentId} (now: {Replaced})",
    };
}
