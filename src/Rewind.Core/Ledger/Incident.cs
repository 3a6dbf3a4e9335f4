namespace Rewind.Core.Ledger;

/// <summary>Whether an incident is still open.</summary>
public enum IncidentStatus
{
    /// <summary>Open: the postmortem is pending.</summary>
    Open,

    /// <summary>Closed.</summary>
    Closed,
}

/// <summary>What the caller knows when opening an incident; the ledger allocates the id and the time.</summary>
/// <param name="Title">One-line title.</param>
/// <param name="Severity">Severity label, e.g. <c>SEV2</c>.</param>
/// <param name="Owner">Postmortem owner, if known.</param>
/// <param name="PostmortemWithin">How long after opening the postmortem is due (the playbook says 48 h).</param>
/// <param name="TrackerLink">Link to the ticket, once it exists.</param>
/// <param name="Service">The service it concerns, if one.</param>
public sealed record IncidentDraft(
    string Title,
    string Severity,
    string? Owner,
    TimeSpan PostmortemWithin,
    string? TrackerLink = null,
    string? Service = null)
{
    /// <summary>The open incident this draft becomes once a backend has allocated its <paramref name="number"/>.</summary>
    public Incident Open(long number, DateTimeOffset now) => new(
        LedgerIds.IncidentId(number), Title, Severity, Owner, now, now + PostmortemWithin, TrackerLink, IncidentStatus.Open, Service);
}

/// <summary>An incident with its atomically allocated id (<c>INC-0001</c>…).</summary>
/// <param name="Id">The incident id, e.g. <c>INC-0001</c>.</param>
/// <param name="Title">One-line title.</param>
/// <param name="Severity">Severity label, e.g. <c>SEV2</c>.</param>
/// <param name="Owner">Postmortem owner, if known.</param>
/// <param name="OpenedAt">When it was opened.</param>
/// <param name="PostmortemDue">When the postmortem is due.</param>
/// <param name="TrackerLink">Link to the ticket, once it exists.</param>
/// <param name="Status">Open or closed.</param>
/// <param name="Service">The service it concerns, if one.</param>
/// <param name="RootCause">The identified root cause, copied from the freeze lifted with it; null until then.</param>
/// <param name="RootCauseFrom">The freeze whose lift recorded <paramref name="RootCause"/>, if any.</param>
public sealed record Incident(
    string Id,
    string Title,
    string Severity,
    string? Owner,
    DateTimeOffset OpenedAt,
    DateTimeOffset PostmortemDue,
    string? TrackerLink,
    IncidentStatus Status,
    string? Service,
    string? RootCause = null,
    string? RootCauseFrom = null);
