using System.Text;

namespace Rewind.Playbook.Incident;

/// <summary>User text in an iCalendar (RFC 5545) invitation: TEXT values and quoted parameter values.</summary>
public static class CalendarText
{
    /// <summary>
    /// A TEXT value (RFC 5545 3.3.11): backslash, <c>;</c> and <c>,</c> escaped with a backslash, every line break
    /// (CRLF, CR or LF) written <c>\n</c>, and the other control characters (which TEXT does not allow) dropped, so
    /// the value can never end its content line and start a property of its own.
    /// </summary>
    public static string Text(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '\\' or ';' or ',':
                    text.Append('\\').Append(c);
                    break;
                case '\r' when i + 1 < value.Length && value[i + 1] == '\n':
                    break; // CRLF is one break: the LF writes it
                case '\r' or '\n':
                    text.Append("\\n");
                    break;
                case '\t':
                    text.Append(c);
                    break;
                default:
                    if (!char.IsControl(c))
                        text.Append(c);
                    break;
            }
        }
        return text.ToString();
    }

    /// <summary>A quoted parameter value (RFC 5545 3.2): DQUOTE and control characters are not allowed in it, so they are left out.</summary>
    public static string Parameter(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return $"\"{new string([.. value.Where(c => c != '"' && !char.IsControl(c))])}\"";
    }

    /// <summary>
    /// A content line folded at 75 octets (RFC 5545 3.1): CRLF and one space before the octet that would pass the
    /// limit, never inside a UTF-8 sequence; ends with CRLF.
    /// </summary>
    public static void AppendFolded(StringBuilder ics, string line)
    {
        ArgumentNullException.ThrowIfNull(ics);
        ArgumentNullException.ThrowIfNull(line);
        const int Limit = 75;
        var octets = 0;
        foreach (var rune in line.EnumerateRunes())
        {
            var size = rune.Utf8SequenceLength;
            if (octets + size > Limit)
            {
                ics.Append("\r\n ");
                octets = 1;
            }
            ics.Append(rune.ToString());
            octets += size;
        }
        ics.Append("\r\n");
    }
}
