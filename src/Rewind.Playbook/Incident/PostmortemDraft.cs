using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Incident;

/// <summary>One line of the rollback checklist as the draft renders it: the item, whether its evidence ticks it, and the evidence or what is missing.</summary>
public sealed record ChecklistLine(string Item, bool Ticked, string Detail);

/// <summary>Everything a postmortem draft is made of; the run is optional (an incident opened by hand has none).</summary>
public sealed record PostmortemInput(
    Core.Ledger.Incident Incident,
    Run? Run,
    RollbackPlan? Plan,
    IReadOnlyList<JournalEntry> Journal,
    IReadOnlyList<ChecklistLine> Checklist,
    IReadOnlyList<Ticket> Tickets,
    string? InvitationPath);

/// <summary>Renders the postmortem draft (Markdown): summary, impact, timeline from the journal, mitigation, checklist, action items, lessons, references.</summary>
public static class PostmortemDraft
{
    public static string Render(PostmortemInput input)
    {
        var incident = input.Incident;
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Postmortem {incident.Id}: {incident.Title}\n\n");
        md.Append("_Draft written by Rewind from the run's journal. Fill in the parts in italics; keep the facts._\n\n");

        md.Append("## Summary\n\n| | |\n|---|---|\n");
        Row(md, "Incident", incident.Id);
        Row(md, "Severity", incident.Severity);
        Row(md, "Owner", incident.Owner ?? "unassigned");
        Row(md, "Opened", Time(incident.OpenedAt));
        Row(md, "Postmortem due", Time(incident.PostmortemDue));
        Row(md, "Status", incident.Status.ToString().ToLowerInvariant());
        Row(md, "Service", incident.Service ?? input.Run?.Service ?? "-");
        if (incident.RootCause is { } rootCause)
        {
            Row(md, "Root cause", $"{rootCause} (recorded when freeze {incident.RootCauseFrom ?? "?"} was lifted)");
        }
        if (input.Run is { } run)
        {
            Row(md, "Run", $"{run.Id} ({run.Status.ToString().ToLowerInvariant()}, started {Time(run.StartedAt)})");
        }

        if (input.Plan?.Target is { } target)
        {
            Row(md, "Rolled back to", $"{target.Label} ({target.Reason})");
        }

        Row(md, "Ticket", input.Tickets.Count == 0 ? "none (ledger only)" : string.Join(", ", input.Tickets.Select(t => $"[{t.Display}]({t.Link})")));

        md.Append("\n## Impact\n\n");
        var verify = EvidenceOf(input.Journal, "verify");
        if (verify is not null)
        {
            md.Append(CultureInfo.InvariantCulture, $"- Error rate after the rollback: {Get(verify, "rate5xxPercent")} % 5XX ({Get(verify, "errors")} of {Get(verify, "requests")} requests, {Get(verify, "windowStart")} to {Get(verify, "windowEnd")}), verdict {Get(verify, "verdict")}.\n");
        }

        md.Append("- _Who was affected, how, and for how long (from first error to recovery)._\n");
        md.Append("- _How it was detected._\n");

        md.Append("\n## Timeline (UTC, from the journal)\n\n");
        var entries = input.Journal.Where(e => e.Kind != JournalKind.Planned).ToList();
        if (entries.Count == 0)
        {
            md.Append("_No journal: this incident was opened without a run. Add the events by hand._\n");
        }
        else
        {
            md.Append("| Time | Step | Event | Detail |\n|---|---|---|---|\n");
            foreach (var entry in entries)
            {
                md.Append(CultureInfo.InvariantCulture, $"| {Time(entry.Time)} | {entry.Step} | {KindOf(entry.Kind)} | {Cell(DetailOf(entry))} |\n");
            }
        }

        md.Append("\n## Mitigation\n\n");
        var completed = input.Journal.Where(e => e.Kind == JournalKind.Completed).ToList();
        if (completed.Count == 0)
        {
            md.Append("- _What was done to stop the impact._\n");
        }

        foreach (var entry in completed)
        {
            md.Append(CultureInfo.InvariantCulture, $"- **{entry.Step}**: {Field(entry, "summary") ?? "done"}\n");
        }

        md.Append("\n## Rollback checklist\n\n");
        foreach (var line in input.Checklist)
        {
            md.Append(CultureInfo.InvariantCulture, $"- [{(line.Ticked ? "x" : " ")}] {line.Item} {(line.Ticked ? "Evidence" : "Missing")}: {line.Detail}\n");
        }

        md.Append("\n## Action items\n\n| Action | Owner | Due |\n|---|---|---|\n");
        md.Append(CultureInfo.InvariantCulture, $"| Hold the postmortem meeting{(input.InvitationPath is { } ics ? $" (invitation: {Path.GetFileName(ics)})" : "")} | {Cell(incident.Owner ?? "unassigned")} | {Time(incident.PostmortemDue)} |\n");
        md.Append(CultureInfo.InvariantCulture, $"| Find the root cause; lift the release freeze with it (`rewind freeze off`) | {Cell(incident.Owner ?? "unassigned")} | {Time(incident.PostmortemDue)} |\n");
        md.Append("| _Fix, test, guard against recurrence_ | | |\n");

        md.Append("\n## Lessons learned\n\n- _What went well._\n- _What went badly._\n- _Where we got lucky._\n");

        md.Append("\n## References\n\n");
        foreach (var ticket in input.Tickets)
        {
            md.Append(CultureInfo.InvariantCulture, $"- Ticket {ticket.Display}: {ticket.Link}\n");
        }

        if (input.Run is { } r)
        {
            md.Append(CultureInfo.InvariantCulture, $"- Run {r.Id}: `rewind report {r.Id}`, journal verified by `rewind ledger verify {r.Id}`\n");
        }

        if (input.InvitationPath is { } invitation)
        {
            md.Append(CultureInfo.InvariantCulture, $"- Postmortem meeting: {invitation}\n");
        }

        md.Append("- Playbook: ROLLBACK_PLAYBOOK.md\n");
        return md.ToString();
    }

    /// <summary>
    /// The playbook's five checklist items judged from the journal's evidence, until the checklist module supplies them.
    /// <paramref name="incidentEvidence"/> is this step's own evidence (it is not in the journal yet).
    /// </summary>
    public static IReadOnlyList<ChecklistLine> ChecklistFromJournal(IReadOnlyList<JournalEntry> journal, IReadOnlyDictionary<string, string> incidentEvidence)
    {
        var ecs = EvidenceOf(journal, "ecs");
        var smoke = EvidenceOf(journal, "smoke");
        var verify = EvidenceOf(journal, "verify");
        var notify = EvidenceOf(journal, "notify");
        var ticketed = incidentEvidence.GetValueOrDefault("ticket") is { } t && t != "ledger" && incidentEvidence.GetValueOrDefault("verified") == "true";
        return
        [
            ecs is null
                ? new("Service reverted to stable version.", false, "no completed ecs step in this run")
                : new("Service reverted to stable version.", true, $"deployment {Get(ecs, "deployment")} runs {Get(ecs, "taskDefinition")}, rollout {Get(ecs, "rolloutState")}, running {Get(ecs, "running")}/{Get(ecs, "desired")}"),
            smoke is null
                ? new("Smoke tests passing.", false, "no completed smoke step in this run (rewind smoke)")
                : new("Smoke tests passing.", Get(smoke, "failed") == "0", $"{Get(smoke, "passed")} of {Get(smoke, "checks")} checks passed on {Get(smoke, "url")}"),
            verify is null
                ? new("Error rates normalized.", false, "no completed verify step in this run (rewind verify)")
                : new("Error rates normalized.", Get(verify, "verdict") == "normalized", $"{Get(verify, "rate5xxPercent")} % 5XX over {Get(verify, "windowStart")}–{Get(verify, "windowEnd")}, threshold {Get(verify, "thresholdPercent")} %, verdict {Get(verify, "verdict")}"),
            ticketed
                ? new("Postmortem ticket created.", true, $"{incidentEvidence["ticket"]} ({incidentEvidence.GetValueOrDefault("link")}), re-read from the tracker; owner {incidentEvidence.GetValueOrDefault("owner")}, due {incidentEvidence.GetValueOrDefault("due")}")
                : new("Postmortem ticket created.", false, $"incident {incidentEvidence.GetValueOrDefault("incident")} is in the ledger only: no tracker configured or the ticket was not re-read (incident.github or incident.jira)"),
            notify is null
                ? new("Team notified.", false, "not yet: notifications are sent after the incident step (rewind notify)")
                : new("Team notified.", Get(notify, "failed") == "0" && Get(notify, "delivered") != "0", $"{Get(notify, "delivered")} delivered, {Get(notify, "failed")} failed"),
        ];
    }

    private static JsonObject? EvidenceOf(IReadOnlyList<JournalEntry> journal, string step) => journal
        .Where(e => e.Step == step && e.Kind == JournalKind.Completed)
        .Select(e => Parse(e.Detail)?["evidence"] as JsonObject)
        .LastOrDefault(e => e is not null);

    private static string Get(JsonObject evidence, string key) => evidence[key]?.GetValue<string>() ?? "?";

    private static string? Field(JournalEntry entry, string key) => Parse(entry.Detail)?[key] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string DetailOf(JournalEntry entry) => entry.Kind switch
    {
        JournalKind.CallSent or JournalKind.CallSucceeded => Field(entry, "call") ?? "",
        JournalKind.CallFailed => Field(entry, "error") ?? Field(entry, "summary") ?? "",
        JournalKind.Completed or JournalKind.Skipped => Field(entry, "summary") ?? "",
        _ => "",
    };

    private static string KindOf(JournalKind kind) => kind switch
    {
        JournalKind.CallSent => "call sent",
        JournalKind.CallSucceeded => "call succeeded",
        JournalKind.CallFailed => "failed",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static JsonNode? Parse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static void Row(StringBuilder md, string name, string value) => md.Append(CultureInfo.InvariantCulture, $"| {name} | {Cell(value)} |\n");

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');

    /// <summary>The evidence's time format: ISO 8601 UTC to the second.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
