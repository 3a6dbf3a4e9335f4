namespace Rewind.Core.Configuration;

/// <summary>Who is told about a rollback (<c>notify:</c>); a null audience is not notified.</summary>
/// <param name="Team">The team channel (the playbook's #releases).</param>
/// <param name="Support">The customer support team.</param>
/// <param name="Customers">Affected customers, for example a status page.</param>
public sealed record NotifySection(NotifyTarget? Team, NotifyTarget? Support, NotifyTarget? Customers)
{
    /// <summary>No audience configured.</summary>
    public static NotifySection Default { get; } = new(null, null, null);
}

/// <summary>How one audience is reached: a Slack incoming webhook, a generic JSON webhook, or both.</summary>
/// <param name="SlackWebhookEnv">Environment variable holding the Slack incoming webhook URL.</param>
/// <param name="WebhookEnv">Environment variable holding a generic webhook URL.</param>
/// <param name="Channel">The Slack channel shown in messages (team default <c>#releases</c>).</param>
/// <param name="Enabled">False keeps the audience configured but silent.</param>
public sealed record NotifyTarget(string? SlackWebhookEnv, string? WebhookEnv, string? Channel, bool Enabled);
