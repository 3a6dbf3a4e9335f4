using System.Text.Json;
using Rewind.Core.Ledger;
using Rewind.Ledger.Sqlite;
using Rewind.Playbook.Notify;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.IntegrationTests.Announce;

/// <summary>
/// Messages through the outbox to loopback receivers standing in for Slack and a generic webhook: the payloads field by
/// field, never twice, retried on 500 and timeouts, and the URL never kept anywhere.
/// </summary>
public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private static readonly WebhookOptions Fast = new(TimeSpan.FromMilliseconds(300), 3, TimeSpan.FromMilliseconds(10));
    private static readonly DateTimeOffset Started = new(2026, 11, 27, 9, 15, 0, TimeSpan.Zero);

    private static readonly Notification Finished = new(
        NotificationKinds.Finished, "claude-proxy-api", "run-20261127-091500-ab12", "succeeded", Started.AddSeconds(125),
        "run-20261127-091500-ab12", "claude-proxy-api:4", "claude-proxy-api:3 (<last known-good>)", TimeSpan.FromSeconds(125), "INC-0007", Started.AddMinutes(-20));

    private readonly string _folder = Directory.CreateTempSubdirectory("rewind-webhooks-").FullName;
    private readonly Dictionary<string, string> _environment = [];
    private SqliteLedger _ledger = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _ledger = await SqliteLedger.OpenAsync(Path.Combine(_folder, "ledger.db"), Ct);

    public async ValueTask DisposeAsync()
    {
        await _ledger.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Slack_gets_block_kit_with_header_fields_context_and_a_text_fallback()
    {
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok"));
        var route = Route(slack, NotifyRoute.Slack, "#releases");

        var delivery = await Outbox().DeliverAsync(Finished, route, null, Ct);

        Assert.True(delivery.Delivered, delivery.Error);
        Assert.Equal(("200", "slack:#releases"), (delivery.Status, delivery.Route.Target));
        var request = Assert.Single(slack.Requests);
        Assert.Equal("POST", request.Method);
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal("run-20261127-091500-ab12/notify/finished/team/slack", request.Header("Idempotency-Key"));
        using var json = JsonDocument.Parse(request.Body);
        var root = json.RootElement;
        Assert.StartsWith("Rollback finished: claude-proxy-api: Rollback of claude-proxy-api finished and verified", root.GetProperty("text").GetString(), StringComparison.Ordinal);
        var blocks = root.GetProperty("blocks");
        Assert.Equal(3, blocks.GetArrayLength());
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.Equal("plain_text", blocks[0].GetProperty("text").GetProperty("type").GetString());
        Assert.Equal("Rollback finished: claude-proxy-api", blocks[0].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal("section", blocks[1].GetProperty("type").GetString());
        Assert.Equal("mrkdwn", blocks[1].GetProperty("text").GetProperty("type").GetString());
        Assert.Equal(
            "Rollback of claude-proxy-api finished and verified: claude-proxy-api:4 → claude-proxy-api:3 (&lt;last known-good&gt;) in 2m 05s (run run-20261127-091500-ab12). Incident INC-0007. Releases stay frozen until the root cause is identified.",
            blocks[1].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal(
            [
                "*Service*\nclaude-proxy-api",
                "*Rollback*\nclaude-proxy-api:4 → claude-proxy-api:3 (&lt;last known-good&gt;)",
                "*Run*\nrun-20261127-091500-ab12",
                "*Status*\nsucceeded",
                "*Duration*\n2m 05s",
                "*Incident*\nINC-0007",
            ],
            blocks[1].GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("text").GetString()));
        Assert.All(blocks[1].GetProperty("fields").EnumerateArray(), f => Assert.Equal("mrkdwn", f.GetProperty("type").GetString()));
        Assert.Equal("context", blocks[2].GetProperty("type").GetString());
        Assert.Equal("Rewind · rollback.finished · 2026-11-27T09:17:05Z", blocks[2].GetProperty("elements")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task The_generic_webhook_gets_the_documented_json_and_support_reads_what_customers_may_see_since_when()
    {
        await using var hook = LoopbackStub.Start(new StubResponse(202, ""));
        var route = Route(hook, NotifyRoute.Webhook, null, Audiences.Support);

        var delivery = await Outbox().DeliverAsync(Finished, route, null, Ct);

        Assert.True(delivery.Delivered, delivery.Error);
        Assert.Equal("202", delivery.Status);
        Assert.StartsWith("webhook:$REWIND_HOOK_", route.Target, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(Assert.Single(hook.Requests).Body);
        var root = json.RootElement;
        Assert.Equal(
            ["event", "service", "run", "status", "message", "time", "audience", "from", "to", "incident", "impactSince"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("rollback.finished", root.GetProperty("event").GetString());
        Assert.Equal("claude-proxy-api", root.GetProperty("service").GetString());
        Assert.Equal("run-20261127-091500-ab12", root.GetProperty("run").GetString());
        Assert.Equal("succeeded", root.GetProperty("status").GetString());
        Assert.Equal(
            "Customers of claude-proxy-api may have seen errors or slow responses since 2026-11-27 08:55 UTC. The previous release was restored at 2026-11-27 09:17 UTC and verified healthy. Incident INC-0007.",
            root.GetProperty("message").GetString());
        Assert.Equal("2026-11-27T09:17:05Z", root.GetProperty("time").GetString());
        Assert.Equal("support", root.GetProperty("audience").GetString());
        Assert.Equal("claude-proxy-api:4", root.GetProperty("from").GetString());
        Assert.Equal("INC-0007", root.GetProperty("incident").GetString());
        Assert.Equal("2026-11-27T08:55:00Z", root.GetProperty("impactSince").GetString());
    }

    [Fact]
    public async Task A_delivered_message_is_never_sent_again()
    {
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok"));
        var route = Route(slack, NotifyRoute.Slack, "#releases");

        var first = await Outbox().DeliverAsync(Finished, route, null, Ct);
        var second = await Outbox().DeliverAsync(Finished, route, null, Ct);

        Assert.True(first.Delivered && !first.AlreadyDelivered);
        Assert.True(second.Delivered && second.AlreadyDelivered);
        Assert.Single(slack.Requests);
        var item = await _ledger.Outbox.GetOutboxItemAsync(first.Key, Ct);
        Assert.Equal((OutboxStatus.Delivered, 1, "HTTP 200"), (item!.Status, item.Attempts, item.Receipt));
    }

    [Fact]
    public async Task A_receiver_answering_500_is_tried_three_times_then_recorded_failed_and_a_retry_sends_the_same_bytes()
    {
        await using var slack = LoopbackStub.Start(new StubResponse(500, "internal_error"), new StubResponse(500, "internal_error"), new StubResponse(500, "internal_error"), new StubResponse(200, "ok"));
        var route = Route(slack, NotifyRoute.Slack, "#releases");

        var failed = await Outbox().DeliverAsync(Finished, route, null, Ct);

        Assert.False(failed.Delivered);
        Assert.Equal("500", failed.Status);
        Assert.Equal("HTTP 500 (internal_error) after 3 attempt(s)", failed.Error);
        Assert.Equal(3, slack.Requests.Count);
        var item = await _ledger.Outbox.GetOutboxItemAsync(failed.Key, Ct);
        Assert.Equal(OutboxStatus.Failed, item!.Status);
        Assert.Equal(failed.Error, item.LastError);

        var retried = await Outbox().DeliverAsync(Finished, route, null, Ct);

        Assert.True(retried.Delivered, retried.Error);
        Assert.Equal(4, slack.Requests.Count);
        Assert.Equal(slack.Requests[0].Body, slack.Requests[3].Body);
        Assert.Equal(OutboxStatus.Delivered, (await _ledger.Outbox.GetOutboxItemAsync(failed.Key, Ct))!.Status);
    }

    [Fact]
    public async Task A_receiver_that_never_answers_times_out_each_attempt_and_the_url_is_kept_nowhere()
    {
        await using var slack = LoopbackStub.Start(StubResponse.Stall());
        var route = Route(slack, NotifyRoute.Slack, "#releases");

        var failed = await Outbox().DeliverAsync(Finished, route, null, Ct);

        Assert.False(failed.Delivered);
        Assert.Equal("error", failed.Status);
        Assert.Equal("no answer within 0.3 s after 3 attempt(s)", failed.Error);
        Assert.Equal(3, slack.Requests.Count);
        var item = (await _ledger.Outbox.GetOutboxItemAsync(failed.Key, Ct))!;
        Assert.DoesNotContain("127.0.0.1", $"{item.Target} {item.LastError} {item.Receipt} {item.PayloadHash}", StringComparison.Ordinal);
        Assert.Equal("slack:#releases", item.Target);
    }

    [Fact]
    public async Task A_variable_that_is_not_set_fails_the_delivery_without_sending()
    {
        var route = new NotifyRoute(Audiences.Team, NotifyRoute.Slack, "REWIND_UNSET_HOOK", "#releases");

        var failed = await Outbox().DeliverAsync(Finished, route, null, Ct);

        Assert.False(failed.Delivered);
        Assert.Equal("environment variable REWIND_UNSET_HOOK is not set", failed.Error);
        Assert.Equal(OutboxStatus.Failed, (await _ledger.Outbox.GetOutboxItemAsync(failed.Key, Ct))!.Status);
    }

    [Fact]
    public async Task A_message_is_unfinished_until_delivered_wherever_it_was_queued_and_deliver_all_queues_every_route_before_sending()
    {
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok"));
        await using var hook = LoopbackStub.Start(new StubResponse(500, "down"), new StubResponse(500, "down"), new StubResponse(500, "down"), new StubResponse(200, "ok"));
        var routes = new[] { Route(slack, NotifyRoute.Slack, "#releases"), Route(hook, NotifyRoute.Webhook, null) };
        var outbox = Outbox();

        Assert.False(await outbox.IsUnfinishedAsync(Finished, [], Ct));
        Assert.True(await outbox.IsUnfinishedAsync(Finished, routes, Ct));   // never queued anywhere

        var first = await outbox.DeliverAllAsync(Finished, routes, Ct);

        Assert.Equal([true, false], first.Select(d => d.Delivered));
        Assert.True(await outbox.IsUnfinishedAsync(Finished, routes, Ct));   // the webhook's item failed
        var second = await outbox.DeliverAllAsync(Finished, routes, Ct);
        Assert.Equal([true, true], second.Select(d => d.Delivered));
        Assert.True(second[0].AlreadyDelivered);
        Assert.Single(slack.Requests);
        Assert.False(await outbox.IsUnfinishedAsync(Finished, routes, Ct));
        // A route configured after the message went out everywhere it was queued is not sent old news.
        Assert.False(await outbox.IsUnfinishedAsync(Finished, [.. routes, Route(slack, NotifyRoute.Slack, "#later", Audiences.Support)], Ct));

        // Queued but never sent (the process died between the two): unfinished.
        var other = Finished with { Subject = "run-20261127-101500-cd34" };
        await _ledger.Outbox.EnqueueAsync(other.KeyFor(routes[0]), routes[0].Target, NotificationRenderer.Hash(NotificationRenderer.Render(other, routes[0])), Ct);
        Assert.True(await outbox.IsUnfinishedAsync(other, [routes[0]], Ct));
    }

    private NotificationOutbox Outbox() =>
        new(_ledger.Outbox, new WebhookSender(WebhookSender.SharedHttp, Fast, TimeProvider.System), name => _environment.GetValueOrDefault(name), TimeProvider.System);

    private NotifyRoute Route(LoopbackStub stub, string kind, string? channel, string audience = Audiences.Team)
    {
        var variable = $"REWIND_HOOK_{_environment.Count}";
        _environment[variable] = stub.Url + "services/T000/B000/secretpath";
        return new NotifyRoute(audience, kind, variable, channel);
    }
}
