using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rewind.Core.Engine;

namespace Rewind.Core.Evidence;

/// <summary>
/// Evidence of journals written before typed evidence (418e7ad and the main branch before issue 16): each step stored
/// a flat name → value dictionary of strings ("running" = "2", "alarms" = "api-5xx=OK;api-latency=ALARM", "results" =
/// a JSON array in a string). This is the only place that parses those strings: it turns the dictionary of a named step
/// into that step's typed record once, so the checklist and the report read old runs as they read new ones. Steps
/// whose version-1 evidence does not hold what their record needs (canary's wanted weights, the secrets' target
/// versions, infra, freeze) are left as <see cref="UntypedEvidence"/>: the report shows their facts as stored.
/// </summary>
public static class Version1Evidence
{
    /// <summary>The word version-1 evidence wrote for an absent value.</summary>
    private const string None = "none";

    /// <summary>The typed record of <paramref name="step"/>'s version-1 evidence; null for a step it has no record for.</summary>
    public static StepEvidence? From(string step, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(values);
        var v = new Values(values);
        return step switch
        {
            "ecs" => Ecs(v),
            "smoke" => Smoke(v),
            "verify" => Verify(v),
            "incident" => Incident(v),
            "notify" => Notify(v),
            "cdn" => Cdn(v),
            _ => null,
        };
    }

    /// <summary>
    /// The task definition a version-1 plan's ecs step was to run (its <c>taskDefinition</c> parameter), else the
    /// plan's target: version-1 ecs evidence does not name it.
    /// </summary>
    public static string? PlannedTaskDefinition(RollbackPlan? plan) =>
        plan?.Steps.FirstOrDefault(s => s.Step == "ecs")?.Parameters?.GetValueOrDefault("taskDefinition") is { Length: > 0 } planned
            ? planned
            : plan?.Target?.TaskDefinitionArn;

    // 418e7ad EcsStep: deployment, taskDefinition ("none" without a primary), rolloutState ("not awaited" for --no-wait),
    // running, desired, deployments.
    private static ServiceReverted Ecs(Values v) => new(
        Cluster: "", Service: "", TargetTaskDefinition: "",
        Deployment: v.Text("deployment"),
        TaskDefinition: v.Text("taskDefinition"),
        RolloutState: v.Text("rolloutState"),
        Running: v.Int("running") ?? 0,
        Desired: v.Int("desired") ?? 0,
        Deployments: v.Int("deployments") ?? 0,
        Awaited: v.Text("rolloutState") != "not awaited");

    // 418e7ad SmokeReport.Evidence: url, checks, passed, failed, results ([{"check","status","latencyMs","attempts","ok","error"?}]), log.
    private static SmokePassed Smoke(Values v) => new(
        v.Text("url") ?? "", v.Int("checks") ?? 0, v.Int("passed") ?? 0, v.Int("failed") ?? 0, SmokeResults(v.Text("results")), v.Text("log"));

    // 418e7ad ErrorRateVerifier.Evidence: every value a string, "none" when absent; alarms "name=STATE;…" or "none".
    // Without a threshold there is nothing to judge the rate against: left untyped.
    private static ErrorRatesNormalized? Verify(Values v) => v.Number("thresholdPercent") is not { } threshold ? null : new(
        Metric: v.Text("metric") ?? "",
        WindowStart: v.Time("windowStart"),
        WindowEnd: v.Time("windowEnd"),
        Requests: v.Long("requests"),
        Errors: v.Long("errors"),
        Rate5xxPercent: v.Number("rate5xxPercent"),
        ThresholdPercent: threshold,
        BaselinePercent: v.Number("baselinePercent"),
        Baseline: v.Text("baseline") ?? (v.Raw("baselinePercent") == None ? None : null),
        Alarms: Alarms(v.Text("alarms")),
        Verdict: v.Text("verdict") ?? "");

    // 418e7ad IncidentStep: incident, owner ("unassigned"), opened, due, ticket ("ledger" or displays joined by ", "),
    // link ("none" or links joined by ", "), verified ("true"/"false"), draft, webhook (only when one was called).
    private static TicketOpened Incident(Values v)
    {
        var displays = (v.Text("ticket") ?? "").Split(", ", StringSplitOptions.RemoveEmptyEntries);
        var links = (v.Text("link") ?? "").Split(", ", StringSplitOptions.RemoveEmptyEntries);
        var tickets = displays.Where(d => d != "ledger").Select((d, i) => new TicketLink(d, i < links.Length ? links[i] : null)).ToList();
        if (tickets.Count == 0 && links.Length > 0)
            tickets.AddRange(links.Select(l => new TicketLink(l, l)));
        return new TicketOpened(
            v.Text("incident") ?? "",
            v.Text("owner") is { } owner && owner != "unassigned" ? owner : null,
            v.Time("opened") ?? default,
            v.Time("due") ?? default,
            tickets,
            v.Text("verified") == "true",
            v.Text("draft"),
            v.Text("webhook"));
    }

    // 418e7ad NotificationOutbox.Evidence: AUDIENCE.target (targets joined by ", "), AUDIENCE.sentAt (the last),
    // AUDIENCE.status (the first failed delivery's, else the first's), AUDIENCE.error ("target: error"), delivered, failed.
    private static TeamNotified Notify(Values v)
    {
        var audiences = v.Keys.Where(k => k.EndsWith(".target", StringComparison.Ordinal)).Select(k => k[..^".target".Length]);
        var deliveries = audiences.Select(a => new AudienceDelivery(
            a, v.Text($"{a}.target") ?? "", v.Time($"{a}.sentAt"), v.Text($"{a}.status") ?? "", v.Text($"{a}.error"))).ToList();
        return new TeamNotified(deliveries, v.Int("delivered") ?? 0, v.Int("failed") ?? 0);
    }

    // 418e7ad CdnStep: distribution, invalidation, status (the paths were in the plan only).
    private static CacheInvalidated Cdn(Values v) =>
        new(v.Text("distribution") ?? "", v.Text("invalidation") ?? "", v.Text("status") ?? "", []);

    private static IReadOnlyList<SmokeCheckResult> SmokeResults(string? json)
    {
        if (json is null)
            return [];
        try
        {
            if (JsonNode.Parse(json) is not JsonArray results)
                return [];
            return [.. results.OfType<JsonObject>().Select(r => new SmokeCheckResult(
                r["check"] is JsonValue c && c.GetValueKind() == JsonValueKind.String ? c.GetValue<string>() : "",
                r["status"] is JsonValue s && s.GetValueKind() == JsonValueKind.Number ? s.GetValue<int>() : null,
                r["latencyMs"] is JsonValue l && l.GetValueKind() == JsonValueKind.Number ? l.GetValue<double>() : 0,
                r["attempts"] is JsonValue a && a.GetValueKind() == JsonValueKind.Number ? a.GetValue<int>() : 0,
                r["ok"] is JsonValue ok && ok.GetValueKind() == JsonValueKind.True,
                r["error"] is JsonValue e && e.GetValueKind() == JsonValueKind.String ? e.GetValue<string>() : null))];
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return [];
        }
    }

    private static IReadOnlyList<AlarmReading> Alarms(string? alarms) =>
        alarms is null
            ? []
            : [.. alarms.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(a => a.LastIndexOf('=') is var at and > 0 ? new AlarmReading(a[..at], a[(at + 1)..]) : new AlarmReading(a, ""))];

    /// <summary>The stored strings, read with "none" and blanks as absent.</summary>
    private sealed class Values(IReadOnlyDictionary<string, string> values)
    {
        public IEnumerable<string> Keys => values.Keys;

        public string? Raw(string key) => values.GetValueOrDefault(key);

        public string? Text(string key) => values.GetValueOrDefault(key) is { } value && !string.IsNullOrWhiteSpace(value) && value != None ? value : null;

        public int? Int(string key) =>
            int.TryParse(Text(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

        public long? Long(string key) =>
            double.TryParse(Text(key), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) ? (long)Math.Round(n) : null;

        public double? Number(string key) =>
            double.TryParse(Text(key), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) ? n : null;

        public DateTimeOffset? Time(string key) =>
            DateTimeOffset.TryParse(Text(key), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
    }
}
