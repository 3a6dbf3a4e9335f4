namespace Rewind.Playbook.Incident;

/// <summary>What the incident step is told: the command's flags and the configuration, unresolved.</summary>
/// <param name="Severity">Severity label.</param>
/// <param name="Owner"><c>--owner</c>, if given.</param>
/// <param name="OnCall"><c>incident.on_call</c>, if set.</param>
/// <param name="Operator">Who runs Rewind (the last resort owner).</param>
/// <param name="PostmortemDue">How long after opening the postmortem is due.</param>
/// <param name="DraftsDir">Where the draft and the invitation are written.</param>
/// <param name="Title"><c>--title</c>, if given; else one is made from the rollback.</param>
/// <param name="AboutRun"><c>--run</c>: an earlier run the incident is about (its journal makes the timeline).</param>
public sealed record IncidentSettings(
    string Severity,
    string? Owner,
    string? OnCall,
    string Operator,
    TimeSpan PostmortemDue,
    string DraftsDir,
    string? Title = null,
    string? AboutRun = null)
{
    /// <summary>The owner and where it came from: <c>--owner</c>, else <c>incident.on_call</c>, else the operator.</summary>
    public (string Owner, string From) ResolveOwner() =>
        !string.IsNullOrWhiteSpace(Owner) ? (Owner, "--owner")
        : !string.IsNullOrWhiteSpace(OnCall) ? (OnCall, "incident.on_call")
        : (Operator, "operator");
}
