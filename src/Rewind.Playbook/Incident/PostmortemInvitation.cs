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
            lines.Add($"ORGANIZER;CN={Parameter(owner)}:{(owner.Contains('@', StringComparison.Ordinal) ? $"mailto:{owner}" : "mailto:noreply@rewind.invalid")}");
        lines.Add("STATUS:CONFIRMED");
        lines.Add("END:VEVENT");
        lines.Add("END:VCALENDAR");
        var ics = new StringBuilder();
        foreach (var line in lines)
            Fold(ics, line);
        return ics.ToString();
    }

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    // RFC 5545 3.3.11: backslash, semicolon, comma and newlines are escaped in TEXT values.
    private static string Text(string value) => value
        .Replace("\\", "\\\\", StringComparison.Ordinal).Replace(";", "\\;", StringComparison.Ordinal)
        .Replace(",", "\\,", StringComparison.Ordinal).Replace("\r\n", "\\n", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Parameter(string value) => $"\"{value.Replace("\"", "'", StringComparison.Ordinal)}\"";

    // RFC 5545 3.1: lines longer than 75 octets are folded with CRLF and one space, never inside a UTF-8 sequence.
    private static void Fold(StringBuilder ics, string line)
    {
        var octets = 0;
        var limit = 75;
        foreach (var rune in line.EnumerateRunes())
        {
            var size = rune.Utf8SequenceLength;
            if (octets + size > limit)
            {
                ics.Append("\r\n ");
                octets = 1;
                limit = 75;
            }

            ics.Append(rune.ToString());
            octets += size;
        }

        ics.Append("\r\n");
    }
}
