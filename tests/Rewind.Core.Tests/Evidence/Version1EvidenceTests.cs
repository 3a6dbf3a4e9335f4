using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Xunit;

namespace Rewind.Core.Tests.Evidence;

/// <summary>
/// Evidence exactly as 418e7ad's steps journaled it (flat dictionaries of strings, keys and formats read from that
/// commit's EcsStep, SmokeReport, ErrorRateVerifier, IncidentStep, NotificationOutbox and CdnStep) reads as the typed records.
/// </summary>
public sealed class Version1EvidenceTests
{
    private static readonly Dictionary<string, string> Ecs = new()
    {
        ["deployment"] = "ecs-svc/5127284901828713471",
        ["taskDefinition"] = "arn:aws:ecs:us-east-1:123456789012:task-definition/claude-proxy-api:3",
        ["rolloutState"] = "COMPLETED",
        ["running"] = "2",
        ["desired"] = "2",
        ["deployments"] = "1",
    };

    private static readonly Dictionary<string, string> Smoke = new()
    {
        ["url"] = "http://127.0.0.1:8080/",
        ["checks"] = "2",
        ["passed"] = "1",
        ["failed"] = "1",
        ["results"] = """[{"check":"health","status":200,"latencyMs":12,"attempts":1,"ok":true},{"check":"enqueue","status":null,"latencyMs":3001,"attempts":3,"ok":false,"error":"timed out"}]""",
        ["log"] = "/tmp/rewind/smoke-run-1.log",
    };

    private static readonly Dictionary<string, string> Verify = new()
    {
        ["metric"] = "HTTPCode_Target_5XX_Count/RequestCount LoadBalancer=app/main/1 TargetGroup=targetgroup/main/2",
        ["windowStart"] = "2026-11-27T12:00:00Z",
        ["windowEnd"] = "2026-11-27T12:05:00Z",
        ["requests"] = "1200",
        ["errors"] = "3",
        ["rate5xxPercent"] = "0.25",
        ["thresholdPercent"] = "1.00",
        ["baselinePercent"] = "none",
        ["baseline"] = "the target release has no recorded baseline",
        ["alarms"] = "api-5xx=OK;api-latency=ALARM",
        ["verdict"] = "elevated",
    };

    private static readonly Dictionary<string, string> Incident = new()
    {
        ["incident"] = "INC-0001",
        ["owner"] = "alice@example.com",
        ["opened"] = "2026-11-27T12:06:00Z",
        ["due"] = "2026-11-29T12:06:00Z",
        ["ticket"] = "OPS-42, #7",
        ["link"] = "http://127.0.0.1:9/browse/OPS-42, http://127.0.0.1:9/issues/7",
        ["verified"] = "true",
        ["draft"] = "/tmp/rewind/INC-0001.md",
    };

    private static readonly Dictionary<string, string> Notify = new()
    {
        ["team.target"] = "slack:#releases",
        ["team.sentAt"] = "2026-11-27T12:07:00Z",
        ["team.status"] = "200",
        ["support.target"] = "http://127.0.0.1:9/hook",
        ["support.sentAt"] = "2026-11-27T12:07:01Z",
        ["support.status"] = "500",
        ["support.error"] = "http://127.0.0.1:9/hook: HTTP 500",
        ["delivered"] = "1",
        ["failed"] = "1",
    };

    [Fact]
    public void Given_version_1_ecs_evidence_then_it_reads_as_service_reverted_with_its_counts()
    {
        var record = Assert.IsType<ServiceReverted>(Version1Evidence.From("ecs", Ecs));

        Assert.Equal(("ecs-svc/5127284901828713471", "COMPLETED"), (record.Deployment, record.RolloutState));
        Assert.Equal(Ecs["taskDefinition"], record.TaskDefinition);
        Assert.Equal((2, 2, 1, true), (record.Running, record.Desired, record.Deployments, record.Awaited));
        Assert.Equal("", record.TargetTaskDefinition);
    }

    [Fact]
    public void Given_version_1_ecs_evidence_of_a_no_wait_run_then_it_was_not_awaited_and_none_is_absent()
    {
        var record = Assert.IsType<ServiceReverted>(Version1Evidence.From("ecs",
            new Dictionary<string, string> { ["deployment"] = "none", ["taskDefinition"] = "none", ["rolloutState"] = "not awaited" }));

        Assert.False(record.Awaited);
        Assert.Null(record.Deployment);
        Assert.Null(record.TaskDefinition);
        Assert.Equal((0, 0, 0), (record.Running, record.Desired, record.Deployments));
    }

    [Fact]
    public void Given_version_1_smoke_evidence_then_its_results_string_becomes_the_per_check_records()
    {
        var record = Assert.IsType<SmokePassed>(Version1Evidence.From("smoke", Smoke));

        Assert.Equal(("http://127.0.0.1:8080/", 2, 1, 1, "/tmp/rewind/smoke-run-1.log"), (record.Url, record.Checks, record.Passed, record.Failed, record.Log));
        Assert.Equal(new SmokeCheckResult("health", 200, 12, 1, true, null), record.Results[0]);
        Assert.Equal(new SmokeCheckResult("enqueue", null, 3001, 3, false, "timed out"), record.Results[1]);
    }

    [Fact]
    public void Given_version_1_smoke_evidence_whose_results_are_not_json_then_there_are_no_results()
    {
        var record = Assert.IsType<SmokePassed>(Version1Evidence.From("smoke", new Dictionary<string, string>(Smoke) { ["results"] = "[{" }));

        Assert.Empty(record.Results);
    }

    [Fact]
    public void Given_version_1_verify_evidence_then_numbers_times_and_alarms_are_typed_and_none_is_absent()
    {
        var record = Assert.IsType<ErrorRatesNormalized>(Version1Evidence.From("verify", Verify));

        Assert.Equal(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero), record.WindowStart);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 12, 5, 0, TimeSpan.Zero), record.WindowEnd);
        Assert.Equal((1200L, 3L, 0.25, 1.0), (record.Requests, record.Errors, record.Rate5xxPercent, record.ThresholdPercent));
        Assert.Null(record.BaselinePercent);
        Assert.Equal("the target release has no recorded baseline", record.Baseline);
        Assert.Equal([new AlarmReading("api-5xx", "OK"), new AlarmReading("api-latency", "ALARM")], record.Alarms);
        Assert.Equal("elevated", record.Verdict);
    }

    [Fact]
    public void Given_version_1_verify_evidence_without_a_load_balancer_then_the_rate_and_window_are_absent()
    {
        var alarmsOnly = new Dictionary<string, string>(Verify)
        {
            ["metric"] = "none (alarms only)",
            ["windowStart"] = "none",
            ["windowEnd"] = "none",
            ["requests"] = "none",
            ["errors"] = "none",
            ["rate5xxPercent"] = "none",
            ["alarms"] = "none",
        };

        var record = Assert.IsType<ErrorRatesNormalized>(Version1Evidence.From("verify", alarmsOnly));

        Assert.Equal("none (alarms only)", record.Metric);
        Assert.Equal((null, null, null, null, null), (record.WindowStart, record.WindowEnd, record.Requests, record.Errors, record.Rate5xxPercent));
        Assert.Empty(record.Alarms);
    }

    [Fact]
    public void Given_version_1_verify_evidence_without_a_threshold_then_it_stays_untyped()
    {
        var noThreshold = new Dictionary<string, string>(Verify);
        noThreshold.Remove("thresholdPercent");

        Assert.Null(Version1Evidence.From("verify", noThreshold));
    }

    [Fact]
    public void Given_version_1_incident_evidence_then_each_ticket_keeps_its_link()
    {
        var record = Assert.IsType<TicketOpened>(Version1Evidence.From("incident", Incident));

        Assert.Equal(("INC-0001", "alice@example.com", true, "/tmp/rewind/INC-0001.md"), (record.Incident, record.Owner, record.Verified, record.Draft));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 12, 6, 0, TimeSpan.Zero), record.Opened);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 12, 6, 0, TimeSpan.Zero), record.Due);
        Assert.Equal([new TicketLink("OPS-42", "http://127.0.0.1:9/browse/OPS-42"), new TicketLink("#7", "http://127.0.0.1:9/issues/7")], record.Tickets);
        Assert.Null(record.Webhook);
    }

    [Fact]
    public void Given_version_1_incident_evidence_kept_in_the_ledger_alone_and_unassigned_then_there_is_no_owner_and_no_ticket()
    {
        var ledgerOnly = new Dictionary<string, string>(Incident) { ["owner"] = "unassigned", ["ticket"] = "ledger", ["link"] = "none", ["verified"] = "false" };

        var record = Assert.IsType<TicketOpened>(Version1Evidence.From("incident", ledgerOnly));

        Assert.Null(record.Owner);
        Assert.Empty(record.Tickets);
        Assert.False(record.Verified);
    }

    [Fact]
    public void Given_version_1_notify_evidence_then_every_audience_is_a_delivery_with_its_status_and_error()
    {
        var record = Assert.IsType<TeamNotified>(Version1Evidence.From("notify", Notify));

        Assert.Equal((1, 1), (record.Delivered, record.Failed));
        Assert.Equal(
            [
                new AudienceDelivery("team", "slack:#releases", new DateTimeOffset(2026, 11, 27, 12, 7, 0, TimeSpan.Zero), "200", null),
                new AudienceDelivery("support", "http://127.0.0.1:9/hook", new DateTimeOffset(2026, 11, 27, 12, 7, 1, TimeSpan.Zero), "500", "http://127.0.0.1:9/hook: HTTP 500"),
            ],
            record.Audiences.OrderByDescending(a => a.Audience));
    }

    [Fact]
    public void Given_version_1_notify_evidence_of_nobody_to_tell_then_there_are_no_audiences()
    {
        var record = Assert.IsType<TeamNotified>(Version1Evidence.From("notify", new Dictionary<string, string> { ["delivered"] = "0", ["failed"] = "0" }));

        Assert.Empty(record.Audiences);
    }

    [Fact]
    public void Given_version_1_cdn_evidence_then_it_reads_as_the_invalidation()
    {
        var record = Assert.IsType<CacheInvalidated>(Version1Evidence.From("cdn",
            new Dictionary<string, string> { ["distribution"] = "E2ABC", ["invalidation"] = "I3XYZ", ["status"] = "Completed" }));

        Assert.Equal(("E2ABC", "I3XYZ", "Completed"), (record.Distribution, record.Invalidation, record.Status));
    }

    [Theory]
    [InlineData("canary")]
    [InlineData("secrets")]
    [InlineData("infra")]
    [InlineData("freeze")]
    public void Given_version_1_evidence_of_a_step_without_a_version_1_record_then_it_is_left_to_the_untyped_facts(string step)
    {
        Assert.Null(Version1Evidence.From(step, new Dictionary<string, string> { ["before"] = "main 90 / canary 10" }));
    }

    [Fact]
    public void Given_a_version_1_plan_then_the_ecs_target_is_its_task_definition_parameter_else_the_plans_target()
    {
        var plan = EvidenceRuns.Plan(["ecs"]);
        var version1 = plan with
        {
            Steps = [new StepPlan("ecs", StepStage.Service, "ecs", [], false, 5, 60, new Dictionary<string, string> { ["taskDefinition"] = "claude-proxy-api:7" })],
        };

        Assert.Equal("claude-proxy-api:7", Version1Evidence.PlannedTaskDefinition(version1));
        Assert.Equal(EvidenceRuns.TargetArn, Version1Evidence.PlannedTaskDefinition(plan));
        Assert.Null(Version1Evidence.PlannedTaskDefinition(null));
    }

    [Fact]
    public void Given_a_journal_of_version_1_evidence_that_proves_every_item_then_the_checklist_ticks_all_five()
    {
        var proven = new Dictionary<string, Dictionary<string, string>>
        {
            ["ecs"] = Ecs,
            ["smoke"] = new(Smoke) { ["passed"] = "2", ["failed"] = "0", ["results"] = """[{"check":"health","status":200,"latencyMs":12,"attempts":1,"ok":true},{"check":"enqueue","status":202,"latencyMs":30,"attempts":1,"ok":true}]""" },
            ["verify"] = new(Verify) { ["alarms"] = "api-5xx=OK", ["verdict"] = "normalized" },
            ["incident"] = Incident,
            ["notify"] = Notify,
        };
        var journal = EvidenceRuns.Journal(proven.SelectMany(p => new[]
        {
            (p.Key, JournalKind.Started, "{}"),
            (p.Key, JournalKind.Completed, new StepResult(StepStatus.Succeeded, "done", p.Value).ToJson().ToJsonString()),
        }));
        var run = new Run(EvidenceRuns.RunId, "claude-proxy-api", EvidenceRuns.Opened, RunStatus.Succeeded, null, EngineJson.Serialize(EvidenceRuns.Plan(proven.Keys)));

        var items = Checklist.Evaluate(RunRecord.From(run, journal, null));

        Assert.All(items, i => Assert.True(i.Ticked, $"{i.Key}: {i.Missing}"));
        Assert.Equal(EvidenceRuns.TargetArn, items[0].Evidence["target"]);
    }

    [Fact]
    public void Given_a_journal_entry_of_version_1_evidence_then_the_step_end_holds_the_typed_record()
    {
        var entry = Assert.Single(EvidenceRuns.Journal([("ecs", JournalKind.Completed, new StepResult(StepStatus.Succeeded, "done", Ecs).ToJson().ToJsonString())]));

        Assert.True(StepEnd.TryParse(entry, out var end));

        Assert.Equal(2, Assert.IsType<ServiceReverted>(end.Evidence).Running);
    }
}
