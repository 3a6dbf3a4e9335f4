using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Incident;

/// <summary>Everything a postmortem draft is made of; the run is optional (an incident opened by hand has none).</summary>
public sealed record PostmortemInput(
    Core.Ledger.Incident Incident,
    Run? Run,
    RollbackPlan? Plan,
    IReadOnlyList<JournalEntry> Journal,
    IReadOnlyList<ChecklistItem> Checklist,
    IReadOnlyList<Ticket> Tickets,
    string? InvitationPath);

/// <summary>Renders the postmortem draft (Markdown): summary, impact, timeline from the journal, mitigation, checklist, action items, lessons, references.</summary>
public static class PostmortemDraft
{
    public static string Render(PostmortemInput input)
    {
        var incident = input.Incident;
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Postmortem {incident.Id}: {MarkdownText.Inline(incident.Title)}\n\n");
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

        // Row escapes the cell once (Inline and '|'): escaping the display and link here too wrote "&amp;amp;" into links.
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
            md.Append(CultureInfo.InvariantCulture, $"- **{entry.Step}**: {MarkdownText.Inline(Field(entry, "summary") ?? "done")}\n");
        }

        md.Append("\n## Rollback checklist\n\n");
        foreach (var item in input.Checklist)
        {
            md.Append(item.Ticked
                ? $"- [x] {item.Item}. Evidence: {MarkdownText.Inline(item.EvidenceLine())}\n"
                : $"- [ ] {item.Item}. Missing: {MarkdownText.Inline(item.Missing ?? "")}{(item.Command is { } command ? $" (`{command}`)" : "")}\n");
        }

        md.Append("\n## Action items\n\n| Action | Owner | Due |\n|---|---|---|\n");
        md.Append(CultureInfo.InvariantCulture, $"| Hold the postmortem meeting{(input.InvitationPath is { } ics ? $" (invitation: {Path.GetFileName(ics)})" : "")} | {Cell(incident.Owner ?? "unassigned")} | {Time(incident.PostmortemDue)} |\n");
        md.Append(CultureInfo.InvariantCulture, $"| Find the root cause; lift the release freeze with it (`rewind freeze off`) | {Cell(incident.Owner ?? "unassigned")} | {Time(incident.PostmortemDue)} |\n");
        md.Append("| _Fix, test, guard against recurrence_ | | |\n");

        md.Append("\n## Lessons learned\n\n- _What went well._\n- _What went badly._\n- _Where we got lucky._\n");

        md.Append("\n## References\n\n");
        foreach (var ticket in input.Tickets)
        {
            md.Append(CultureInfo.InvariantCulture, $"- Ticket {MarkdownText.Inline(ticket.Display)}: {MarkdownText.Inline(ticket.Link)}\n");
        }

        if (input.Run is { } r)
        {
            md.Append(CultureInfo.InvariantCulture, $"- Run {r.Id}: `rewind report {r.Id}`, journal verified by `rewind ledger verify {r.Id}`\n");
        }

        if (input.InvitationPath is { } invitation)
        {
            md.Append(CultureInfo.InvariantCulture, $"- Postmortem meeting: {MarkdownText.Inline(invitation)}\n");
        }

        md.Append("- Playbook: ROLLBACK_PLAYBOOK.md\n");
        return md.ToString();
    }

    /// <summary>
    /// The rollback checklist (<see cref="Checklist"/>) as it will read once this incident step's end is journaled:
    /// the step is still running, so its <paramref name="incidentEvidence"/> is added to the run's record here.
    /// </summary>
    public static IReadOnlyList<ChecklistItem> ChecklistWith(RunRecord about, TicketOpened incidentEvidence, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(about);
        var detail = StepResult.Succeeded("postmortem ticket", incidentEvidence).ToJson();
        var end = new JournalEntry(about.Run.Id, (about.Journal.Count == 0 ? 0 : about.Journal[^1].Seq) + 1, now, "incident", JournalKind.Completed, detail.ToJsonString(), "", "");
        return Checklist.Evaluate(about with { Journal = [.. about.Journal, end] });
    }

    private static JsonObject? EvidenceOf(IReadOnlyList<JournalEntry> journal, string step) => journal
        .Where(e => e.Step == step && e.Kind == JournalKind.Completed)
        .Select(e => Parse(e.Detail)?["evidence"] as JsonObject)
        .LastOrDefault(e => e is not null);

    private static string Get(JsonObject evidence, string key) =>
        evidence[key] is JsonValue value && value.TryGetValue<string>(out var text) ? text : evidence[key]?.ToJsonString() ?? "?";

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

    private static string Cell(string text) => MarkdownText.Cell(text);

    /// <summary>The evidence's time format: ISO 8601 UTC to the second.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
