using Rewind.Core.Ledger;
using Rewind.Playbook.Incident;
using Xunit;

namespace Rewind.Playbook.Tests.Incident;

/// <summary>The postmortem meeting's .ics: an hour ending at the due time, the organizer only when the owner is one address.</summary>
public sealed class PostmortemInvitationTests
{
    private static readonly DateTimeOffset Opened = new(2026, 12, 6, 12, 0, 0, TimeSpan.FromHours(2));

    private static Core.Ledger.Incident Incident(string? owner) =>
        new("INC-0007", "db down; again", "SEV2", owner, Opened, Opened.AddHours(48), null, IncidentStatus.Open, "claude-proxy-api");

    [Fact]
    public void Given_an_owner_with_an_address_when_rendered_then_the_calendar_is_exact_with_crlf_lines()
    {
        var ics = PostmortemInvitation.Render(Incident("dana@acme.example"), Opened.AddMinutes(3).AddSeconds(4), "Draft: INC-0007.md, line\ntwo");

        Assert.Equal(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Rewind//Postmortem//EN\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n"
            + "UID:inc-0007-postmortem@rewind\r\nDTSTAMP:20261206T100304Z\r\nDTSTART:20261208T090000Z\r\nDTEND:20261208T100000Z\r\n"
            + "SUMMARY:Postmortem INC-0007: db down\\; again\r\nDESCRIPTION:Draft: INC-0007.md\\, line\\ntwo\r\n"
            + "ORGANIZER;CN=\"dana@acme.example\":mailto:dana@acme.example\r\nSTATUS:CONFIRMED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            ics);
        Assert.Equal(TimeSpan.FromHours(1), PostmortemInvitation.Length);
    }

    [Fact]
    public void Given_no_owner_when_rendered_then_there_is_no_organizer()
    {
        var ics = PostmortemInvitation.Render(Incident(null), Opened, "d");

        Assert.DoesNotContain("ORGANIZER", ics, StringComparison.Ordinal);
        Assert.Contains("DESCRIPTION:d\r\nSTATUS:CONFIRMED\r\n", ics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Dana Smith", "ORGANIZER;CN=\"Dana Smith\":mailto:noreply@rewind.invalid")]
    [InlineData("dana", "ORGANIZER;CN=\"dana\":mailto:noreply@rewind.invalid")]
    [InlineData("dana @acme.example", "ORGANIZER;CN=\"dana @acme.example\":mailto:noreply@rewind.invalid")]
    [InlineData("dana@acme.example\tx", "ORGANIZER;CN=\"dana@acme.examplex\":mailto:noreply@rewind.invalid")]
    [InlineData("dana@acme.example\u0001", "ORGANIZER;CN=\"dana@acme.example\":mailto:noreply@rewind.invalid")]
    [InlineData("\"dana\"@acme.example", "ORGANIZER;CN=\"dana@acme.example\":mailto:noreply@rewind.invalid")]
    [InlineData("dana@acme.example;x", "ORGANIZER;CN=\"dana@acme.example;x\":mailto:noreply@rewind.invalid")]
    [InlineData("dana@acme.example,x", "ORGANIZER;CN=\"dana@acme.example,x\":mailto:noreply@rewind.invalid")]
    [InlineData("dana@acme.example:x", "ORGANIZER;CN=\"dana@acme.example:x\":mailto:noreply@rewind.invalid")]
    [InlineData("<dana@acme.example>", "ORGANIZER;CN=\"<dana@acme.example>\":mailto:noreply@rewind.invalid")]
    [InlineData("dana@acme\\example", "ORGANIZER;CN=\"dana@acme\\example\":mailto:noreply@rewind.invalid")]
    [InlineData("d.ana+ops@acme.example", "ORGANIZER;CN=\"d.ana+ops@acme.example\":mailto:d.ana+ops@acme.example")]
    public void Given_an_owner_when_rendered_then_only_one_plain_address_becomes_the_mailto(string owner, string organizer)
    {
        var lines = PostmortemInvitation.Render(Incident(owner), Opened, "d").Split("\r\n");

        Assert.Equal(organizer, Assert.Single(lines, l => l.StartsWith("ORGANIZER", StringComparison.Ordinal)));
    }

    [Fact]
    public void Given_a_long_title_when_rendered_then_the_summary_is_folded_at_75_octets()
    {
        var ics = PostmortemInvitation.Render(Incident(null) with { Title = new string('x', 100) }, Opened, "d");

        var summary = ics.Split("\r\n").SkipWhile(l => !l.StartsWith("SUMMARY:", StringComparison.Ordinal)).Take(2).ToArray();
        Assert.Equal(75, summary[0].Length);
        Assert.Equal(" " + new string('x', 100 - (75 - "SUMMARY:Postmortem INC-0007: ".Length)), summary[1]);
    }
}
