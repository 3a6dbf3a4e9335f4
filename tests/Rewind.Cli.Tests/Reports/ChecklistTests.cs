using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Xunit;

namespace Rewind.Cli.Tests.Reports;

/// <summary>The five checklist items against synthetic journals: ticked only by evidence, unticked when it is missing or contradicts the claim.</summary>
public sealed class ChecklistTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_every_step_proved_its_item_then_all_five_are_ticked_each_with_its_evidence_and_journal_entry()
    {
        await using var run = await SyntheticRun.AllProvenAsync(Ct);

        var items = await run.ChecklistAsync(Ct);

        Assert.Equal(Checklist.Keys, items.Select(i => i.Key));
        Assert.All(items, i => Assert.True(i.Ticked, $"{i.Key}: {i.Missing}"));
        Assert.All(items, i => Assert.Null(i.Missing));
        Assert.All(items, i => Assert.Null(i.Command));
        Assert.All(items, i => Assert.Matches(@"^journal entry \d+: \w+ completed at ", i.Source));
        var byKey = items.ToDictionary(i => i.Key);
        Assert.Equal("ecs-svc/5127284901828713471", byKey["service-reverted"].Evidence["deployment"]);
        Assert.Equal(SyntheticRun.TargetArn, byKey["service-reverted"].Evidence["target"]);
        Assert.Equal("2", byKey["service-reverted"].Evidence["running"]);
        Assert.Contains("GET /health", byKey["smoke-tests-passing"].Evidence["results"], StringComparison.Ordinal);
        Assert.Equal("normalized", byKey["error-rates-normalized"].Evidence["verdict"]);
        Assert.Equal("0.2", byKey["error-rates-normalized"].Evidence["baselinePercent"]);
        Assert.Equal("http://127.0.0.1:9/browse/OPS-42", byKey["postmortem-ticket-created"].Evidence["link"]);
        Assert.Equal("alice@example.com", byKey["postmortem-ticket-created"].Evidence["owner"]);
        Assert.Equal("200", byKey["team-notified"].Evidence["team.status"]);
        Assert.Equal("slack:#releases", byKey["team-notified"].Evidence["team.target"]);
    }

    [Theory]
    // service reverted
    [InlineData("ecs rollout failed", "Succeeded", "service-reverted", "rollout state is FAILED, not COMPLETED")]
    [InlineData("ecs one task running", "Succeeded", "service-reverted", "1 tasks running, 2 desired")]
    [InlineData("ecs runs the bad revision", "Succeeded", "service-reverted", "runs claude-proxy-api:4, not the plan's target")]
    [InlineData("ecs no deployment", "Succeeded", "service-reverted", "no deployment id")]
    [InlineData("ecs two deployments", "Succeeded", "service-reverted", "2 deployments, not one")]
    [InlineData("ecs as proven", "Failed", "service-reverted", "the ecs step ended Failed")]
    // smoke tests passing
    [InlineData("smoke one failed", "Succeeded", "smoke-tests-passing", "1 of 2 checks failed")]
    [InlineData("smoke a result not ok", "Succeeded", "smoke-tests-passing", "not ok: GET /v1/models")]
    [InlineData("smoke no checks", "Succeeded", "smoke-tests-passing", "no smoke check was run")]
    [InlineData("smoke no results", "Succeeded", "smoke-tests-passing", "no per-check results")]
    // error rates normalized
    [InlineData("verify elevated", "Succeeded", "error-rates-normalized", "the verdict is elevated, not normalized")]
    [InlineData("verify rate above threshold", "Succeeded", "error-rates-normalized", "the 5XX rate 2.5% is above the threshold 1%")]
    [InlineData("verify an alarm", "Succeeded", "error-rates-normalized", "in alarm: api-5xx")]
    [InlineData("verify no requests", "Succeeded", "error-rates-normalized", "no requests in the window")]
    [InlineData("verify no window end", "Succeeded", "error-rates-normalized", "the window (windowStart, windowEnd) is missing")]
    // postmortem ticket created
    [InlineData("incident no link", "Succeeded", "postmortem-ticket-created", "no link to the ticket")]
    [InlineData("incident no owner", "Succeeded", "postmortem-ticket-created", "no owner")]
    [InlineData("incident due too late", "Succeeded", "postmortem-ticket-created", "not within 48 h")]
    [InlineData("incident not read back", "Succeeded", "postmortem-ticket-created", "not read back from the tracker")]
    // team notified
    [InlineData("notify team answered 500", "Succeeded", "team-notified", "answered 500, not 2xx")]
    [InlineData("notify team errored", "Failed", "team-notified", "answered error")]
    [InlineData("notify nothing to the team", "Succeeded", "team-notified", "no message to the team was attempted")]
    public async Task Given_evidence_that_is_missing_or_contradicts_the_claim_then_only_that_item_stays_unticked_and_says_why(
        string contradiction, string status, string item, string missing)
    {
        var (step, evidence) = Contradiction(contradiction);
        await using var run = await SyntheticRun.CreateAsync(Ct);
        foreach (var name in new[] { "canary", "ecs", "smoke", "verify", "incident", "notify" })
            await run.StepAsync(name, name == step ? status : "Succeeded", name == step ? evidence : SyntheticRun.GoodEvidence(name), Ct);

        var items = await run.ChecklistAsync(Ct);

        var unticked = Assert.Single(items, i => !i.Ticked);
        Assert.Equal(item, unticked.Key);
        Assert.Contains(missing, unticked.Missing, StringComparison.Ordinal);
        Assert.StartsWith("rewind ", unticked.Command, StringComparison.Ordinal);
        Assert.NotNull(unticked.Source);
    }

    [Fact]
    public async Task Given_a_step_that_journaled_another_steps_record_then_its_item_is_unticked_for_want_of_its_own()
    {
        await using var run = await SyntheticRun.CreateAsync(Ct, "ecs");
        await run.StepAsync("ecs", "Succeeded", SyntheticRun.GoodSmoke, Ct);

        var item = (await run.ChecklistAsync(Ct))[0];

        Assert.False(item.Ticked);
        Assert.Equal("the ecs step journaled no ServiceReverted evidence", item.Missing);
    }

    /// <summary>The proving record of one step with one contradiction, named as the theory above names it.</summary>
    private static (string Step, StepEvidence Evidence) Contradiction(string name) => name switch
    {
        "ecs rollout failed" => ("ecs", SyntheticRun.GoodEcs with { RolloutState = "FAILED" }),
        "ecs one task running" => ("ecs", SyntheticRun.GoodEcs with { Running = 1 }),
        "ecs runs the bad revision" => ("ecs", SyntheticRun.GoodEcs with { TaskDefinition = "claude-proxy-api:4" }),
        "ecs no deployment" => ("ecs", SyntheticRun.GoodEcs with { Deployment = null }),
        "ecs two deployments" => ("ecs", SyntheticRun.GoodEcs with { Deployments = 2 }),
        "ecs as proven" => ("ecs", SyntheticRun.GoodEcs),
        "smoke one failed" => ("smoke", SyntheticRun.GoodSmoke with { Failed = 1 }),
        "smoke a result not ok" => ("smoke", SyntheticRun.GoodSmoke with
        {
            Results = [SyntheticRun.GoodSmoke.Results[0], SyntheticRun.GoodSmoke.Results[1] with { Status = 502, Ok = false }],
        }),
        "smoke no checks" => ("smoke", SyntheticRun.GoodSmoke with { Checks = 0 }),
        "smoke no results" => ("smoke", SyntheticRun.GoodSmoke with { Results = [] }),
        "verify elevated" => ("verify", SyntheticRun.GoodVerify with { Verdict = "elevated" }),
        "verify rate above threshold" => ("verify", SyntheticRun.GoodVerify with { Rate5xxPercent = 2.5 }),
        "verify an alarm" => ("verify", SyntheticRun.GoodVerify with { Alarms = [new AlarmReading("api-5xx", "ALARM"), new AlarmReading("api-latency", "OK")] }),
        "verify no requests" => ("verify", SyntheticRun.GoodVerify with { Requests = 0 }),
        "verify no window end" => ("verify", SyntheticRun.GoodVerify with { WindowEnd = null }),
        "incident no link" => ("incident", SyntheticRun.GoodIncident with { Tickets = [new TicketLink("ledger", null)] }),
        "incident no owner" => ("incident", SyntheticRun.GoodIncident with { Owner = null }),
        "incident due too late" => ("incident", SyntheticRun.GoodIncident with { Due = new DateTimeOffset(2026, 11, 30, 12, 6, 0, TimeSpan.Zero) }),
        "incident not read back" => ("incident", SyntheticRun.GoodIncident with { Verified = false }),
        "notify team answered 500" => ("notify", Team(SyntheticRun.GoodNotify.Audiences[0] with { Status = "500" })),
        "notify team errored" => ("notify", Team(SyntheticRun.GoodNotify.Audiences[0] with { Status = "error", Error = "slack:#releases: no answer" })),
        "notify nothing to the team" => ("notify", new TeamNotified([new AudienceDelivery("customers", "statuspage", DateTimeOffset.UnixEpoch, "200", null)], 1, 0)),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such contradiction"),
    };

    private static TeamNotified Team(AudienceDelivery team) => SyntheticRun.GoodNotify with { Audiences = [team] };

    [Theory]
    [InlineData("smoke", "smoke-tests-passing", "rewind smoke --url URL")]
    [InlineData("verify", "error-rates-normalized", "rewind verify")]
    [InlineData("incident", "postmortem-ticket-created", "rewind incident open --live")]
    [InlineData("notify", "team-notified", "rewind notify --to team --message TEXT --live")]
    public async Task Given_a_run_without_the_step_then_its_item_is_unticked_and_names_the_command_that_provides_it(string step, string item, string command)
    {
        await using var run = await SyntheticRun.CreateAsync(Ct, [.. new[] { "canary", "ecs", "smoke", "verify", "incident", "notify" }.Where(s => s != step)]);
        foreach (var name in run.Plan.Steps.Select(s => s.Step))
            await run.StepAsync(name, "Succeeded", SyntheticRun.GoodEvidence(name), Ct);

        var unticked = Assert.Single(await run.ChecklistAsync(Ct), i => !i.Ticked);

        Assert.Equal(item, unticked.Key);
        Assert.Equal($"the run has no {step} step, so there is no {step} evidence", unticked.Missing);
        Assert.Equal(command, unticked.Command);
        Assert.Null(unticked.Source);
        Assert.Empty(unticked.Evidence);
    }

    [Fact]
    public async Task Given_a_failed_step_then_its_item_points_at_resuming_the_run()
    {
        await using var run = await SyntheticRun.CreateAsync(Ct, "ecs");
        var evidence = SyntheticRun.GoodEcs with { RolloutState = "FAILED" };
        await run.StepAsync("ecs", "Failed", evidence, Ct, summary: "deployment FAILED: the circuit breaker rolled back to claude-proxy-api:4");
        await run.FinishAsync(RunStatus.Failed, Ct);

        var item = (await run.ChecklistAsync(Ct))[0];

        Assert.False(item.Ticked);
        Assert.Contains("circuit breaker", item.Missing, StringComparison.Ordinal);
        Assert.Equal($"rewind resume {run.RunId}", item.Command);
        Assert.Equal("FAILED", item.Evidence["rolloutState"]);
    }

    [Fact]
    public async Task Given_steps_that_started_and_never_ended_or_were_never_reached_then_their_items_point_at_resume()
    {
        await using var run = await SyntheticRun.CreateAsync(Ct, "ecs", "smoke", "verify");
        await run.StepAsync("ecs", "Succeeded", SyntheticRun.GoodEvidence("ecs"), Ct);
        await run.StepAsync("smoke", "Succeeded", null, Ct, end: false);

        var items = (await run.ChecklistAsync(Ct)).ToDictionary(i => i.Key);

        Assert.True(items["service-reverted"].Ticked);
        Assert.Contains("the smoke step started but never finished (the run is running)", items["smoke-tests-passing"].Missing, StringComparison.Ordinal);
        Assert.Contains("the verify step was not reached", items["error-rates-normalized"].Missing, StringComparison.Ordinal);
        Assert.Equal($"rewind resume {run.RunId}", items["smoke-tests-passing"].Command);
        Assert.Equal($"rewind resume {run.RunId}", items["error-rates-normalized"].Command);
    }

    [Fact]
    public async Task Given_a_failed_aws_call_inside_a_step_then_the_steps_own_end_is_what_counts()
    {
        await using var run = await SyntheticRun.CreateAsync(Ct, "ecs");
        await run.Ledger.Runs.AppendJournalAsync(run.RunId, "ecs", JournalKind.Started, "{}", Ct);
        await run.Ledger.Runs.AppendJournalAsync(run.RunId, "ecs", JournalKind.CallSent, """{"call":"UpdateService"}""", Ct);
        await run.Ledger.Runs.AppendJournalAsync(run.RunId, "ecs", JournalKind.CallFailed, """{"call":"UpdateService","error":"throttled"}""", Ct);

        var item = (await run.ChecklistAsync(Ct))[0];

        Assert.False(item.Ticked);
        Assert.Contains("the ecs step started but never finished", item.Missing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_resumed_step_then_its_last_end_is_the_evidence()
    {
        await using var run = await SyntheticRun.CreateAsync(Ct, "ecs");
        var failing = SyntheticRun.GoodEcs with { RolloutState = "IN_PROGRESS" };
        await run.StepAsync("ecs", "Failed", failing, Ct, summary: "deadline of 600 s reached");
        await run.StepAsync("ecs", "Succeeded", SyntheticRun.GoodEvidence("ecs"), Ct);

        var item = (await run.ChecklistAsync(Ct))[0];

        Assert.True(item.Ticked, item.Missing);
        Assert.Equal("COMPLETED", item.Evidence["rolloutState"]);
    }

    [Fact]
    public async Task Given_a_journal_changed_behind_the_ledgers_back_then_nothing_is_ticked_and_each_item_says_why()
    {
        await using var run = await SyntheticRun.AllProvenAsync(Ct);
        var journal = await run.Ledger.Runs.ReadJournalAsync(run.RunId, Ct);
        var ecsEnd = journal.Last(e => e.Step == "ecs" && e.Kind == JournalKind.Completed);
        run.Tamper(ecsEnd.Seq, ecsEnd.Detail.Replace("\"running\":2", "\"running\":2 ", StringComparison.Ordinal));

        var items = await run.ChecklistAsync(Ct);

        Assert.All(items, i => Assert.False(i.Ticked));
        Assert.All(items, i => Assert.StartsWith($"the journal's hash chain is broken at entry {ecsEnd.Seq} (HashMismatch)", i.Missing, StringComparison.Ordinal));
        Assert.All(items, i => Assert.Equal($"rewind ledger verify {run.RunId}", i.Command));
    }

    [Fact]
    public async Task Given_a_plan_that_cannot_be_read_then_the_service_is_not_called_reverted()
    {
        await using var run = await SyntheticRun.CreateAsync(Ct, "ecs");
        var broken = new Run(Core.Ledger.LedgerIds.NewRunId(DateTimeOffset.UtcNow), SyntheticRun.Service, DateTimeOffset.UtcNow, RunStatus.Succeeded, null, "{\"steps\":");
        await run.Ledger.Runs.CreateRunAsync(broken, Ct);
        await run.Ledger.Runs.AppendJournalAsync(broken.Id, "ecs", JournalKind.Started, "{}", Ct);
        await run.Ledger.Runs.AppendJournalAsync(broken.Id, "ecs", JournalKind.Completed,
            """{"status":"Succeeded","summary":"done","evidence":{"deployment":"d","taskDefinition":"claude-proxy-api:3","rolloutState":"COMPLETED","running":"1","desired":"1"}}""", Ct);

        var record = (await RunRecord.ReadAsync(run.Ledger, broken.Id, Ct))!;
        var item = Checklist.Evaluate(record)[0];

        Assert.Null(record.Plan);
        Assert.False(item.Ticked);
        Assert.Contains("the run's plan cannot be read", item.Missing, StringComparison.Ordinal);
    }
}
