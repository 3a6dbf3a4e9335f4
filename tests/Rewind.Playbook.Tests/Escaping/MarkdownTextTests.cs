using Rewind.Core.Ledger;
using Rewind.Playbook.Incident;
using Xunit;

namespace Rewind.Playbook.Tests.Escaping;

public sealed class MarkdownTextTests
{
    private const string Hostile = "db down\n# Owned <script>alert(1)</script> & <!-- rewind-run-x -->";

    [Theory]
    [InlineData("plain title", "plain title")]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("a & b", "a &amp; b")]
    [InlineData("first\n# heading", "first # heading")]
    [InlineData("first\r\n- item\rthird", "first - item third")]
    [InlineData("bell\u0007 esc\u001b[31m", "bell  esc [31m")]
    [InlineData("line\u2028sep", "line sep")]
    public void Inline_text_stays_on_its_line_and_carries_no_html(string text, string expected) =>
        Assert.Equal(expected, MarkdownText.Inline(text));

    [Fact]
    public void A_cell_also_escapes_the_column_separator() =>
        Assert.Equal("a \\| b &lt;i&gt; c", MarkdownText.Cell("a | b <i>\nc"));

    [Fact]
    public void Given_a_hostile_title_when_the_draft_is_rendered_then_no_line_is_its_heading_and_no_tag_survives()
    {
        var incident = Incident(Hostile) with { RootCause = "cache <b>stampede</b>\n## Fixed" };

        var draft = PostmortemDraft.Render(new PostmortemInput(incident, null, null, [], [], [], null));

        var lines = draft.Split('\n');
        Assert.Equal(["# Postmortem INC-0007: db down # Owned &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!-- rewind-run-x --&gt;"], lines.Where(l => l.StartsWith("# ", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.StartsWith("## Fixed", StringComparison.Ordinal) || l.StartsWith("# Owned", StringComparison.Ordinal));
        Assert.DoesNotContain("<script>", draft, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", draft, StringComparison.Ordinal);
        Assert.Contains("| Root cause | cache &lt;b&gt;stampede&lt;/b&gt; ## Fixed (recorded when freeze ? was lifted) |", lines);
    }

    [Fact]
    public void Given_a_hostile_title_when_the_ticket_body_is_built_then_it_keeps_one_marker_and_no_tag_or_heading()
    {
        var request = IncidentStep.RequestFor(Incident(Hostile) with { Owner = "dana | ops" }, "run-1", "/drafts/INC-0007.md", "rewind-run-1");

        var lines = request.Body.Split('\n');
        Assert.Equal("Postmortem for incident INC-0007: db down # Owned &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!-- rewind-run-x --&gt;", lines[0]);
        Assert.DoesNotContain(lines, l => l.StartsWith('#'));
        Assert.DoesNotContain("<", request.Body, StringComparison.Ordinal);
        Assert.Contains("| Owner | dana \\| ops |", lines);
    }

    internal static Core.Ledger.Incident Incident(string title) => new(
        "INC-0007", title, "SEV2", "dana@example.com", new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero), null, IncidentStatus.Open, "claude-proxy-api");
}
