using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;

namespace Rewind.Core.Evidence;

/// <summary>
/// The playbook's rollback checklist as a pure function of a run's record: each of the five items is ticked only when
/// the journal holds the evidence for it and nothing in that evidence contradicts it. An unticked item says what is
/// missing and which command would provide it. A broken hash chain unticks everything: its evidence cannot be trusted.
/// </summary>
public static class Checklist
{
    /// <summary>The item keys, in the playbook's order.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        ["service-reverted", "smoke-tests-passing", "error-rates-normalized", "postmortem-ticket-created", "team-notified"];

    /// <summary>The postmortem must be due within this long after the incident was opened (the playbook's 48 hours).</summary>
    public static readonly TimeSpan PostmortemWithin = TimeSpan.FromHours(48);

    /// <summary>The five items for <paramref name="record"/>, in the playbook's order.</summary>
    public static IReadOnlyList<ChecklistItem> Evaluate(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ChecklistItem[] items =
        [
            ServiceReverted(record),
            SmokeTestsPassing(record),
            ErrorRatesNormalized(record),
            PostmortemTicketCreated(record),
            TeamNotified(record),
        ];
        if (record.ChainBreak is not { } broken)
            return items;
        var why = $"the journal's hash chain is broken at entry {broken.Seq} ({broken.Reason}): its evidence cannot be trusted";
        return [.. items.Select(item => item with
        {
            Ticked = false,
            Missing = item.Missing is null ? why : $"{why}; {item.Missing}",
            Command = $"rewind ledger verify {record.Run.Id}",
        })];
    }

    /// <summary>Whether every item is ticked.</summary>
    public static bool AllTicked(IEnumerable<ChecklistItem> items) => items.All(i => i.Ticked);

    private static ChecklistItem ServiceReverted(RunRecord record)
    {
        var item = new Item(record, "service-reverted", "Service reverted to stable version", "ecs", "rewind ecs --live");
        if (!item.HasEnd(out var end))
            return item.Result;
        item.Show(end, "deployment", "taskDefinition", "rolloutState", "running", "desired", "deployments");
        var target = record.Plan?.Steps.FirstOrDefault(s => s.Step == "ecs")?.Parameters?.GetValueOrDefault("taskDefinition")
            ?? record.Plan?.Target?.TaskDefinitionArn;
        if (target is null)
            item.Problem(record.PlanError is null ? "the plan names no target task definition" : $"the run's plan cannot be read ({record.PlanError}), so its target is unknown");
        else
            item.Evidence["target"] = target;
        if (end["deployment"] is null or "none")
            item.Problem("no deployment id in the evidence");
        var running = end["taskDefinition"];
        if (running is null or "none")
            item.Problem("no task definition in the evidence");
        else if (target is not null && !SameTaskDefinition(running, target))
            item.Problem($"the primary deployment runs {running}, not the plan's target {target}");
        if (end["rolloutState"] is not "COMPLETED")
            item.Problem($"rollout state is {end["rolloutState"] ?? "missing"}, not COMPLETED");
        if (Count(end["running"]) is not { } runningCount || Count(end["desired"]) is not { } desired)
            item.Problem("running and desired task counts are missing");
        else if (runningCount != desired)
            item.Problem($"{runningCount} tasks running, {desired} desired");
        if (end["deployments"] is { } deployments && Count(deployments) is not 1)
            item.Problem($"{deployments} deployments, not one: the old one has not drained");
        if (!end.Succeeded)
            item.Problem($"the ecs step ended {end.Status}: {end.Summary}", $"rewind resume {record.Run.Id}");
        return item.Result;
    }

    private static ChecklistItem SmokeTestsPassing(RunRecord record)
    {
        var item = new Item(record, "smoke-tests-passing", "Smoke tests passing", "smoke", "rewind smoke --url URL");
        if (!item.HasEnd(out var end))
            return item.Result;
        item.Show(end, "url", "checks", "passed", "failed", "results", "log");
        if (end["url"] is { } url)
            item.Command = $"rewind smoke --url {url}";
        var checks = Count(end["checks"]);
        var passed = Count(end["passed"]);
        var failed = Count(end["failed"]);
        if (checks is not > 0)
            item.Problem("no smoke check was run (checks is missing or 0)");
        if (failed is null)
            item.Problem("the failed count is missing");
        else if (failed > 0)
            item.Problem($"{failed} of {checks?.ToString(CultureInfo.InvariantCulture) ?? "?"} checks failed");
        if (passed is null || checks is null || passed != checks)
            item.Problem($"{passed?.ToString(CultureInfo.InvariantCulture) ?? "no"} checks passed of {checks?.ToString(CultureInfo.InvariantCulture) ?? "?"}");
        switch (SmokeResults(end["results"]))
        {
            case null:
                item.Problem("no per-check results (status, latency, attempts) in the evidence");
                break;
            case var (count, notOk):
                if (checks is not null && count != checks)
                    item.Problem($"{count} results recorded for {checks} checks");
                if (notOk.Count > 0)
                    item.Problem($"not ok: {string.Join(", ", notOk)}");
                break;
        }
        if (!end.Succeeded)
            item.Problem($"the smoke step ended {end.Status}: {end.Summary}", $"rewind resume {record.Run.Id}");
        return item.Result;
    }

    private static ChecklistItem ErrorRatesNormalized(RunRecord record)
    {
        var item = new Item(record, "error-rates-normalized", "Error rates normalized", "verify", "rewind verify");
        if (!item.HasEnd(out var end))
            return item.Result;
        item.Show(end, "metric", "windowStart", "windowEnd", "requests", "errors", "rate5xxPercent", "thresholdPercent", "baselinePercent", "alarms", "verdict");
        if (end["verdict"] is not "normalized")
            item.Problem($"the verdict is {end["verdict"] ?? "missing"}, not normalized");
        if (end["metric"] is null)
            item.Problem("the query (metric) is missing");
        if (Time(end["windowStart"]) is not { } start || Time(end["windowEnd"]) is not { } finish || finish <= start)
            item.Problem("the window (windowStart, windowEnd) is missing or empty");
        if (Count(end["requests"]) is not > 0)
            item.Problem("no requests in the window: an idle service proves nothing");
        var rate = Number(end["rate5xxPercent"]);
        var threshold = Number(end["thresholdPercent"]);
        if (rate is null || threshold is null)
            item.Problem("the 5XX rate or the threshold is missing");
        else if (rate > threshold)
            item.Problem($"the 5XX rate {Percent(rate.Value)} is above the threshold {Percent(threshold.Value)}");
        if (end["baselinePercent"] is null)
            item.Problem("the baseline is missing (\"none\" when the target release has none)");
        var alarming = (end["alarms"] ?? "none").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(a => a.EndsWith("=ALARM", StringComparison.Ordinal)).Select(a => a[..^"=ALARM".Length]).ToList();
        if (alarming.Count > 0)
            item.Problem($"in alarm: {string.Join(", ", alarming)}");
        if (!end.Succeeded)
            item.Problem($"the verify step ended {end.Status}: {end.Summary}", $"rewind resume {record.Run.Id}");
        return item.Result;
    }

    private static ChecklistItem PostmortemTicketCreated(RunRecord record)
    {
        var item = new Item(record, "postmortem-ticket-created", "Postmortem ticket created", "incident", "rewind incident open --live");
        if (!item.HasEnd(out var end))
            return item.Result;
        item.Show(end, "incident", "owner", "opened", "due", "ticket", "link", "verified", "draft");
        var incident = end["incident"];
        if (incident is null)
            item.Problem("no incident id");
        if (end["owner"] is null or "none")
            item.Problem("no owner", incident is null ? null : $"rewind incident assign {incident} --owner NAME");
        if (end["link"] is null or "none")
            item.Problem("no link to the ticket in a tracker");
        var opened = Time(end["opened"]);
        var due = Time(end["due"]);
        if (opened is null || due is null)
            item.Problem("the opened or due time is missing");
        else if (due <= opened || due - opened > PostmortemWithin)
            item.Problem($"the postmortem is due {end["due"]}, not within 48 h of {end["opened"]}");
        if (end["verified"] is not "true")
            item.Problem("the ticket was not read back from the tracker after it was created (verified is not true)");
        if (!end.Succeeded)
            item.Problem($"the incident step ended {end.Status}: {end.Summary}", $"rewind resume {record.Run.Id}");
        return item.Result;
    }

    private static ChecklistItem TeamNotified(RunRecord record)
    {
        var item = new Item(record, "team-notified", "Team notified", "notify", "rewind notify --to team --message TEXT --live");
        if (!item.HasEnd(out var end))
            return item.Result;
        // Judged on the team's own delivery: a failed message to customers does not undo the team's 2xx.
        item.Show(end, "team.target", "team.sentAt", "team.status", "team.error");
        if (end["team.target"] is null)
        {
            item.Problem("no message to the team was attempted");
            return item.Result;
        }
        if (Time(end["team.sentAt"]) is null)
            item.Problem("the time the team's message was sent is missing");
        if (Count(end["team.status"]) is not (>= 200 and <= 299))
            item.Problem($"the team's channel answered {end["team.status"] ?? "nothing"}{(end["team.error"] is { } error ? $" ({error})" : "")}, not 2xx");
        return item.Result;
    }

    /// <summary>An item being judged: the evidence shown, the problems found, the command that would fix the first.</summary>
    private sealed class Item(RunRecord record, string key, string name, string step, string command)
    {
        private readonly List<string> _problems = [];
        private string? _source;
        private string? _firstCommand;

        public Dictionary<string, string> Evidence { get; } = new(StringComparer.Ordinal);

        public string Command { get; set; } = command;

        public ChecklistItem Result => _problems.Count == 0
            ? new ChecklistItem(key, name, true, Evidence, _source, null, null)
            : new ChecklistItem(key, name, false, Evidence, _source, string.Join("; ", _problems), _firstCommand ?? Command);

        /// <summary>Finds the step's end; records why there is none (not in the plan, not finished) otherwise.</summary>
        public bool HasEnd(out StepEnd end)
        {
            end = record.EndOf(step)!;
            if (end is not null)
            {
                _source = $"journal entry {end.Seq}: {step} {(end.Status is nameof(StepStatus.Succeeded) or nameof(StepStatus.Skipped) ? "completed" : "failed")} at {end.Time.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}";
                return true;
            }
            if (!record.Planned(step))
                Problem($"the run has no {step} step, so there is no {step} evidence");
            else if (record.Journal.Any(e => e.Step == step && e.Kind == JournalKind.Started))
                Problem($"the {step} step started but never finished (the run is {record.Run.Status.ToString().ToLowerInvariant()})", $"rewind resume {record.Run.Id}");
            else
                Problem($"the {step} step was not reached (the run is {record.Run.Status.ToString().ToLowerInvariant()})", $"rewind resume {record.Run.Id}");
            return false;
        }

        public void Show(StepEnd end, params string[] keys)
        {
            foreach (var k in keys)
            {
                if (end[k] is { } value)
                    Evidence[k] = value;
            }
        }

        public void Problem(string problem, string? fix = null)
        {
            _problems.Add(problem);
            if (fix is not null)
                _firstCommand ??= fix;
        }
    }

    private static bool SameTaskDefinition(string a, string b) =>
        string.Equals(FamilyRevision(a), FamilyRevision(b), StringComparison.Ordinal);

    /// <summary><c>family:revision</c> from an ARN or a short name (moto stores the short one).</summary>
    private static string FamilyRevision(string taskDefinition)
    {
        var at = taskDefinition.LastIndexOf("task-definition/", StringComparison.Ordinal);
        return at >= 0 ? taskDefinition[(at + "task-definition/".Length)..] : taskDefinition;
    }

    private static (int Count, List<string> NotOk)? SmokeResults(string? json)
    {
        if (json is null)
            return null;
        try
        {
            if (JsonNode.Parse(json) is not JsonArray results)
                return null;
            var notOk = new List<string>();
            foreach (var result in results)
            {
                var ok = result?["ok"] is JsonValue v && v.GetValueKind() == JsonValueKind.True;
                if (!ok)
                    notOk.Add(result?["check"]?.ToString() is { Length: > 0 } check ? check : "(unnamed check)");
            }
            return (results.Count, notOk);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static int? Count(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static double? Number(string? value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) ? n : null;

    private static DateTimeOffset? Time(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    private static string Percent(double value) => value.ToString("0.###", CultureInfo.InvariantCulture) + "%";
}
