using System.Text;
using Rewind.Playbook.Incident;
using Xunit;

namespace Rewind.Playbook.Tests.Escaping;

public sealed class CalendarTextTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\\b;c,d", "a\\\\b\\;c\\,d")]
    [InlineData("one\r\ntwo\nthree\rfour", "one\\ntwo\\nthree\\nfour")]
    [InlineData("tab\tkept, bell\u0007 dropped", "tab\tkept\\, bell dropped")]
    public void Text_values_escape_what_rfc_5545_asks(string value, string expected) =>
        Assert.Equal(expected, CalendarText.Text(value));

    [Fact]
    public void A_parameter_value_is_quoted_without_quotes_or_control_characters() =>
        Assert.Equal("\"dana ops:x;y\"", CalendarText.Parameter("dana \"ops\"\r\n:x;y"));

    [Fact]
    public void Long_lines_fold_at_75_octets_never_inside_a_utf8_sequence()
    {
        var ics = new StringBuilder();
        var line = "SUMMARY:" + new string('é', 80);

        CalendarText.AppendFolded(ics, line);

        var folded = ics.ToString().Split("\r\n");
        Assert.All(folded, l => Assert.True(Encoding.UTF8.GetByteCount(l) <= 75, $"{Encoding.UTF8.GetByteCount(l)} octets: {l}"));
        Assert.All(folded.Skip(1).SkipLast(1), l => Assert.StartsWith(" ", l, StringComparison.Ordinal));
        Assert.Equal(line, string.Concat(folded.Select((l, i) => i == 0 ? l : l.TrimStart(' '))));
        Assert.Equal("", folded[^1]);
    }

    [Fact]
    public void Given_a_title_and_owner_with_line_breaks_when_the_invitation_is_rendered_then_no_property_is_injected()
    {
        var incident = MarkdownTextTests.Incident("db down\r\nATTENDEE:mailto:evil@example.com") with { Owner = "x@y\r\nATTENDEE:mailto:evil@example.com" };

        var ics = PostmortemInvitation.Render(incident, incident.OpenedAt, "see\nthe draft; now, please");

        var unfolded = ics.Replace("\r\n ", "", StringComparison.Ordinal).Split("\r\n");
        Assert.DoesNotContain(unfolded, l => l.StartsWith("ATTENDEE", StringComparison.Ordinal));
        Assert.Contains(@"SUMMARY:Postmortem INC-0007: db down\nATTENDEE:mailto:evil@example.com", unfolded);
        Assert.Contains(@"DESCRIPTION:see\nthe draft\; now\, please", unfolded);
        Assert.Contains("ORGANIZER;CN=\"x@yATTENDEE:mailto:evil@example.com\":mailto:noreply@rewind.invalid", unfolded);
    }
}
