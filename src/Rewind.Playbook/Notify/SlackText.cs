namespace Rewind.Playbook.Notify;

/// <summary>Text in a Slack mrkdwn field (a section, a field, the <c>text</c> fallback), escaped as Slack asks.</summary>
public static class SlackText
{
    /// <summary>
    /// <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> as entities: Slack reads <c>&lt;…&gt;</c> as a link or a mention
    /// (<c>&lt;!channel&gt;</c> pings everyone), so user text written there is shown as typed instead.
    /// </summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
    }
}
