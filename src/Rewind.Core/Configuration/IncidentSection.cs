namespace Rewind.Core.Configuration;

/// <summary>The postmortem process (<c>incident:</c>): owner, deadline, severity, where drafts go, optional trackers.</summary>
/// <param name="OnCall">Default owner of the incident when <c>--owner</c> is not given.</param>
/// <param name="PostmortemDue">How long after opening the postmortem is due.</param>
/// <param name="Severity">Severity of the incident a rollback opens (default <c>SEV2</c>).</param>
/// <param name="GitHub">A GitHub issue per incident; null when not configured.</param>
/// <param name="Jira">A Jira issue per incident; null when not configured.</param>
/// <param name="WebhookEnv">Environment variable holding a generic JSON webhook URL told of each incident.</param>
/// <param name="DraftsDir">Where the postmortem drafts (Markdown) and invitations (.ics) are written (relative to the configuration file's folder, the default <c>postmortems</c> too; relative to the working directory only without a file).</param>
public sealed record IncidentSection(
    string? OnCall,
    TimeSpan PostmortemDue,
    string Severity = PlaybookDefaults.Severity,
    GitHubTrackerSection? GitHub = null,
    JiraTrackerSection? Jira = null,
    string? WebhookEnv = null,
    string DraftsDir = PlaybookDefaults.DraftsDir)
{
    /// <summary>No on-call set; postmortem within the playbook's 48 hours; no tracker.</summary>
    public static IncidentSection Default { get; } = new(null, PlaybookDefaults.PostmortemDue);
}

/// <summary>GitHub issues (<c>incident.github</c>).</summary>
/// <param name="Repository"><c>owner/name</c>.</param>
/// <param name="TokenEnv">Environment variable holding the token (default <c>GITHUB_TOKEN</c>).</param>
/// <param name="Labels">Labels put on the issue.</param>
/// <param name="Assignee">GitHub login assigned; default: none (the incident's owner is a person's name, not a login).</param>
/// <param name="ApiUrl">The REST API's base address (GitHub Enterprise: <c>https://HOST/api/v3</c>).</param>
public sealed record GitHubTrackerSection(string Repository, string TokenEnv, ValueList<string> Labels, string? Assignee, string ApiUrl);

/// <summary>Jira issues (<c>incident.jira</c>).</summary>
/// <param name="Url">The site, e.g. <c>https://example.atlassian.net</c>.</param>
/// <param name="Project">Project key, e.g. <c>OPS</c>.</param>
/// <param name="IssueType">Issue type name (default <c>Task</c>).</param>
/// <param name="EmailEnv">Environment variable holding the account's e-mail (basic auth user).</param>
/// <param name="TokenEnv">Environment variable holding the API token.</param>
/// <param name="Assignee">Account id assigned, if any.</param>
public sealed record JiraTrackerSection(string Url, string Project, string IssueType, string EmailEnv, string TokenEnv, string? Assignee);
