using System.Text.Json.Serialization;
using Rewind.Core.Configuration;

namespace Rewind.Playbook.Notify;

/// <summary>The audiences a notification can go to, in the order they are told.</summary>
public static class Audiences
{
    public const string Team = "team";
    public const string Support = "support";
    public const string Customers = "customers";

    public static IReadOnlyList<string> All { get; } = [Team, Support, Customers];

    /// <summary>The configured target of one audience, or null.</summary>
    public static NotifyTarget? TargetOf(NotifySection notify, string audience) => audience switch
    {
        Team => notify.Team,
        Support => notify.Support,
        Customers => notify.Customers,
        _ => null,
    };
}

/// <summary>
/// One way to reach one audience: a Slack incoming webhook or a generic JSON webhook, whose URL is read from the
/// environment variable <see cref="EnvironmentVariable"/> at the moment of sending and never kept anywhere.
/// </summary>
/// <param name="Audience">team, support or customers.</param>
/// <param name="Kind"><c>slack</c> or <c>webhook</c>.</param>
/// <param name="EnvironmentVariable">The variable holding the URL (a secret: never printed, journaled or stored).</param>
/// <param name="Channel">The Slack channel shown in messages, if any.</param>
public sealed record NotifyRoute(string Audience, string Kind, string EnvironmentVariable, string? Channel)
{
    public const string Slack = "slack";
    public const string Webhook = "webhook";

    /// <summary>How the route is shown and recorded: <c>slack:#releases</c> or <c>webhook:$SUPPORT_WEBHOOK</c>; never the URL.</summary>
    [JsonIgnore]
    public string Target => Kind == Slack && Channel is { Length: > 0 } ? $"slack:{Channel}" : $"{Kind}:${EnvironmentVariable}";

    /// <summary>
    /// Whether the receiver can drop a repeat: a generic webhook gets the outbox key as <c>Idempotency-Key</c>; Slack's
    /// incoming webhooks ignore it and cannot be asked what they received, so a delivery whose answer was lost is not
    /// resent to them without <c>rewind notify --retry</c>.
    /// </summary>
    [JsonIgnore]
    public bool DropsRepeats => Kind == Webhook;

    /// <summary>Where the variable is named in rewind.yaml: <c>notify.team.slack_webhook_env</c>.</summary>
    [JsonIgnore]
    public string Setting => $"notify.{Audience}.{(Kind == Slack ? "slack_webhook_env" : "webhook_env")}";

    /// <summary>The routes of an audience as configured (none when it is not configured).</summary>
    public static IReadOnlyList<NotifyRoute> Of(string audience, NotifyTarget? target)
    {
        if (target is null)
            return [];
        var routes = new List<NotifyRoute>();
        if (target.SlackWebhookEnv is { } slack)
            routes.Add(new NotifyRoute(audience, Slack, slack, target.Channel));
        if (target.WebhookEnv is { } webhook)
            routes.Add(new NotifyRoute(audience, Webhook, webhook, null));
        return routes;
    }

    /// <summary>The routes of a version-1 plan parameter (418e7ad): one <c>audience kind VARIABLE [#channel]</c> per line.</summary>
    public static IReadOnlyList<NotifyRoute> DecodeAll(string? encoded) =>
        [.. (encoded ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')).Where(p => p.Length >= 3)
            .Select(p => new NotifyRoute(p[0], p[1], p[2], p.Length > 3 ? p[3] : null))];
}
