using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Rewind.Core.Evidence;

namespace Rewind.Core.Reports;

/// <summary>The formats a report is rendered in.</summary>
public static class ReportFormats
{
    /// <summary>The names <c>--format</c> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["md", "html", "json"];

    /// <summary>Renders <paramref name="report"/> as <c>md</c>, <c>html</c> or <c>json</c>.</summary>
    public static string Render(RollbackReport report, string format) => format switch
    {
        "md" => MarkdownReport.Render(report),
        "html" => HtmlReport.Render(report),
        "json" => Json(report),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "formats are md, html and json"),
    };

    /// <summary>Indented JSON that keeps arrows and apostrophes readable (the document is never embedded in HTML).</summary>
    private static string Json(RollbackReport report)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            JsonSerializer.Serialize(writer, report, ReportJson.Default.RollbackReport);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
    }

    internal static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + "Z" : "-";

    internal static string Duration(double? seconds) =>
        seconds is { } s ? s.ToString("0.0##", CultureInfo.InvariantCulture) + " s" : "-";

    /// <summary>The journal's hash chain in one line: intact with its head, or the first broken entry.</summary>
    internal static string ChainLine(JournalIntegrity journal) => journal.Intact
        ? $"intact: {journal.Entries} entries, hash chain verified (head {journal.HeadHash[..12]})"
        : $"BROKEN at entry {journal.FirstBreak!.Seq} ({journal.FirstBreak.Reason}): {journal.FirstBreak.Detail}";

    internal static string Target(ReportPlan? plan) =>
        plan?.Target is { } target ? $"{target.Label} ({target.Reason})" : plan is null ? "unknown (plan unreadable)" : "none (no rollback target needed)";

    internal static string Calls(TimelineEntry entry) =>
        string.Join(", ", entry.Calls.Select(c => c.Outcome == "succeeded" ? c.Call : $"{c.Call} {c.Outcome}{(c.Error is null ? "" : ": " + c.Error)}"));

    internal static StringBuilder Line(this StringBuilder builder, string text = "") => builder.Append(text).Append('\n');
}
