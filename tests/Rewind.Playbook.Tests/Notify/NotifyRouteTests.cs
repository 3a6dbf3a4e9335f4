using Rewind.Core.Configuration;
using Rewind.Playbook.Notify;
using Xunit;

namespace Rewind.Playbook.Tests.Notify;

/// <summary>Routes: how they are named (never the URL), which drop repeats, the ones configured, version-1 plans, outbox keys.</summary>
public sealed class NotifyRouteTests
{
    [Theory]
    [InlineData(NotifyRoute.Slack, "TEAM_HOOK", "#releases", "slack:#releases", false, "notify.team.slack_webhook_env")]
    [InlineData(NotifyRoute.Slack, "TEAM_HOOK", "", "slack:$TEAM_HOOK", false, "notify.team.slack_webhook_env")]
    [InlineData(NotifyRoute.Slack, "TEAM_HOOK", null, "slack:$TEAM_HOOK", false, "notify.team.slack_webhook_env")]
    [InlineData(NotifyRoute.Webhook, "TEAM_HOOK", "#ignored", "webhook:$TEAM_HOOK", true, "notify.team.webhook_env")]
    public void Given_a_route_when_named_then_target_repeats_and_setting_follow_its_kind(string kind, string variable, string? channel, string target, bool drops, string setting)
    {
        var route = new NotifyRoute(Audiences.Team, kind, variable, channel);

        Assert.Equal((target, drops, setting), (route.Target, route.DropsRepeats, route.Setting));
    }

    [Fact]
    public void Given_an_audience_with_both_hooks_when_its_routes_are_listed_then_Slack_comes_first()
    {
        var target = new NotifyTarget("SLACK_VAR", "HOOK_VAR", "#ops", true);

        Assert.Equal(
            [new NotifyRoute(Audiences.Support, NotifyRoute.Slack, "SLACK_VAR", "#ops"), new NotifyRoute(Audiences.Support, NotifyRoute.Webhook, "HOOK_VAR", null)],
            NotifyRoute.Of(Audiences.Support, target));
        Assert.Equal([new NotifyRoute(Audiences.Support, NotifyRoute.Webhook, "HOOK_VAR", null)], NotifyRoute.Of(Audiences.Support, target with { SlackWebhookEnv = null }));
        Assert.Empty(NotifyRoute.Of(Audiences.Support, target with { SlackWebhookEnv = null, WebhookEnv = null }));
        Assert.Empty(NotifyRoute.Of(Audiences.Support, null));
    }

    [Fact]
    public void Given_a_version_1_parameter_when_decoded_then_each_line_of_three_or_four_words_is_a_route()
    {
        var routes = NotifyRoute.DecodeAll("team slack TEAM_HOOK #releases\nsupport webhook SUPPORT_HOOK\nbroken line\n\ncustomers slack C_HOOK");

        Assert.Equal(
            [
                new NotifyRoute("team", "slack", "TEAM_HOOK", "#releases"), new NotifyRoute("support", "webhook", "SUPPORT_HOOK", null),
                new NotifyRoute("customers", "slack", "C_HOOK", null),
            ],
            routes);
        Assert.Empty(NotifyRoute.DecodeAll(null));
        Assert.Empty(NotifyRoute.DecodeAll(""));
    }

    [Fact]
    public void Given_a_notify_section_when_an_audiences_target_is_asked_then_it_is_that_audiences()
    {
        var team = new NotifyTarget("T", null, null, true);
        var support = new NotifyTarget("S", null, null, true);
        var customers = new NotifyTarget("C", null, null, false);
        var section = new NotifySection(team, support, customers);

        Assert.Same(team, Audiences.TargetOf(section, Audiences.Team));
        Assert.Same(support, Audiences.TargetOf(section, Audiences.Support));
        Assert.Same(customers, Audiences.TargetOf(section, Audiences.Customers));
        Assert.Null(Audiences.TargetOf(section, "others"));
        Assert.Equal(["team", "support", "customers"], Audiences.All);
    }

    [Fact]
    public void Given_a_notify_section_when_enabled_routes_are_asked_then_a_disabled_or_missing_audience_has_none()
    {
        var section = new NotifySection(new NotifyTarget("T", null, "#r", true), null, new NotifyTarget("C", null, null, false));

        Assert.Equal([new NotifyRoute(Audiences.Team, NotifyRoute.Slack, "T", "#r")], NotificationOutbox.EnabledRoutes(section, Audiences.Team));
        Assert.Empty(NotificationOutbox.EnabledRoutes(section, Audiences.Support));
        Assert.Empty(NotificationOutbox.EnabledRoutes(section, Audiences.Customers));
    }

    [Fact]
    public void Given_a_notification_when_keyed_for_a_route_then_the_key_parses_back_into_its_parts()
    {
        var n = new Notification(NotificationKinds.FreezeOn, "api", "frz-1", "frozen", ProcessRun.Epoch);
        var key = n.KeyFor(new NotifyRoute(Audiences.Customers, NotifyRoute.Webhook, "V", null));

        Assert.Equal("frz-1/notify/freeze-on/customers/webhook", key);
        Assert.Equal(new NotificationKey("frz-1", "freeze-on", "customers", "webhook"), NotificationKey.Parse(key));
    }

    [Theory]
    [InlineData("run-1/incident/github")]
    [InlineData("run-1/notify/started/team")]
    [InlineData("run-1/notify/started/team/slack/extra")]
    [InlineData("run-1/alert/started/team/slack")]
    [InlineData("run-1/notify/exploded/team/slack")]
    [InlineData("run-1/notify/started/everyone/slack")]
    [InlineData("run-1/notify/started/team/email")]
    public void Given_another_outbox_key_when_parsed_then_it_is_no_notification(string key)
    {
        Assert.Null(NotificationKey.Parse(key));
    }
}
