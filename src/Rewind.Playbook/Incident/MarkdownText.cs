using System.Text;

namespace Rewind.Playbook.Incident;

/// <summary>
/// User text (titles, reasons, root causes, step summaries) placed inside a line of Markdown: the postmortem draft and
/// the GitHub issue body. It stays on its line, so it never starts a heading, list or table row of its own, and it
/// stays text: no HTML tag, comment or entity survives (GitHub and most viewers render raw HTML).
/// </summary>
public static class MarkdownText
{
    /// <summary>
    /// <paramref name="text"/> as inline text: line breaks and other control characters become one space each, and
    /// <c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c> become their entities (shown as typed).
    /// </summary>
    public static string Inline(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var inline = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    break; // CRLF is one break: the LF gives the space
                case '&':
                    inline.Append("&amp;");
                    break;
                case '<':
                    inline.Append("&lt;");
                    break;
                case '>':
                    inline.Append("&gt;");
                    break;
                default:
                    inline.Append(char.IsControl(c) || c is '\u2028' or '\u2029' ? ' ' : c);
                    break;
            }
        }
        return inline.ToString();
    }

    /// <summary><paramref name="text"/> inside a table cell: <see cref="Inline"/>, and <c>|</c> escaped so it ends no cell.</summary>
    public static string Cell(string text) => Inline(text).Replace("|", "\\|", StringComparison.Ordinal);
}
