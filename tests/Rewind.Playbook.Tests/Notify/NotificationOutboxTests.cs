using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Rewind.Core;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Notify;
using Rewind.Playbook.Tests.Fakes;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Playbook.Tests.Notify;

/// <summary>The notification outbox on its own: URL checks, what counts as unfinished, and each delivery path (never twice, never thrown).</summary>
public sealed class NotificationOutboxTests
{
    private readonly FakeTimeProvider _clock = new(ProcessRun.Epoch);
    private readonly InMemoryLedger _ledger;
    private readonly ScriptedHttp _http = new();
    private readonly Dictionary<string, string> _environment = new()
    {
        ["TEAM_HOOK"] = "https://hooks.example/slack",
        ["SUPPORT_HOOK"] = "https://hooks.example/support",
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly NotifyRoute Slack = new(Audiences.Team, NotifyRoute.Slack, "TEAM_HOOK", "#releases");
    private static readonly NotifyRoute Webhook = new(Audiences.Support, NotifyRoute.Webhook, "SUPPORT_HOOK", null);

    private static readonly Notification Finished = new(NotificationKinds.Finished, "api", "run-1", "succeeded", ProcessRun.Epoch, "run-1", "api:42", "api:41", TimeSpan.FromMinutes(3));

    public NotificationOutboxTests() => _ledger = new InMemoryLedger(_clock);

    private NotificationOutbox Outbox(bool resendUnconfirmed = false) => new(
        _ledger, new WebhookSender(_http.Client(), new WebhookOptions(TimeSpan.FromSeconds(5), 1, TimeSpan.Zero), _clock),
        name => _environment.GetValueOrDefault(name), _clock, resendUnconfirmed);

    private string Hash(NotifyRoute route) => NotificationRenderer.Hash(NotificationRenderer.Render(Finished, route));

    [Fact]
    public void Given_each_variable_when_its_url_is_checked_then_the_problem_names_the_variable_and_setting_never_the_value()
    {
        _environment["TEAM_HOOK"] = "  ";
        _environment["SUPPORT_HOOK"] = "https://u:secret@hooks.example/x";
        var outbox = Outbox();

        Assert.Equal("environment variable TEAM_HOOK (notify.team.slack_webhook_env) is not set", outbox.UrlProblem(Slack));
        Assert.Equal($"environment variable SUPPORT_HOOK (notify.support.webhook_env) holds a URL with a user name or password (the URL is not shown): {WebhookSender.CredentialsHint}", outbox.UrlProblem(Webhook));
        Assert.Equal("environment variable OTHER (notify.team.slack_webhook_env) is not set", outbox.UrlProblem(Slack with { EnvironmentVariable = "OTHER" }));
        _environment["TEAM_HOOK"] = "https://hooks.example/slack";
        Assert.Null(outbox.UrlProblem(Slack));
    }

    [Fact]
    public void Given_routes_with_a_bad_variable_when_checked_then_it_is_bad_input_with_a_hint_for_its_kind()
    {
        _environment.Remove("TEAM_HOOK");
        var slack = Assert.Throws<RewindException>(() => Outbox().CheckRoutes([Webhook, Slack]));
        Assert.Equal(
            ("environment variable TEAM_HOOK (notify.team.slack_webhook_env) is not set", "export TEAM_HOOK with the Slack incoming webhook's URL, or set notify.team.enabled: false", FailureKind.BadInput),
            (slack.Message, slack.Hint, slack.Kind));

        _environment["SUPPORT_HOOK"] = "ftp://x";
        var hook = Assert.Throws<RewindException>(() => Outbox().CheckRoutes([Webhook]));
        Assert.Equal("export SUPPORT_HOOK with the webhook's URL, or set notify.support.enabled: false", hook.Hint);

        _environment["TEAM_HOOK"] = "https://hooks.example/slack";
        _environment["SUPPORT_HOOK"] = "https://hooks.example/support";
        Outbox().CheckRoutes([Slack, Webhook]);
    }

    [Fact]
    public async Task Given_no_routes_when_asked_if_unfinished_then_it_is_not()
    {
        Assert.False(await Outbox().IsUnfinishedAsync(Finished, [], Ct));
    }

    [Fact]
    public async Task Given_nothing_queued_when_asked_if_unfinished_then_it_is()
    {
        Assert.True(await Outbox().IsUnfinishedAsync(Finished, [Slack, Webhook], Ct));
    }

    [Fact]
    public async Task Given_one_route_delivered_and_another_never_queued_when_asked_then_it_counts_as_told()
    {
        await _ledger.EnqueueAsync(Finished.KeyFor(Slack), Slack.Target, Hash(Slack), Ct);
        await _ledger.MarkDeliveredAsync(Finished.KeyFor(Slack), "HTTP 200", Ct);

        Assert.False(await Outbox().IsUnfinishedAsync(Finished, [Slack, Webhook], Ct));
    }

    [Fact]
    public async Task Given_one_route_delivered_and_one_still_queued_when_asked_then_it_is_unfinished()
    {
        await _ledger.EnqueueAsync(Finished.KeyFor(Slack), Slack.Target, Hash(Slack), Ct);
        await _ledger.MarkDeliveredAsync(Finished.KeyFor(Slack), "HTTP 200", Ct);
        await _ledger.EnqueueAsync(Finished.KeyFor(Webhook), Webhook.Target, Hash(Webhook), Ct);

        Assert.True(await Outbox().IsUnfinishedAsync(Finished, [Slack, Webhook], Ct));
    }

    [Fact]
    public async Task Given_two_routes_when_all_are_delivered_then_each_gets_its_own_payload_once_and_the_outbox_says_delivered()
    {
        _http.Then(HttpStatusCode.OK, "ok");
        _clock.Advance(TimeSpan.FromSeconds(7));

        var deliveries = await Outbox().DeliverAllAsync(Finished, [Slack, Webhook], Ct);

        Assert.Equal(
            [
                new Delivery(Slack, "run-1/notify/finished/team/slack", true, "200", null, ProcessRun.Epoch.AddSeconds(7), false),
                new Delivery(Webhook, "run-1/notify/finished/support/webhook", true, "200", null, ProcessRun.Epoch.AddSeconds(7), false),
            ],
            deliveries);
        Assert.Equal(["POST https://hooks.example/slack", "POST https://hooks.example/support"], _http.Requests.Select(r => r.Line));
        Assert.True(JsonNode.DeepEquals(NotificationRenderer.Render(Finished, Webhook), JsonNode.Parse(_http.Requests[1].Body!)));
        Assert.Equal("run-1/notify/finished/support/webhook", _http.Requests[1].Header("Idempotency-Key"));
        var item = await _ledger.GetOutboxItemAsync("run-1/notify/finished/team/slack", Ct);
        Assert.Equal((OutboxStatus.Delivered, "HTTP 200", Slack.Target, Hash(Slack), 1), (item!.Status, item.Receipt, item.Target, item.PayloadHash, item.Attempts));
    }

    [Fact]
    public async Task Given_a_message_delivered_earlier_when_delivered_again_then_nothing_is_sent_and_the_old_receipt_is_shown()
    {
        _http.Then(HttpStatusCode.Created, "ok");
        await Outbox().DeliverAllAsync(Finished, [Webhook], Ct);
        var deliveredAt = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMinutes(1));

        var again = await Outbox().DeliverAsync(Finished, Webhook, null, Ct);

        Assert.Equal(new Delivery(Webhook, "run-1/notify/finished/support/webhook", true, "201", null, deliveredAt, AlreadyDelivered: true), again);
        Assert.Single(_http.Requests);
    }

    [Theory]
    [InlineData(null, "delivered")]
    [InlineData("HTTP 204", "204")]
    [InlineData("receipt-7", "receipt-7")]
    [InlineData("HTTP", "HTTP")]
    public async Task Given_a_delivered_item_with_a_receipt_when_delivered_again_then_the_status_is_read_from_it(string? receipt, string status)
    {
        var key = Finished.KeyFor(Webhook);
        await _ledger.EnqueueAsync(key, Webhook.Target, Hash(Webhook), Ct);
        await _ledger.MarkDeliveredAsync(key, receipt!, Ct);

        var delivery = await Outbox().DeliverAsync(Finished, Webhook, null, Ct);

        Assert.Equal((true, status, true), (delivery.Delivered, delivery.Status, delivery.AlreadyDelivered));
        Assert.Empty(_http.Requests);
    }

    [Fact]
    public async Task Given_a_Slack_message_left_sending_when_delivered_then_it_is_not_resent_and_is_unconfirmed()
    {
        var key = Finished.KeyFor(Slack);
        await _ledger.EnqueueAsync(key, Slack.Target, Hash(Slack), Ct);
        await _ledger.MarkSendingAsync(key, Ct);
        var sentAt = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromMinutes(2));

        var delivery = await Outbox().DeliverAsync(Finished, Slack, null, Ct);

        Assert.Equal(
            new Delivery(Slack, key, false, "unconfirmed",
                "sent at 2026-12-03T09:00:00Z by an attempt that stopped before its answer was recorded, so it may have arrived; slack:#releases cannot be asked and drops no repeat, so it is not sent again (if it did not arrive: 'rewind notify --retry --live')",
                sentAt, false),
            delivery);
        Assert.True(delivery.Unconfirmed);
        Assert.Empty(_http.Requests);
    }

    [Fact]
    public async Task Given_a_Slack_message_left_sending_when_the_operator_asks_to_resend_then_it_is_sent_again()
    {
        var key = Finished.KeyFor(Slack);
        await _ledger.EnqueueAsync(key, Slack.Target, Hash(Slack), Ct);
        await _ledger.MarkSendingAsync(key, Ct);
        _http.Then(HttpStatusCode.OK, "ok");

        var delivery = await Outbox().ResendingUnconfirmed().DeliverAsync(Finished, Slack, null, Ct);

        Assert.Equal((true, "200", false), (delivery.Delivered, delivery.Status, delivery.Unconfirmed));
        Assert.Single(_http.Requests);
    }

    [Fact]
    public async Task Given_a_webhook_message_left_sending_when_delivered_then_it_is_resent_with_the_same_key()
    {
        var key = Finished.KeyFor(Webhook);
        await _ledger.EnqueueAsync(key, Webhook.Target, Hash(Webhook), Ct);
        await _ledger.MarkSendingAsync(key, Ct);
        _http.Then(HttpStatusCode.OK, "ok");

        var delivery = await Outbox().DeliverAsync(Finished, Webhook, null, Ct);

        Assert.True(delivery.Delivered);
        Assert.Equal(key, Assert.Single(_http.Requests).Header("Idempotency-Key"));
    }

    [Fact]
    public async Task Given_the_key_queued_with_other_content_when_delivered_then_nothing_is_sent_and_the_delivery_says_why()
    {
        var key = Finished.KeyFor(Webhook);
        await _ledger.EnqueueAsync(key, Webhook.Target, "another-hash", Ct);
        _clock.Advance(TimeSpan.FromSeconds(3));

        var deliveries = await Outbox().DeliverAllAsync(Finished, [Webhook], Ct);

        Assert.Equal(
            [new Delivery(Webhook, key, false, "error", $"{key} was queued for another target or with other content (the configuration changed?): not sent", ProcessRun.Epoch.AddSeconds(3), false)],
            deliveries);
        Assert.Empty(_http.Requests);
    }

    [Fact]
    public async Task Given_the_variable_unset_at_send_time_when_delivered_then_the_item_is_marked_failed_and_nothing_is_sent()
    {
        _environment.Remove("SUPPORT_HOOK");

        var delivery = await Outbox().DeliverAsync(Finished, Webhook, null, Ct);

        Assert.Equal((false, "error", "environment variable SUPPORT_HOOK is not set"), (delivery.Delivered, delivery.Status, delivery.Error));
        var item = await _ledger.GetOutboxItemAsync(Finished.KeyFor(Webhook), Ct);
        Assert.Equal((OutboxStatus.Failed, "environment variable SUPPORT_HOOK is not set"), (item!.Status, item.LastError));
        Assert.Empty(_http.Requests);
    }

    [Fact]
    public async Task Given_the_receiver_refuses_when_delivered_then_the_failure_is_returned_and_recorded_not_thrown()
    {
        _http.Then(HttpStatusCode.Gone, "no_team");

        var delivery = await Outbox().DeliverAsync(Finished, Slack, null, Ct);

        Assert.Equal((false, "410", "HTTP 410 (no_team) after 1 attempt(s)"), (delivery.Delivered, delivery.Status, delivery.Error));
        var item = await _ledger.GetOutboxItemAsync(Finished.KeyFor(Slack), Ct);
        Assert.Equal((OutboxStatus.Failed, "HTTP 410 (no_team) after 1 attempt(s)", 1), (item!.Status, item.LastError, item.Attempts));
    }

    [Fact]
    public async Task Given_a_journal_when_delivered_then_the_call_is_journaled_by_key_with_the_target_and_hash_and_its_answer()
    {
        _http.Then(HttpStatusCode.OK, "ok");
        var calls = new List<(string Call, JsonObject Request, JsonObject Answer)>();

        async Task<DeliveryAttempt> Journal(string call, JsonObject request, Func<CancellationToken, Task<DeliveryAttempt>> send, Func<DeliveryAttempt, JsonObject> describe, CancellationToken ct)
        {
            var attempt = await send(ct);
            calls.Add((call, request, describe(attempt)));
            return attempt;
        }

        var delivery = await Outbox().DeliverAsync(Finished, Webhook, Journal, Ct);

        Assert.True(delivery.Delivered);
        var (name, sent, answer) = Assert.Single(calls);
        Assert.Equal("Notify run-1/notify/finished/support/webhook", name);
        Assert.Equal($$"""{"key":"run-1/notify/finished/support/webhook","target":"webhook:$SUPPORT_HOOK","payloadHash":"{{Hash(Webhook)}}"}""", sent.ToJsonString());
        Assert.Equal("""{"status":"200","attempts":1}""", answer.ToJsonString());
    }

    [Fact]
    public async Task Given_a_journal_when_the_receiver_fails_then_the_journaled_call_sees_the_failure_and_the_delivery_is_returned()
    {
        _http.Then(HttpStatusCode.InternalServerError, "");
        Exception? seen = null;

        async Task<DeliveryAttempt> Journal(string call, JsonObject request, Func<CancellationToken, Task<DeliveryAttempt>> send, Func<DeliveryAttempt, JsonObject> describe, CancellationToken ct)
        {
            try
            {
                return await send(ct);
            }
            catch (Exception e)
            {
                seen = e;
                throw;
            }
        }

        var delivery = await Outbox().DeliverAsync(Finished, Webhook, Journal, Ct);

        Assert.Equal((false, "500"), (delivery.Delivered, delivery.Status));
        var failed = Assert.IsType<DeliveryFailedException>(seen);
        Assert.Equal("HTTP 500 after 1 attempt(s)", failed.Message);
        Assert.Equal("HTTP 500", new DeliveryFailedException(new DeliveryAttempt(500, null, 1)).Message);
    }

    [Fact]
    public void Given_deliveries_when_turned_into_evidence_then_each_is_listed_and_counted()
    {
        var deliveries = new[]
        {
            new Delivery(Slack, "k1", true, "200", null, ProcessRun.Epoch, false),
            new Delivery(Webhook, "k2", false, "error", "unset", ProcessRun.Epoch.AddSeconds(1), false),
            new Delivery(Webhook, "k3", true, "201", null, ProcessRun.Epoch.AddSeconds(2), true),
        };

        var told = NotificationOutbox.Notified(deliveries);

        Assert.Equal((2, 1), (told.Delivered, told.Failed));
        Assert.Equal(
            [
                new AudienceDelivery("team", "slack:#releases", ProcessRun.Epoch, "200", null, "k1", true),
                new AudienceDelivery("support", "webhook:$SUPPORT_HOOK", ProcessRun.Epoch.AddSeconds(1), "error", "unset", "k2", false),
                new AudienceDelivery("support", "webhook:$SUPPORT_HOOK", ProcessRun.Epoch.AddSeconds(2), "201", null, "k3", true),
            ],
            told.Audiences);
    }
}
