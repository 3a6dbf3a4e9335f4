namespace Rewind.Core.Configuration;

/// <summary>The postmortem process (<c>incident:</c>).</summary>
/// <param name="OnCall">Default owner of the incident when <c>--owner</c> is not given.</param>
/// <param name="PostmortemDue">How long after opening the postmortem is due.</param>
public sealed record IncidentSection(string? OnCall, TimeSpan PostmortemDue)
{
    /// <summary>No on-call set; postmortem within the playbook's 48 hours.</summary>
    public static IncidentSection Default { get; } = new(null, PlaybookDefaults.PostmortemDue);
}
