using System.Globalization;
using System.Text;

namespace Rewind.Playbook.Incident;

/// <summary>
/// The postmortem meeting as an iCalendar (RFC 5545) invitation: one hour ending at the postmortem's due time.
/// Hand-written because Ical.Net does not publish under NativeAOT without trim warnings (see README.md).
/// </summary>
public static class PostmortemInvitation
{
    /// <summary>How long the meeting is; it ends when the postmortem is due.</summary>
    public static readonly TimeSpan Length = TimeSpan.FromHours(1);

    /// <summary>The .ics text (CRLF lines, folded at 75 octets, text escaped).</summary>
    public static string Render(Core.Ledger.Incident incident, DateTimeOffset stamp, string description)
    {
        var lines = new List<string>
        {
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Rewind//Postmortem//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "BEGIN:VEVENT",
            $"UID:{incident.Id.ToLowerInvariant()}-postmortem@rewind",
            $"DTSTAMP:{Utc(stamp)}",
            $"DTSTART:{Utc(incident.PostmortemDue - Length)}",
            $"DTEND:{Utc(incident.PostmortemDue)}",
            $"SUMMARY:{Text($"Postmortem {incident.Id}: {incident.Title}")}",
            $"DESCRIPTION:{Text(description)}",
        };
        if (incident.Owner is { } owner)
            lines.Add($"ORGANIZER;CN={Parameter(owner)}:{MailtoOf(owner)}");
        lines.Add("STATUS:CONFIRMED");
        lines.Add("END:VEVENT");
        lines.Add("END:VCALENDAR");
        var ics = new StringBuilder();
        foreach (var line in lines)
            Fold(ics, line);
        return ics.ToString();
    }

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private static string Text(string value) => CalendarText.Text(value);

    private static string Parameter(string value) => CalendarText.Parameter(value);

    // An owner is named by people; only something shaped like one address (no space, quote, separator or control
    // character that could end the line or the value) becomes the organizer's mailto.
    private static string MailtoOf(string owner) =>
        owner.Contains('@', StringComparison.Ordinal) && !owner.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or ';' or ',' or ':' or '<' or '>' or '\\')
            ? $"mailto:{owner}"
            : "mailto:noreply@rewind.invalid";

    private static void Fold(StringBuilder ics, string line) => CalendarText.AppendFolded(ics, line);
}
