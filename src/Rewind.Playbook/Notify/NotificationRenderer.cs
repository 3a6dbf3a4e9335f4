using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Rewind.Playbook.Notify;

/// <summary>
/// Turns a <see cref="Notification"/> into the exact bytes sent: Slack Block Kit (header, section with fields,
/// context, and a <c>text</c> fallback) or the generic webhook's JSON. A pure function of the facts and the route.
/// </summary>
public static class NotificationRenderer
{
    /// <summary>The payload for one route.</summary>
    public static JsonObject Render(Notification n, NotifyRoute route) =>
        route.Kind == NotifyRoute.Slack ? Slack(n, route.Audience) : Webhook(n, route.Audience);

    /// <summary>The payload's hash, as the outbox keeps it (the payload itself is never stored).</summary>
    public static string Hash(JsonObject payload) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(payload.ToJsonString())));

    /// <summary>
    /// The generic webhook: <c>{"event","service","run","status","message","time","audience","from","to","incident","impactSince"}</c>;
    /// absent values are null.
    /// </summary>
    public static JsonObject Webhook(Notification n, string audience) => new()
    {
        ["event"] = NotificationKinds.EventOf(n.Kind),
        ["service"] = n.Service,
        ["run"] = n.RunId,
        ["status"] = n.Status,
        ["message"] = Text(n, audience),
        ["time"] = Iso(n.Time),
        ["audience"] = audience,
        ["from"] = n.From,
        ["to"] = n.To,
        ["incident"] = n.Incident,
        ["impactSince"] = n.ImpactSince is { } since ? Iso(since) : null,
    };

    /// <summary>Slack Block Kit for an incoming webhook.</summary>
    public static JsonObject Slack(Notification n, string audience)
    {
        var title = Title(n);
        var text = Text(n, audience);
        var fields = new List<JsonNode> { Field("Service", n.Service) };
        if (n.From is not null || n.To is not null)
            fields.Add(Field("Rollback", $"{n.From ?? "?"} → {n.To ?? "?"}"));
        if (n.RunId is not null)
            fields.Add(Field("Run", n.RunId));
        fields.Add(Field("Status", n.Status));
        if (n.Duration is { } duration)
            fields.Add(Field("Duration", Format(duration)));
        if (n.Incident is not null)
            fields.Add(Field("Incident", n.Incident));
        return new JsonObject
        {
            // The fallback is mrkdwn too (notifications, old clients): escaped like the section, or "<!channel>" in a message would ping everyone.
            ["text"] = SlackText.Escape($"{title}: {text}"),
            ["blocks"] = new JsonArray(
                new JsonObject { ["type"] = "header", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Clip(title, 150) } },
                new JsonObject
                {
                    ["type"] = "section",
                    ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Clip(Escape(text), 3000) },
                    ["fields"] = new JsonArray([.. fields]),
                },
                new JsonObject
                {
                    ["type"] = "context",
                    ["elements"] = new JsonArray(new JsonObject { ["type"] = "mrkdwn", ["text"] = $"Rewind · {NotificationKinds.EventOf(n.Kind)} · {Iso(n.Time)}" }),
                }),
        };
    }

    /// <summary>The one-line headline.</summary>
    public static string Title(Notification n) => n.Kind switch
    {
        NotificationKinds.Started => $"Rollback started: {n.Service}",
        NotificationKinds.Finished => $"Rollback finished: {n.Service}",
        NotificationKinds.Failed => $"Rollback FAILED: {n.Service}",
        NotificationKinds.FreezeOn => $"Releases frozen: {n.Service}",
        NotificationKinds.FreezeOff => $"Releases unfrozen: {n.Service}",
        _ => $"About {n.Service}",
    };

    /// <summary>What the audience reads: the team gets the technical line, support what customers may see and since when.</summary>
    public static string Text(Notification n, string audience)
    {
        var since = n.ImpactSince is { } s ? Readable(s) : "the start of the incident";
        var incident = n.Incident is { } id ? $" Incident {id}." : "";
        return (n.Kind, audience) switch
        {
            (NotificationKinds.Message, _) => n.Detail ?? "",
            (NotificationKinds.Started, Audiences.Team) => $"Rollback of {n.Service} started: {n.From ?? "?"} → {n.To ?? "?"} (run {n.RunId}).",
            (NotificationKinds.Started, _) => $"Customers of {n.Service} may be seeing errors since {since}; a rollback to the previous release started at {Readable(n.Time)}.",
            (NotificationKinds.Finished, Audiences.Team) => $"Rollback of {n.Service} finished and verified: {n.From ?? "?"} → {n.To ?? "?"} in {Format(n.Duration ?? TimeSpan.Zero)} (run {n.RunId}).{incident} Releases stay frozen until the root cause is identified.",
            (NotificationKinds.Finished, Audiences.Support) => $"Customers of {n.Service} may have seen errors or slow responses since {since}. The previous release was restored at {Readable(n.Time)} and verified healthy.{incident}",
            (NotificationKinds.Finished, _) => $"We found an issue affecting {n.Service} between {since} and {Readable(n.Time)}. It is resolved: the service is operating normally.",
            (NotificationKinds.Failed, Audiences.Team) => $"Rollback of {n.Service} failed: {n.Detail}. Continue it with `rewind resume {n.RunId}`.",
            (NotificationKinds.Failed, _) => $"Customers of {n.Service} may still see errors (since {since}); the rollback needs attention and engineers are on it.",
            (NotificationKinds.FreezeOn, _) => $"Releases of {n.Service} are frozen: {n.Detail}.{incident}",
            (NotificationKinds.FreezeOff, _) => $"Releases of {n.Service} are unfrozen. Root cause: {n.Detail}.{incident}",
            _ => n.Detail ?? "",
        };
    }

    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Readable(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A duration as people say it: <c>45s</c>, <c>2m 05s</c>, <c>1h 02m</c>.</summary>
    public static string Format(TimeSpan duration) => duration.TotalHours >= 1
        ? $"{(int)duration.TotalHours}h {duration.Minutes:00}m"
        : duration.TotalMinutes >= 1 ? $"{(int)duration.TotalMinutes}m {duration.Seconds:00}s" : $"{(int)duration.TotalSeconds}s";

    private static JsonObject Field(string name, string value) => new() { ["type"] = "mrkdwn", ["text"] = Clip($"*{name}*\n{Escape(value)}", 2000) };

    private static string Escape(string text) => SlackText.Escape(text);

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
