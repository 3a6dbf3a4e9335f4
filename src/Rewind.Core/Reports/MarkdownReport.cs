using System.Globalization;
using System.Text;

namespace Rewind.Core.Reports;

/// <summary>
/// The report as Markdown, ready to paste into a postmortem. Every value from the journal is escaped, so a value
/// cannot break a table or inject markup.
/// </summary>
public static class MarkdownReport
{
    public static string Render(RollbackReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        var run = report.Run;
        md.Line($"# Rollback report: {Text(run.Service)}, run {Text(run.Id)}").Line();
        md.Line("| | |").Line("|---|---|");
        md.Line($"| Run | {Text(run.Id)} |");
        md.Line($"| Service | {Text(run.Service)} |");
        md.Line($"| Status | {Text(run.Status)} |");
        md.Line($"| Target | {Text(ReportFormats.Target(report.Plan))} |");
        md.Line($"| Started | {ReportFormats.Time(run.StartedAt)} |");
        md.Line($"| Ended | {ReportFormats.Time(run.EndedAt)} |");
        md.Line($"| Duration | {ReportFormats.Duration(run.DurationSeconds)} |");
        if (run.IncidentId is not null)
            md.Line($"| Incident | {Text(run.IncidentId)} |");
        md.Line($"| Journal | {Text(ReportFormats.ChainLine(report.Journal))} |");
        md.Line($"| Report generated | {ReportFormats.Time(report.GeneratedAt)} |").Line();

        md.Line($"## Rollback checklist ({report.Checklist.Count(i => i.Ticked)} of {report.Checklist.Count} ticked by evidence)").Line();
        foreach (var item in report.Checklist)
        {
            md.Line($"- [{(item.Ticked ? "x" : " ")}] **{Text(item.Item)}**");
            if (item.Evidence.Count > 0)
                md.Line($"  - evidence: {Text(item.EvidenceLine())}");
            if (item.Source is not null)
                md.Line($"  - source: {Text(item.Source)}");
            if (item.Missing is not null)
                md.Line($"  - missing: {Text(item.Missing)}");
            if (item.Command is not null)
                md.Line($"  - to provide it: {Text(item.Command)}");
        }
        md.Line();

        md.Line("## Plan").Line();
        if (report.Plan is { } plan)
        {
            md.Line($"Created {ReportFormats.Time(plan.CreatedAt)}, expected duration about {plan.ExpectedSeconds.ToString("0", CultureInfo.InvariantCulture)} s.").Line();
            md.Line("| stage | step | change | expected |").Line("|---|---|---|---|");
            foreach (var step in plan.Steps)
                md.Line($"| {Text(step.Stage)} | {Text(step.Step)} | {(step.NothingToDo ? "nothing to do: " : "")}{Text(string.Join("; ", step.Changes.DefaultIfEmpty(step.Summary)))} | {ReportFormats.Duration(step.ExpectedSeconds)} |");
        }
        else
        {
            md.Line($"The stored plan cannot be read: {Text(report.PlanError ?? "unknown reason")}.");
        }
        md.Line();

        md.Line("## Timeline").Line();
        md.Line("| step | attempt | started | ended | duration | outcome | calls | summary |").Line("|---|---|---|---|---|---|---|---|");
        foreach (var entry in report.Timeline)
        {
            md.Line($"| {Text(entry.Step)} | {entry.Attempt} | {ReportFormats.Time(entry.StartedAt)} | {ReportFormats.Time(entry.EndedAt)} | "
                + $"{ReportFormats.Duration(entry.DurationSeconds)} | {Text(entry.Outcome)} | {Text(ReportFormats.Calls(entry))} | {Text(entry.Summary)} |");
        }
        md.Line();

        md.Line("## Evidence").Line();
        foreach (var step in report.Evidence)
        {
            md.Line($"### {Text(step.Step)} ({Text(step.Status)}, journal entry {step.Seq}, {ReportFormats.Time(step.Time)})").Line();
            md.Line(Text(step.Summary)).Line();
            var facts = step.Facts();
            if (facts.Count == 0)
                continue;
            md.Line("| key | value |").Line("|---|---|");
            foreach (var (key, value) in facts)
                md.Line($"| {Text(key)} | {Text(value)} |");
            md.Line();
        }
        return md.ToString();
    }

    /// <summary>Escapes a journal value for Markdown text and table cells: one line, no markup, no table breaks.</summary>
    public static string Text(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\r' or '\n':
                    escaped.Append(' ');
                    break;
                case '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '#' or '!' or '~':
                    escaped.Append('\\').Append(c);
                    break;
                case '&':
                    escaped.Append("&amp;");
                    break;
                default:
                    escaped.Append(c);
                    break;
            }
        }
        return escaped.ToString();
    }
}
