using System.Text.Json.Nodes;
using Rewind.Playbook.Notify;
using Xunit;

namespace Rewind.Playbook.Tests.Notify;

/// <summary>The exact bytes each route receives: Slack Block Kit and the generic webhook, every kind and audience's words.</summary>
public sealed class NotificationRendererTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 11, 30, 15, TimeSpan.FromHours(1));

    private static Notification Finished(string? incident = "INC-0007") => new(
        NotificationKinds.Finished, "api", "run-1", "succeeded", At, "run-1", "api:42", "api:41", TimeSpan.FromSeconds(125), incident, At.AddMinutes(-20), null);

    private static readonly NotifyRoute Team = new(Audiences.Team, NotifyRoute.Slack, "TEAM_HOOK", "#releases");

    [Fact]
    public void Given_a_finished_rollback_when_rendered_for_Slack_then_the_blocks_are_exact()
    {
        var payload = NotificationRenderer.Render(Finished(), Team);

        var expected = JsonNode.Parse("""
            {"text":"Rollback finished: api: Rollback of api finished and verified: api:42 → api:41 in 2m 05s (run run-1). Incident INC-0007. Releases stay frozen until the root cause is identified.",
             "blocks":[{"type":"header","text":{"type":"plain_text","text":"Rollback finished: api"}},
              {"type":"section","text":{"type":"mrkdwn","text":"Rollback of api finished and verified: api:42 → api:41 in 2m 05s (run run-1). Incident INC-0007. Releases stay frozen until the root cause is identified."},
               "fields":[{"type":"mrkdwn","text":"*Service*\napi"},{"type":"mrkdwn","text":"*Rollback*\napi:42 → api:41"},{"type":"mrkdwn","text":"*Run*\nrun-1"},
                {"type":"mrkdwn","text":"*Status*\nsucceeded"},{"type":"mrkdwn","text":"*Duration*\n2m 05s"},{"type":"mrkdwn","text":"*Incident*\nINC-0007"}]},
              {"type":"context","elements":[{"type":"mrkdwn","text":"Rewind · rollback.finished · 2026-12-06T10:30:15Z"}]}]}
            """);
        Assert.True(JsonNode.DeepEquals(expected, payload), payload.ToJsonString());
    }

    [Fact]
    public void Given_a_message_without_run_rollback_duration_or_incident_when_rendered_for_Slack_then_only_service_and_status_fields_remain()
    {
        var n = new Notification(NotificationKinds.Message, "api", "msg-1", "sent", At, Detail: "db <!channel> & back");

        var payload = NotificationRenderer.Slack(n, Audiences.Team);

        Assert.Equal("About api: db &lt;!channel&gt; &amp; back", payload["text"]!.GetValue<string>());
        var section = payload["blocks"]![1]!;
        Assert.Equal("db &lt;!channel&gt; &amp; back", section["text"]!["text"]!.GetValue<string>());
        Assert.Equal(["*Service*\napi", "*Status*\nsent"], section["fields"]!.AsArray().Select(f => f!["text"]!.GetValue<string>()));
        Assert.Equal("Rewind · message · 2026-12-06T10:30:15Z", payload["blocks"]![2]!["elements"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void Given_only_the_target_known_when_rendered_for_Slack_then_the_rollback_field_shows_a_question_mark_for_the_start()
    {
        var n = new Notification(NotificationKinds.Started, "api", "run-1", "started", At, To: "api:41");

        var fields = NotificationRenderer.Slack(n, Audiences.Team)["blocks"]![1]!["fields"]!.AsArray().Select(f => f!["text"]!.GetValue<string>()).ToList();

        Assert.Equal(["*Service*\napi", "*Rollback*\n? → api:41", "*Status*\nstarted"], fields);
        Assert.Equal("*Rollback*\napi:42 → ?", NotificationRenderer.Slack(n with { From = "api:42", To = null }, Audiences.Team)["blocks"]![1]!["fields"]![1]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void Given_a_finished_rollback_when_rendered_for_a_webhook_then_every_field_is_there_and_absent_ones_are_null()
    {
        var route = new NotifyRoute(Audiences.Support, NotifyRoute.Webhook, "SUPPORT_HOOK", null);

        var payload = NotificationRenderer.Render(Finished(incident: null) with { ImpactSince = null }, route);

        Assert.Equal(
            """{"event":"rollback.finished","service":"api","run":"run-1","status":"succeeded","message":"Customers of api may have seen errors or slow responses since the start of the incident. The previous release was restored at 2026-12-06 10:30 UTC and verified healthy.","time":"2026-12-06T10:30:15Z","audience":"support","from":"api:42","to":"api:41","incident":null,"impactSince":null}""",
            payload.ToJsonString());
        Assert.Equal("2026-12-06T10:10:15Z", NotificationRenderer.Webhook(Finished(), Audiences.Support)["impactSince"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(NotificationKinds.Started, "Rollback started: api")]
    [InlineData(NotificationKinds.Finished, "Rollback finished: api")]
    [InlineData(NotificationKinds.Failed, "Rollback FAILED: api")]
    [InlineData(NotificationKinds.FreezeOn, "Releases frozen: api")]
    [InlineData(NotificationKinds.FreezeOff, "Releases unfrozen: api")]
    [InlineData(NotificationKinds.Message, "About api")]
    public void Given_a_kind_when_titled_then_the_headline_says_it(string kind, string title)
    {
        Assert.Equal(title, NotificationRenderer.Title(new Notification(kind, "api", "s", "x", At)));
    }

    [Theory]
    [InlineData(NotificationKinds.Started, Audiences.Team, "Rollback of api started: api:42 → api:41 (run run-1).")]
    [InlineData(NotificationKinds.Started, Audiences.Support, "Customers of api may be seeing errors since 2026-12-06 10:10 UTC; a rollback to the previous release started at 2026-12-06 10:30 UTC.")]
    [InlineData(NotificationKinds.Started, Audiences.Customers, "Customers of api may be seeing errors since 2026-12-06 10:10 UTC; a rollback to the previous release started at 2026-12-06 10:30 UTC.")]
    [InlineData(NotificationKinds.Finished, Audiences.Team, "Rollback of api finished and verified: api:42 → api:41 in 2m 05s (run run-1). Incident INC-0007. Releases stay frozen until the root cause is identified.")]
    [InlineData(NotificationKinds.Finished, Audiences.Support, "Customers of api may have seen errors or slow responses since 2026-12-06 10:10 UTC. The previous release was restored at 2026-12-06 10:30 UTC and verified healthy. Incident INC-0007.")]
    [InlineData(NotificationKinds.Finished, Audiences.Customers, "We found an issue affecting api between 2026-12-06 10:10 UTC and 2026-12-06 10:30 UTC. It is resolved: the service is operating normally.")]
    [InlineData(NotificationKinds.Failed, Audiences.Team, "Rollback of api failed: ecs timed out. Continue it with `rewind resume run-1`.")]
    [InlineData(NotificationKinds.Failed, Audiences.Support, "Customers of api may still see errors (since 2026-12-06 10:10 UTC); the rollback needs attention and engineers are on it.")]
    [InlineData(NotificationKinds.FreezeOn, Audiences.Team, "Releases of api are frozen: ecs timed out. Incident INC-0007.")]
    [InlineData(NotificationKinds.FreezeOff, Audiences.Support, "Releases of api are unfrozen. Root cause: ecs timed out. Incident INC-0007.")]
    [InlineData(NotificationKinds.Message, Audiences.Customers, "ecs timed out")]
    [InlineData("other", Audiences.Team, "ecs timed out")]
    public void Given_a_kind_and_an_audience_when_written_then_the_audience_reads_its_own_words(string kind, string audience, string text)
    {
        var n = Finished() with { Kind = kind, Detail = "ecs timed out" };

        Assert.Equal(text, NotificationRenderer.Text(n, audience));
    }

    [Fact]
    public void Given_nothing_known_when_written_then_the_words_fall_back_without_failing()
    {
        var n = new Notification(NotificationKinds.Finished, "api", "s", "x", At);

        Assert.Equal("Rollback of api finished and verified: ? → ? in 0s (run ). Releases stay frozen until the root cause is identified.",
            NotificationRenderer.Text(n, Audiences.Team));
        Assert.Equal("Rollback of api started: ? → ? (run ).", NotificationRenderer.Text(n with { Kind = NotificationKinds.Started }, Audiences.Team));
        Assert.Equal("", NotificationRenderer.Text(n with { Kind = NotificationKinds.Message }, Audiences.Team));
        Assert.Equal("", NotificationRenderer.Text(n with { Kind = "other" }, Audiences.Team));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(45.9, "45s")]
    [InlineData(59.99, "59s")]
    [InlineData(60, "1m 00s")]
    [InlineData(125, "2m 05s")]
    [InlineData(3599, "59m 59s")]
    [InlineData(3600, "1h 00m")]
    [InlineData(3720, "1h 02m")]
    [InlineData(90000, "25h 00m")]
    public void Given_a_duration_when_formatted_then_it_reads_as_people_say_it(double seconds, string text)
    {
        Assert.Equal(text, NotificationRenderer.Format(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Given_texts_beyond_Slacks_limits_when_rendered_then_header_section_and_fields_are_clipped_with_an_ellipsis()
    {
        var service = new string('s', 150 - "Rollback FAILED: ".Length);
        var n = new Notification(NotificationKinds.Failed, service, "r", "failed", At, Detail: new string('d', 3000));

        var blocks = NotificationRenderer.Slack(n, Audiences.Team)["blocks"]!;
        var longer = NotificationRenderer.Slack(n with { Service = service + "s" }, Audiences.Team)["blocks"]!;

        Assert.Equal($"Rollback FAILED: {service}", blocks[0]!["text"]!["text"]!.GetValue<string>());
        var clipped = longer[0]!["text"]!["text"]!.GetValue<string>();
        Assert.Equal((150, '…'), (clipped.Length, clipped[^1]));
        var section = blocks[1]!["text"]!["text"]!.GetValue<string>();
        Assert.Equal((3000, '…'), (section.Length, section[^1]));
        var field = blocks[1]!["fields"]![0]!["text"]!.GetValue<string>();
        Assert.Equal($"*Service*\n{service}", field);
        var wide = NotificationRenderer.Slack(n with { Service = new string('s', 2000) }, Audiences.Team)["blocks"]![1]!["fields"]![0]!["text"]!.GetValue<string>();
        Assert.Equal((2000, '…'), (wide.Length, wide[^1]));
    }

    [Fact]
    public void Given_a_section_of_exactly_the_limit_when_rendered_then_it_is_not_clipped()
    {
        var n = new Notification(NotificationKinds.Message, "api", "r", "sent", At, Detail: new string('d', 3000));

        Assert.Equal(new string('d', 3000), NotificationRenderer.Slack(n, Audiences.Team)["blocks"]![1]!["text"]!["text"]!.GetValue<string>());
        var field = NotificationRenderer.Slack(n with { Service = new string('s', 2000 - "*Service*\n".Length) }, Audiences.Team)["blocks"]![1]!["fields"]![0]!["text"]!.GetValue<string>();
        Assert.Equal(2000, field.Length);
        Assert.NotEqual('…', field[^1]);
    }

    [Fact]
    public void Given_a_payload_when_hashed_then_it_is_the_lowercase_SHA256_of_its_JSON()
    {
        Assert.Equal("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", NotificationRenderer.Hash(new JsonObject()));
        Assert.NotEqual(NotificationRenderer.Hash(new JsonObject { ["a"] = 1 }), NotificationRenderer.Hash(new JsonObject { ["a"] = 2 }));
    }

    [Theory]
    [InlineData(NotificationKinds.Started, "rollback.started")]
    [InlineData(NotificationKinds.Finished, "rollback.finished")]
    [InlineData(NotificationKinds.Failed, "rollback.failed")]
    [InlineData(NotificationKinds.FreezeOn, "freeze.on")]
    [InlineData(NotificationKinds.FreezeOff, "freeze.off")]
    [InlineData(NotificationKinds.Message, "message")]
    [InlineData("anything", "message")]
    public void Given_a_kind_when_its_event_is_named_then_it_is_the_webhooks_event(string kind, string name)
    {
        Assert.Equal(name, NotificationKinds.EventOf(kind));
    }
}
