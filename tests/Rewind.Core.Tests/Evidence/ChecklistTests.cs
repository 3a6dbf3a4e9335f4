using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Xunit;

namespace Rewind.Core.Tests.Evidence;

/// <summary>
/// The checklist's words for each item: the evidence it shows, the journal entry it cites, and for an unticked item
/// every problem found and the command that fixes the first (the properties check which items tick; these check what
/// the operator reads).
/// </summary>
public sealed class ChecklistTests
{
    private const string Resume = $"rewind resume {EvidenceRuns.RunId}";

    [Fact]
    public void Given_a_run_whose_five_steps_proved_their_items_then_each_item_cites_its_entry_and_shows_its_facts()
    {
        var record = EvidenceRuns.Record([.. EvidenceRuns.Steps.Select(s => (s, (StepResult?)StepResult.Succeeded("done", EvidenceRuns.Proving(s))))]);

        var items = Checklist.Evaluate(record);

        Assert.Equal(["service-reverted", "smoke-tests-passing", "error-rates-normalized", "postmortem-ticket-created", "team-notified"], Checklist.Keys);
        Assert.Equal(Checklist.Keys, items.Select(i => i.Key));
        Assert.Equal(["Service reverted to stable version", "Smoke tests passing", "Error rates normalized", "Postmortem ticket created", "Team notified"],
            items.Select(i => i.Item));
        Assert.All(items, i => Assert.Equal((true, null, null), (i.Ticked, i.Missing, i.Command)));
        Assert.True(Checklist.AllTicked(items));
        Assert.Equal(
            ["journal entry 2: ecs completed at 2026-11-27T12:06:01Z", "journal entry 4: smoke completed at 2026-11-27T12:06:03Z",
                "journal entry 6: verify completed at 2026-11-27T12:06:05Z", "journal entry 8: incident completed at 2026-11-27T12:06:07Z",
                "journal entry 10: notify completed at 2026-11-27T12:06:09Z"],
            items.Select(i => i.Source));
        Assert.Equal(new Dictionary<string, string>
        {
            ["deployment"] = "ecs-svc/1",
            ["taskDefinition"] = "claude-proxy-api:3",
            ["rolloutState"] = "COMPLETED",
            ["running"] = "2",
            ["desired"] = "2",
            ["deployments"] = "1",
            ["target"] = EvidenceRuns.TargetArn,
        }, items[0].Evidence);
        Assert.Equal(["checks", "failed", "log", "passed", "results", "url"], items[1].Evidence.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("http://127.0.0.1:8080", "2", "2", "0", "/tmp/smoke.log"),
            (items[1].Evidence["url"], items[1].Evidence["checks"], items[1].Evidence["passed"], items[1].Evidence["failed"], items[1].Evidence["log"]));
        Assert.Equal(["alarms", "baselinePercent", "errors", "metric", "rate5xxPercent", "requests", "thresholdPercent", "verdict", "windowEnd", "windowStart"],
            items[2].Evidence.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("1200", "3", "0.25", "1", "0.2", "normalized"),
            (items[2].Evidence["requests"], items[2].Evidence["errors"], items[2].Evidence["rate5xxPercent"], items[2].Evidence["thresholdPercent"],
                items[2].Evidence["baselinePercent"], items[2].Evidence["verdict"]));
        Assert.Equal(EvidenceRuns.Verify.Metric, items[2].Evidence["metric"]);
        Assert.Equal(["draft", "due", "incident", "link", "opened", "owner", "ticket", "verified"], items[3].Evidence.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("INC-0001", "alice@example.com", "OPS-42", "http://127.0.0.1:9/browse/OPS-42", "true", "/tmp/INC-0001.md"),
            (items[3].Evidence["incident"], items[3].Evidence["owner"], items[3].Evidence["ticket"], items[3].Evidence["link"], items[3].Evidence["verified"],
                items[3].Evidence["draft"]));
        Assert.Equal(new Dictionary<string, string>
        {
            ["team.target"] = "slack:#releases",
            ["team.sentAt"] = "2026-11-27T12:07:00Z",
            ["team.status"] = "200",
        }, items[4].Evidence);
    }

    [Fact]
    public void Given_a_broken_chain_then_every_item_is_unticked_says_why_before_its_own_problem_and_points_to_ledger_verify()
    {
        var record = EvidenceRuns.Record([("ecs", StepResult.Succeeded("done", EvidenceRuns.Ecs))])
            with
        { ChainBreak = new ChainBreak(EvidenceRuns.RunId, 3, ChainBreakReason.HashMismatch, "altered") };

        var items = Checklist.Evaluate(record);

        const string Why = "the journal's hash chain is broken at entry 3 (HashMismatch): its evidence cannot be trusted";
        Assert.All(items, i => Assert.Equal((false, $"rewind ledger verify {EvidenceRuns.RunId}"), (i.Ticked, i.Command)));
        Assert.Equal(Why, items[0].Missing);
        Assert.Equal($"{Why}; the run has no smoke step, so there is no smoke evidence", items[1].Missing);
        Assert.False(Checklist.AllTicked(items));
    }

    [Fact]
    public void Given_no_record_then_evaluating_it_is_refused_by_name()
    {
        Assert.Equal("record", Assert.Throws<ArgumentNullException>(() => Checklist.Evaluate(null!)).ParamName);
    }

    [Fact]
    public void Given_items_of_which_one_is_unticked_then_not_all_are_ticked()
    {
        var ticked = new ChecklistItem("a", "A", true, new Dictionary<string, string>(), null, null, null);

        Assert.True(Checklist.AllTicked([ticked, ticked]));
        Assert.False(Checklist.AllTicked([ticked, ticked with { Ticked = false }]));
    }

    [Fact]
    public void Given_a_step_the_plan_does_not_hold_then_its_item_says_so_and_names_the_command_that_provides_it()
    {
        var item = Evaluate("smoke", EvidenceRuns.Record([("ecs", StepResult.Succeeded("done", EvidenceRuns.Ecs))]));

        Assert.Equal(("the run has no smoke step, so there is no smoke evidence", "rewind smoke --url URL", (string?)null), (item.Missing, item.Command, item.Source));
    }

    [Fact]
    public void Given_a_step_that_started_and_never_ended_then_its_item_says_so_and_points_to_resume()
    {
        var item = Evaluate("smoke", EvidenceRuns.Record([("ecs", StepResult.Succeeded("done", EvidenceRuns.Ecs)), ("smoke", null)]));

        Assert.Equal(("the smoke step started but never finished (the run is succeeded)", Resume), (item.Missing, item.Command));
    }

    [Fact]
    public void Given_a_planned_step_the_run_never_reached_then_its_item_says_so_and_points_to_resume()
    {
        var record = EvidenceRuns.Record([("ecs", StepResult.Succeeded("done", EvidenceRuns.Ecs))], EvidenceRuns.Plan(["ecs", "smoke"]));

        var item = Evaluate("smoke", record);

        Assert.Equal(("the smoke step was not reached (the run is succeeded)", Resume), (item.Missing, item.Command));
    }

    [Fact]
    public void Given_a_step_that_failed_without_its_record_then_the_item_names_the_missing_record_the_error_and_the_failure()
    {
        var item = Evaluate("ecs", EvidenceRuns.Record([("ecs", StepResult.Failed("deadline of 60 s reached", new StepFailed("TimeoutException", 60)))]));

        Assert.Equal(
            ("the ecs step journaled no ServiceReverted evidence (it failed: TimeoutException); the ecs step ended Failed: deadline of 60 s reached", Resume,
                "journal entry 2: ecs failed at 2026-11-27T12:06:01Z"),
            (item.Missing, item.Command, item.Source));
    }

    [Fact]
    public void Given_a_step_that_succeeded_with_another_steps_record_then_the_item_names_the_record_it_lacks()
    {
        var item = Evaluate("ecs", EvidenceRuns.Record([("ecs", StepResult.Succeeded("done", EvidenceRuns.Smoke))]));

        Assert.Equal(("the ecs step journaled no ServiceReverted evidence", "rewind ecs --live"), (item.Missing, item.Command));
    }

    [Fact]
    public void Given_a_step_that_failed_after_writing_a_proving_record_then_the_failure_alone_unticks_it()
    {
        var item = Evaluate("ecs", EvidenceRuns.Record([("ecs", StepResult.Failed("rollout stalled", EvidenceRuns.Ecs))]));

        Assert.Equal(("the ecs step ended Failed: rollout stalled", Resume), (item.Missing, item.Command));
    }

    [Fact]
    public void Given_a_skipped_step_with_its_record_then_it_is_cited_as_completed_and_ticked()
    {
        var item = Evaluate("ecs", EvidenceRuns.Record([("ecs", new StepResult(StepStatus.Skipped, "already reverted", EvidenceRuns.Ecs))]));

        Assert.Equal((true, "journal entry 2: ecs completed at 2026-11-27T12:06:01Z"), (item.Ticked, item.Source));
    }

    [Fact]
    public void Given_ecs_evidence_that_contradicts_every_claim_then_each_problem_is_listed_in_order()
    {
        var item = Ecs(EvidenceRuns.Ecs with { Deployment = null, TaskDefinition = null, RolloutState = null, Running = 1, Desired = 2, Deployments = 2 });

        Assert.Equal(
            "no deployment id in the evidence; no task definition in the evidence; 1 tasks running, 2 desired; rollout state is missing, not COMPLETED; "
            + "2 deployments, not one: the old one has not drained",
            item.Missing);
        Assert.Equal("rewind ecs --live", item.Command);
    }

    [Fact]
    public void Given_ecs_evidence_of_another_task_definition_still_rolling_out_then_both_are_named()
    {
        var item = Ecs(EvidenceRuns.Ecs with { TaskDefinition = "claude-proxy-api:2", RolloutState = "IN_PROGRESS" });

        Assert.Equal($"the primary deployment runs claude-proxy-api:2, not the plan's target {EvidenceRuns.TargetArn}; rollout state is IN_PROGRESS, not COMPLETED",
            item.Missing);
    }

    [Fact]
    public void Given_ecs_evidence_naming_its_own_target_then_that_target_is_judged_not_the_plans()
    {
        var item = Ecs(EvidenceRuns.Ecs with { TargetTaskDefinition = "claude-proxy-api:7", TaskDefinition = "claude-proxy-api:7" });

        Assert.Equal((true, "claude-proxy-api:7"), (item.Ticked, item.Evidence["target"]));
    }

    [Fact]
    public void Given_ecs_evidence_without_a_target_then_the_plans_target_is_judged()
    {
        var item = Ecs(EvidenceRuns.Ecs with { TargetTaskDefinition = "" });

        Assert.Equal((true, EvidenceRuns.TargetArn), (item.Ticked, item.Evidence["target"]));
    }

    [Fact]
    public void Given_ecs_evidence_without_a_target_and_a_plan_without_one_then_the_missing_target_is_the_problem()
    {
        var plan = EvidenceRuns.Plan(["ecs"]) with { Target = null };

        var item = Evaluate("ecs", EvidenceRuns.Record([("ecs", StepResult.Succeeded("done", EvidenceRuns.Ecs with { TargetTaskDefinition = "" }))], plan));

        Assert.Equal(("the plan names no target task definition", false), (item.Missing, item.Evidence.ContainsKey("target")));
    }

    [Fact]
    public void Given_a_run_whose_plan_cannot_be_read_then_the_ecs_target_is_unknown_and_says_why()
    {
        var record = EvidenceRuns.Record([("ecs", StepResult.Succeeded("done", EvidenceRuns.Ecs))]) with { Plan = null, PlanError = "bad json" };

        var item = Evaluate("ecs", record);

        Assert.Equal(("the run's plan cannot be read (bad json), so its target is unknown", false), (item.Missing, item.Evidence.ContainsKey("target")));
    }

    [Fact]
    public void Given_smoke_evidence_of_no_checks_then_both_gaps_are_named_and_the_command_has_no_url()
    {
        var item = Smoke(EvidenceRuns.Smoke with { Url = "", Checks = 0, Passed = 0, Results = [] });

        Assert.Equal(("no smoke check was run (checks is missing or 0); no per-check results (status, latency, attempts) in the evidence", "rewind smoke --url URL"),
            (item.Missing, item.Command));
    }

    [Fact]
    public void Given_smoke_evidence_with_failed_and_unrecorded_checks_then_the_counts_and_the_unnamed_check_are_named()
    {
        var item = Smoke(EvidenceRuns.Smoke with
        {
            Checks = 3,
            Passed = 1,
            Failed = 2,
            Results = [EvidenceRuns.Smoke.Results[0], EvidenceRuns.Smoke.Results[1] with { Check = " ", Ok = false }],
        });

        Assert.Equal(("2 of 3 checks failed; 1 checks passed of 3; 2 results recorded for 3 checks; not ok: (unnamed check)", "rewind smoke --url http://127.0.0.1:8080"),
            (item.Missing, item.Command));
    }

    [Fact]
    public void Given_smoke_results_not_ok_then_each_named_check_is_listed()
    {
        var item = Smoke(EvidenceRuns.Smoke with
        {
            Passed = 0,
            Failed = 2,
            Results = [.. EvidenceRuns.Smoke.Results.Select(r => r with { Ok = false })],
        });

        Assert.Equal("2 of 2 checks failed; 0 checks passed of 2; not ok: GET /health, GET /v1/models", item.Missing);
    }

    [Fact]
    public void Given_a_blank_fact_then_it_is_not_shown()
    {
        var item = Smoke(EvidenceRuns.Smoke with { Log = " " });

        Assert.True(item.Ticked);
        Assert.DoesNotContain("log", item.Evidence.Keys);
    }

    [Fact]
    public void Given_verify_evidence_missing_everything_then_each_gap_and_every_alarm_in_alarm_are_named()
    {
        var item = Verify(EvidenceRuns.Verify with
        {
            Verdict = "",
            Metric = "",
            WindowStart = null,
            WindowEnd = null,
            Requests = 0,
            Rate5xxPercent = null,
            BaselinePercent = null,
            Baseline = null,
            Alarms = [new AlarmReading("api-5xx", "ALARM"), new AlarmReading("api-latency", "OK"), new AlarmReading("api-errors", "ALARM")],
        });

        Assert.Equal(
            "the verdict is missing, not normalized; the query (metric) is missing; the window (windowStart, windowEnd) is missing or empty; "
            + "no requests in the window: an idle service proves nothing; the 5XX rate or the threshold is missing; "
            + "the baseline is missing (\"none\" when the target release has none); in alarm: api-5xx, api-errors",
            item.Missing);
        Assert.Equal("rewind verify", item.Command);
    }

    [Fact]
    public void Given_verify_evidence_of_an_elevated_rate_over_an_empty_window_then_the_verdict_the_window_and_the_rate_are_named()
    {
        var item = Verify(EvidenceRuns.Verify with
        {
            Verdict = "elevated",
            WindowEnd = EvidenceRuns.Verify.WindowStart,
            Rate5xxPercent = 2.5,
            ThresholdPercent = 1,
            Alarms = null!,
        });

        Assert.Equal("the verdict is elevated, not normalized; the window (windowStart, windowEnd) is missing or empty; the 5XX rate 2.5% is above the threshold 1%",
            item.Missing);
    }

    [Fact]
    public void Given_a_rate_of_many_decimals_above_the_threshold_then_both_are_shown_to_three_decimals()
    {
        var item = Verify(EvidenceRuns.Verify with { Rate5xxPercent = 1.23456, ThresholdPercent = 0.5 });

        Assert.Equal("the 5XX rate 1.235% is above the threshold 0.5%", item.Missing);
    }

    [Fact]
    public void Given_incident_evidence_missing_everything_then_each_gap_is_named_and_no_ticket_is_shown()
    {
        var item = Incident(EvidenceRuns.Incident with { Incident = "", Owner = null, Tickets = [], Opened = default, Due = default, Verified = false });

        Assert.Equal(
            "no incident id; no owner; no link to the ticket in a tracker; the opened or due time is missing; "
            + "the ticket was not read back from the tracker after it was created (verified is not true)",
            item.Missing);
        Assert.Equal("rewind incident open --live", item.Command);
        Assert.DoesNotContain("ticket", item.Evidence.Keys);
        Assert.DoesNotContain("link", item.Evidence.Keys);
    }

    [Fact]
    public void Given_an_unowned_incident_due_too_late_then_assigning_it_is_the_command_and_every_ticket_is_shown()
    {
        var item = Incident(EvidenceRuns.Incident with
        {
            Owner = null,
            Due = EvidenceRuns.Opened.AddHours(49),
            Tickets = [null!, new TicketLink("OPS-42", null), new TicketLink("#7", "http://127.0.0.1:9/issues/7"), new TicketLink("#8", "http://127.0.0.1:9/issues/8")],
        });

        Assert.Equal("no owner; the postmortem is due 2026-11-29T13:06:00Z, not within 48 h of 2026-11-27T12:06:00Z", item.Missing);
        Assert.Equal("rewind incident assign INC-0001 --owner NAME", item.Command);
        Assert.Equal(("OPS-42, #7, #8", "http://127.0.0.1:9/issues/7, http://127.0.0.1:9/issues/8"), (item.Evidence["ticket"], item.Evidence["link"]));
    }

    [Fact]
    public void Given_an_unowned_incident_of_a_failed_step_then_the_first_fix_assigning_it_is_the_command()
    {
        var evidence = EvidenceRuns.Incident with { Owner = null };

        var item = Evaluate("incident", EvidenceRuns.Record([("incident", StepResult.Failed("tracker down", evidence))]));

        Assert.Equal(("no owner; the incident step ended Failed: tracker down", "rewind incident assign INC-0001 --owner NAME"), (item.Missing, item.Command));
    }

    [Fact]
    public void Given_a_ticket_without_a_link_then_it_is_shown_and_the_missing_link_is_named()
    {
        var item = Incident(EvidenceRuns.Incident with { Tickets = [new TicketLink("ledger", null)] });

        Assert.Equal(("no link to the ticket in a tracker", "ledger", false), (item.Missing, item.Evidence["ticket"], item.Evidence.ContainsKey("link")));
    }

    [Fact]
    public void Given_a_postmortem_due_when_it_was_opened_then_it_is_not_within_48_hours()
    {
        var item = Incident(EvidenceRuns.Incident with { Due = EvidenceRuns.Opened });

        Assert.Equal("the postmortem is due 2026-11-27T12:06:00Z, not within 48 h of 2026-11-27T12:06:00Z", item.Missing);
    }

    [Fact]
    public void Given_an_incident_without_its_opened_time_then_the_time_is_missing()
    {
        Assert.Equal("the opened or due time is missing", Incident(EvidenceRuns.Incident with { Opened = default }).Missing);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Given_notify_evidence_without_a_message_to_the_team_then_none_was_attempted(bool customersOnly)
    {
        var audiences = customersOnly
            ? new[] { new AudienceDelivery("customers", "mailto:all@example.com", EvidenceRuns.Opened, "200", null), new AudienceDelivery("team", " ", EvidenceRuns.Opened, "200", null) }
            : null;

        var item = Notify(new TeamNotified(audiences!, 0, 0));

        Assert.Equal(("no message to the team was attempted", "rewind notify --to team --message TEXT --live"), (item.Missing, item.Command));
        Assert.Empty(item.Evidence);
    }

    [Fact]
    public void Given_two_team_deliveries_of_which_the_second_failed_then_the_failure_and_the_last_send_are_shown()
    {
        var item = Notify(new TeamNotified(
            [
                new AudienceDelivery("team", "slack:#releases", EvidenceRuns.Opened.AddMinutes(1), "200", null),
                new AudienceDelivery("team", "slack:#oncall", EvidenceRuns.Opened.AddMinutes(3), "500", "timeout"),
                new AudienceDelivery("team", "slack:#later", EvidenceRuns.Opened.AddMinutes(2), "201", null),
            ], 2, 1));

        Assert.Equal("the team's channel answered 500 (timeout), not 2xx", item.Missing);
        Assert.Equal(new Dictionary<string, string>
        {
            ["team.target"] = "slack:#releases, slack:#oncall, slack:#later",
            ["team.sentAt"] = "2026-11-27T12:09:00Z",
            ["team.status"] = "500",
            ["team.error"] = "timeout",
        }, item.Evidence);
    }

    [Fact]
    public void Given_a_team_delivery_never_sent_and_unanswered_then_both_are_named_and_no_send_time_is_shown()
    {
        var item = Notify(new TeamNotified(
            [
                new AudienceDelivery("team", "slack:#releases", null, "", null),
                new AudienceDelivery("team", "slack:#oncall", EvidenceRuns.Opened, "200", null),
            ], 1, 1));

        Assert.Equal("the time the team's message was sent is missing; the team's channel answered nothing, not 2xx", item.Missing);
        Assert.Equal(["team.target"], item.Evidence.Keys);
    }

    [Theory]
    [InlineData("2a0")]
    [InlineData("20a")]
    [InlineData("2000")]
    [InlineData("302")]
    public void Given_a_team_status_that_is_not_three_digits_of_2xx_then_it_is_not_a_delivery(string status)
    {
        var item = Notify(new TeamNotified([new AudienceDelivery("team", "slack:#releases", EvidenceRuns.Opened, status, null)], 1, 0));

        Assert.Equal($"the team's channel answered {status}, not 2xx", item.Missing);
    }

    private static ChecklistItem Evaluate(string step, RunRecord record) =>
        Checklist.Evaluate(record)[Array.IndexOf(EvidenceRuns.Steps, step)];

    private static ChecklistItem Ended(string step, StepEvidence evidence) =>
        Evaluate(step, EvidenceRuns.Record([(step, StepResult.Succeeded("done", evidence))]));

    private static ChecklistItem Ecs(ServiceReverted evidence) => Ended("ecs", evidence);

    private static ChecklistItem Smoke(SmokePassed evidence) => Ended("smoke", evidence);

    private static ChecklistItem Verify(ErrorRatesNormalized evidence) => Ended("verify", evidence);

    private static ChecklistItem Incident(TicketOpened evidence) => Ended("incident", evidence);

    private static ChecklistItem Notify(TeamNotified evidence) => Ended("notify", evidence);
}
