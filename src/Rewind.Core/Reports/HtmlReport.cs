using System.Globalization;
using System.Net;
using System.Text;

namespace Rewind.Core.Reports;

/// <summary>
/// The report as one self-contained HTML file: inline CSS, no script, no external asset. Everything that comes from
/// the journal is HTML-encoded.
/// </summary>
public static class HtmlReport
{
    private const string Style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1f2328}
        h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}h3{font-size:1rem}
        table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
        th{background:#f6f8fa}td.v{font-family:ui-monospace,monospace;word-break:break-all}
        ul.checklist{list-style:none;padding:0}ul.checklist li{margin:.6rem 0;padding:.5rem .7rem;border-left:4px solid}
        li.ticked{border-color:#1a7f37;background:#dafbe1}li.unticked{border-color:#cf222e;background:#ffebe9}
        .mark{font-weight:bold;margin-right:.4rem}.detail{margin:.2rem 0 0 1.6rem;font-size:.92em}
        .ok{color:#1a7f37}.bad{color:#cf222e}code{font-family:ui-monospace,monospace}
        """;

    public static string Render(RollbackReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var run = report.Run;
        var html = new StringBuilder();
        html.Line("<!DOCTYPE html>").Line("<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Line($"<title>Rollback report: {E(run.Service)}, run {E(run.Id)}</title>")
            .Line($"<style>{Style}</style></head><body>")
            .Line($"<h1>Rollback report: {E(run.Service)}, run {E(run.Id)}</h1>")
            .Line("<table>");
        Row(html, "Run", run.Id);
        Row(html, "Service", run.Service);
        Row(html, "Status", run.Status);
        Row(html, "Target", ReportFormats.Target(report.Plan));
        Row(html, "Started", ReportFormats.Time(run.StartedAt));
        Row(html, "Ended", ReportFormats.Time(run.EndedAt));
        Row(html, "Duration", ReportFormats.Duration(run.DurationSeconds));
        if (run.IncidentId is not null)
            Row(html, "Incident", run.IncidentId);
        html.Line($"<tr><th>Journal</th><td class=\"{(report.Journal.Intact ? "ok" : "bad")}\">{E(ReportFormats.ChainLine(report.Journal))}</td></tr>");
        Row(html, "Report generated", ReportFormats.Time(report.GeneratedAt));
        html.Line("</table>");

        html.Line($"<h2>Rollback checklist ({report.Checklist.Count(i => i.Ticked)} of {report.Checklist.Count} ticked by evidence)</h2>")
            .Line("<ul class=\"checklist\">");
        foreach (var item in report.Checklist)
        {
            html.Append($"<li class=\"{(item.Ticked ? "ticked" : "unticked")}\"><span class=\"mark\">{(item.Ticked ? "&#10003;" : "&#10007;")}</span><strong>{E(item.Item)}</strong>");
            if (item.Evidence.Count > 0)
                html.Append($"<div class=\"detail\">evidence: {E(item.EvidenceLine())}</div>");
            if (item.Source is not null)
                html.Append($"<div class=\"detail\">source: {E(item.Source)}</div>");
            if (item.Missing is not null)
                html.Append($"<div class=\"detail\">missing: {E(item.Missing)}</div>");
            if (item.Command is not null)
                html.Append($"<div class=\"detail\">to provide it: <code>{E(item.Command)}</code></div>");
            html.Line("</li>");
        }
        html.Line("</ul>");

        html.Line("<h2>Plan</h2>");
        if (report.Plan is { } plan)
        {
            html.Line($"<p>Created {E(ReportFormats.Time(plan.CreatedAt))}, expected duration about {plan.ExpectedSeconds.ToString("0", CultureInfo.InvariantCulture)} s.</p>")
                .Line("<table><tr><th>stage</th><th>step</th><th>change</th><th>expected</th></tr>");
            foreach (var step in plan.Steps)
            {
                html.Line($"<tr><td>{E(step.Stage)}</td><td>{E(step.Step)}</td><td>{(step.NothingToDo ? "nothing to do: " : "")}"
                    + $"{string.Join("<br>", step.Changes.DefaultIfEmpty(step.Summary).Select(E))}</td><td>{E(ReportFormats.Duration(step.ExpectedSeconds))}</td></tr>");
            }
            html.Line("</table>");
        }
        else
        {
            html.Line($"<p class=\"bad\">The stored plan cannot be read: {E(report.PlanError ?? "unknown reason")}.</p>");
        }

        html.Line("<h2>Timeline</h2>")
            .Line("<table><tr><th>step</th><th>attempt</th><th>started</th><th>ended</th><th>duration</th><th>outcome</th><th>calls</th><th>summary</th></tr>");
        foreach (var entry in report.Timeline)
        {
            var css = entry.Outcome is "succeeded" or "skipped" ? "ok" : "bad";
            html.Line($"<tr><td>{E(entry.Step)}</td><td>{entry.Attempt}</td><td>{E(ReportFormats.Time(entry.StartedAt))}</td><td>{E(ReportFormats.Time(entry.EndedAt))}</td>"
                + $"<td>{E(ReportFormats.Duration(entry.DurationSeconds))}</td><td class=\"{css}\">{E(entry.Outcome)}</td><td>{E(ReportFormats.Calls(entry))}</td><td>{E(entry.Summary)}</td></tr>");
        }
        html.Line("</table>");

        html.Line("<h2>Evidence</h2>");
        foreach (var step in report.Evidence)
        {
            html.Line($"<h3>{E(step.Step)} ({E(step.Status)}, journal entry {step.Seq}, {E(ReportFormats.Time(step.Time))})</h3>")
                .Line($"<p>{E(step.Summary)}</p>");
            var facts = step.Facts();
            if (facts.Count == 0)
                continue;
            html.Line("<table><tr><th>key</th><th>value</th></tr>");
            foreach (var (key, value) in facts)
                html.Line($"<tr><td>{E(key)}</td><td class=\"v\">{E(value)}</td></tr>");
            html.Line("</table>");
        }

        html.Line($"<details><summary>Journal ({report.Journal.Entries} entries, hash-chained)</summary>")
            .Line("<table><tr><th>seq</th><th>time</th><th>step</th><th>kind</th><th>detail</th><th>hash</th></tr>");
        foreach (var entry in report.Journal.Chain)
        {
            html.Line($"<tr><td>{entry.Seq}</td><td>{E(ReportFormats.Time(entry.Time))}</td><td>{E(entry.Step)}</td><td>{E(entry.Kind)}</td>"
                + $"<td class=\"v\">{E(entry.Detail)}</td><td class=\"v\">{E(entry.Hash)}</td></tr>");
        }
        html.Line("</table></details>").Line("</body></html>");
        return html.ToString();
    }

    private static void Row(StringBuilder html, string name, string value) =>
        html.Line($"<tr><th>{E(name)}</th><td>{E(value)}</td></tr>");

    private static string E(string value) => WebUtility.HtmlEncode(value);
}
