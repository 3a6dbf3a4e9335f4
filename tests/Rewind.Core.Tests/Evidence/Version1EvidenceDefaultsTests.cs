using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Xunit;

namespace Rewind.Core.Tests.Evidence;

/// <summary>Version-1 evidence with values absent, "none" or oddly written reads as the typed records' own absences.</summary>
public sealed class Version1EvidenceDefaultsTests
{
    private static readonly Dictionary<string, string> Nothing = [];

    [Fact]
    public void Given_no_step_or_no_values_then_reading_is_refused_by_name()
    {
        Assert.Equal("step", Assert.Throws<ArgumentNullException>(() => Version1Evidence.From(null!, Nothing)).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentNullException>(() => Version1Evidence.From("ecs", null!)).ParamName);
    }

    [Fact]
    public void Given_empty_ecs_evidence_then_every_text_is_absent_every_count_zero_and_the_rollout_awaited()
    {
        Assert.Equal(new ServiceReverted("", "", "", null, null, null, 0, 0, 0, Awaited: true), Version1Evidence.From("ecs", Nothing));
    }

    [Fact]
    public void Given_empty_smoke_evidence_then_no_url_no_checks_and_no_results()
    {
        var smoke = Assert.IsType<SmokePassed>(Version1Evidence.From("smoke", Nothing));

        Assert.Equal(("", 0, 0, 0, 0, (string?)null), (smoke.Url, smoke.Checks, smoke.Passed, smoke.Failed, smoke.Results.Count, smoke.Log));
    }

    [Fact]
    public void Given_smoke_results_without_a_check_name_then_the_check_is_unnamed()
    {
        var smoke = Assert.IsType<SmokePassed>(Version1Evidence.From("smoke", new Dictionary<string, string> { ["results"] = """[{"ok":true,"check":3}]""" }));

        Assert.Equal(new SmokeCheckResult("", null, 0, 0, true, null), Assert.Single(smoke.Results));
    }

    [Fact]
    public void Given_verify_evidence_with_a_threshold_alone_then_the_rest_is_absent()
    {
        var verify = Assert.IsType<ErrorRatesNormalized>(Version1Evidence.From("verify", new Dictionary<string, string> { ["thresholdPercent"] = "1" }));

        Assert.Equal(("", "", (string?)null, 0), (verify.Metric, verify.Verdict, verify.Baseline, verify.Alarms.Count));
    }

    [Fact]
    public void Given_verify_evidence_whose_baseline_percent_is_none_then_the_baseline_is_none()
    {
        var verify = Assert.IsType<ErrorRatesNormalized>(Version1Evidence.From("verify",
            new Dictionary<string, string> { ["thresholdPercent"] = "1", ["baselinePercent"] = "none" }));

        Assert.Equal(((double?)null, "none"), (verify.BaselinePercent, verify.Baseline));
    }

    [Fact]
    public void Given_verify_evidence_with_a_baseline_percent_then_it_is_a_number()
    {
        var verify = Assert.IsType<ErrorRatesNormalized>(Version1Evidence.From("verify",
            new Dictionary<string, string> { ["thresholdPercent"] = "1", ["baselinePercent"] = "0.2" }));

        Assert.Equal(((double?)0.2, (string?)null), (verify.BaselinePercent, verify.Baseline));
    }

    [Fact]
    public void Given_an_alarm_without_a_state_then_its_state_is_empty()
    {
        var verify = Assert.IsType<ErrorRatesNormalized>(Version1Evidence.From("verify",
            new Dictionary<string, string> { ["thresholdPercent"] = "1", ["alarms"] = "api-5xx;=OK" }));

        Assert.Equal([new AlarmReading("api-5xx", ""), new AlarmReading("=OK", "")], verify.Alarms);
    }

    [Fact]
    public void Given_alarms_with_blank_entries_and_spaces_then_each_alarm_reads_trimmed()
    {
        var verify = Assert.IsType<ErrorRatesNormalized>(Version1Evidence.From("verify",
            new Dictionary<string, string> { ["thresholdPercent"] = "1", ["alarms"] = "api-5xx=OK; ;  api-latency=ALARM" }));

        Assert.Equal([new AlarmReading("api-5xx", "OK"), new AlarmReading("api-latency", "ALARM")], verify.Alarms);
    }

    [Fact]
    public void Given_empty_incident_evidence_then_no_incident_owner_times_or_tickets_and_not_verified()
    {
        var incident = Assert.IsType<TicketOpened>(Version1Evidence.From("incident", Nothing));

        Assert.Equal(("", (string?)null, default(DateTimeOffset), default(DateTimeOffset), 0, false), (incident.Incident, incident.Owner, incident.Opened, incident.Due, incident.Tickets.Count, incident.Verified));
    }

    [Fact]
    public void Given_incident_evidence_of_a_called_webhook_then_the_webhook_is_kept()
    {
        var incident = Assert.IsType<TicketOpened>(Version1Evidence.From("incident", new Dictionary<string, string> { ["webhook"] = "http://127.0.0.1:9/hook" }));

        Assert.Equal("http://127.0.0.1:9/hook", incident.Webhook);
    }

    [Fact]
    public void Given_more_tickets_than_links_then_the_links_go_to_the_first_tickets_in_order()
    {
        var incident = Assert.IsType<TicketOpened>(Version1Evidence.From("incident",
            new Dictionary<string, string> { ["ticket"] = "OPS-42, #7", ["link"] = "http://127.0.0.1:9/browse/OPS-42" }));

        Assert.Equal([new TicketLink("OPS-42", "http://127.0.0.1:9/browse/OPS-42"), new TicketLink("#7", null)], incident.Tickets);
    }

    [Fact]
    public void Given_links_of_a_ledger_only_ticket_then_each_link_is_its_own_ticket()
    {
        var incident = Assert.IsType<TicketOpened>(Version1Evidence.From("incident",
            new Dictionary<string, string> { ["ticket"] = "ledger", ["link"] = "http://a/1, http://a/2" }));

        Assert.Equal([new TicketLink("http://a/1", "http://a/1"), new TicketLink("http://a/2", "http://a/2")], incident.Tickets);
    }

    [Fact]
    public void Given_notify_evidence_of_an_audience_with_its_target_alone_then_the_rest_of_its_delivery_is_absent()
    {
        var notify = Assert.IsType<TeamNotified>(Version1Evidence.From("notify", new Dictionary<string, string> { ["team.target"] = "none" }));

        Assert.Equal(new AudienceDelivery("team", "", null, "", null), Assert.Single(notify.Audiences));
        Assert.Equal((0, 0), (notify.Delivered, notify.Failed));
    }

    [Fact]
    public void Given_empty_cdn_evidence_then_no_distribution_invalidation_or_status()
    {
        var cdn = Assert.IsType<CacheInvalidated>(Version1Evidence.From("cdn", Nothing));

        Assert.Equal(("", "", "", 0), (cdn.Distribution, cdn.Invalidation, cdn.Status, cdn.Paths.Count));
    }

    [Fact]
    public void Given_a_plan_then_the_planned_task_definition_is_the_ecs_steps_parameter_else_the_plans_target()
    {
        var withParameter = EvidenceRuns.Plan(["smoke"]) with
        {
            Steps = [EvidenceRuns.Plan(["smoke"]).Steps[0], new StepPlan("ecs", StepStage.Service, "ecs", [], false, 5, 60, new Dictionary<string, string> { ["taskDefinition"] = "claude-proxy-api:9" })],
        };
        var emptyParameter = withParameter with
        {
            Steps = [new StepPlan("ecs", StepStage.Service, "ecs", [], false, 5, 60, new Dictionary<string, string> { ["taskDefinition"] = "" })],
        };

        Assert.Equal("claude-proxy-api:9", Version1Evidence.PlannedTaskDefinition(withParameter));
        Assert.Equal(EvidenceRuns.TargetArn, Version1Evidence.PlannedTaskDefinition(emptyParameter));
        Assert.Equal(EvidenceRuns.TargetArn, Version1Evidence.PlannedTaskDefinition(EvidenceRuns.Plan(["smoke"])));
        Assert.Null(Version1Evidence.PlannedTaskDefinition(null));
    }
}
