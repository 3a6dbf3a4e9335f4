using Rewind.Playbook.Notify;
using Xunit;

namespace Rewind.Playbook.Tests.Escaping;

public sealed class SlackTextTests
{
    [Theory]
    [InlineData("rolled back", "rolled back")]
    [InlineData("<!channel> look", "&lt;!channel&gt; look")]
    [InlineData("a & b <http://x|y>", "a &amp; b &lt;http://x|y&gt;")]
    [InlineData("&lt;", "&amp;lt;")]
    public void Mrkdwn_control_characters_are_escaped_as_slack_asks(string text, string expected) =>
        Assert.Equal(expected, SlackText.Escape(text));

    [Fact]
    public void Given_an_operators_message_with_a_mention_when_rendered_for_slack_then_neither_the_section_nor_the_fallback_pings()
    {
        var message = new Notification(NotificationKinds.Message, "claude-proxy-api", "run-1", "sent", DateTimeOffset.UnixEpoch, "run-1", Detail: "<!channel> fixed & verified");

        var payload = NotificationRenderer.Render(message, new NotifyRoute(Audiences.Team, NotifyRoute.Slack, "TEAM_HOOK", "#releases"));

        Assert.Equal("About claude-proxy-api: &lt;!channel&gt; fixed &amp; verified", payload["text"]!.GetValue<string>());
        Assert.Equal("&lt;!channel&gt; fixed &amp; verified", payload["blocks"]![1]!["text"]!["text"]!.GetValue<string>());
        Assert.DoesNotContain("<!channel>", payload.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_without_those_characters_renders_the_same_bytes_as_before_so_queued_hashes_still_match()
    {
        var finished = new Notification(NotificationKinds.Finished, "claude-proxy-api", "run-1", "succeeded", DateTimeOffset.UnixEpoch, "run-1", "3", "2", TimeSpan.FromSeconds(95));

        var payload = NotificationRenderer.Render(finished, new NotifyRoute(Audiences.Team, NotifyRoute.Slack, "TEAM_HOOK", "#releases"));

        Assert.Equal(
            "Rollback finished: claude-proxy-api: Rollback of claude-proxy-api finished and verified: 3 → 2 in 1m 35s (run run-1). Releases stay frozen until the root cause is identified.",
            payload["text"]!.GetValue<string>());
    }
}
