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
    [InlineData("ecs", "rolloutState", "FAILED", "Succeeded", "service-reverted", "rollout state is FAILED, not COMPLETED")]
    [InlineData("ecs", "running", "1", "Succeeded", "service-reverted", "1 tasks running, 2 desired")]
    [InlineData("ecs", "taskDefinition", "claude-proxy-api:4", "Succeeded", "service-reverted", "runs claude-proxy-api:4, not the plan's target")]
    [InlineData("ecs", "deployment", "none", "Succeeded", "service-reverted", "no deployment id")]
    [InlineData("ecs", "deployments", "2", "Succeeded", "service-reverted", "2 deployments, not one")]
    [InlineData("ecs", "rolloutState", "COMPLETED", "Failed", "service-reverted", "the ecs step ended Failed")]
    // smoke tests passing
    [InlineData("smoke", "failed", "1", "Succeeded", "smoke-tests-passing", "1 of 2 checks failed")]
    [InlineData("smoke", "results", """[{"check":"GET /health","status":200,"ok":true},{"check":"GET /v1/models","status":502,"ok":false}]""", "Succeeded", "smoke-tests-passing", "not ok: GET /v1/models")]
    [InlineData("smoke", "checks", "0", "Succeeded", "smoke-tests-passing", "no smoke check was run")]
    [InlineData("smoke", "results", "", "Succeeded", "smoke-tests-passing", "no per-check results")]
    // error rates normalized
    [InlineData("verify", "verdict", "elevated", "Succeeded", "error-rates-normalized", "the verdict is elevated, not normalized")]
    [InlineData("verify", "rate5xxPercent", "2.5", "Succeeded", "error-rates-normalized", "the 5XX rate 2.5% is above the threshold 1%")]
    [InlineData("verify", "alarms", "api-5xx=ALARM;api-latency=OK", "Succeeded", "error-rates-normalized", "in alarm: api-5xx")]
    [InlineData("verify", "requests", "0", "Succeeded", "error-rates-normalized", "no requests in the window")]
    [InlineData("verify", "windowEnd", "", "Succeeded", "error-rates-normalized", "the window (windowStart, windowEnd) is missing")]
    // postmortem ticket created
    [InlineData("incident", "link", "none", "Succeeded", "postmortem-ticket-created", "no link to the ticket")]
    [InlineData("incident", "owner", "", "Succeeded", "postmortem-ticket-created", "no owner")]
    [InlineData("incident", "due", "2026-11-30T12:06:00Z", "Succeeded", "postmortem-ticket-created", "not within 48 h")]
    [InlineData("incident", "verified", "false", "Succeeded", "postmortem-ticket-created", "not read back from the tracker")]
    // team notified
    [InlineData("notify", "team.status", "500", "Succeeded", "team-notified", "answered 500, not 2xx")]
    [InlineData("notify", "team.status", "error", "Failed", "team-notified", "answered error")]
    [InlineData("notify", "team.target", "", "Succeeded", "team-notified", "no message to the team was attempted")]
    public async Task Given_evidence_that_is_missing_or_contradicts_the_claim_then_only_that_item_stays_unticked_and_says_why(
        string step, string key, string value, string status, string item, string missing)
    {
        await using var run = await SyntheticRun.CreateAsync(Ct);
        foreach (var name in new[] { "canary", "ecs", "smoke", "verify", "incident", "notify" })
        {
            var evidence = SyntheticRun.GoodEvidence(name);
            if (name == step)
            {
                if (value.Length == 0)
                    evidence.Remove(key);
                else
                    evidence[key] = value;
            }
            await run.StepAsync(name, name == step ? status : "Succeeded", evidence, Ct);
        }

        var items = await run.ChecklistAsync(Ct);

        var unticked = Assert.Single(items, i => !i.Ticked);
        Assert.Equal(item, unticked.Key);
        Assert.Contains(missing, unticked.Missing, StringComparison.Ordinal);
        Assert.StartsWith("rewind ", unticked.Command, StringComparison.Ordinal);
        Assert.NotNull(unticked.Source);
    }

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
        var evidence = SyntheticRun.GoodEvidence("ecs");
        evidence["rolloutState"] = "FAILED";
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
        await run.StepAsync("smoke", "Succeeded", [], Ct, end: false);

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
        var failing = SyntheticRun.GoodEvidence("ecs");
        failing["rolloutState"] = "IN_PROGRESS";
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
        run.Tamper(ecsEnd.Seq, ecsEnd.Detail.Replace("\"running\":\"2\"", "\"running\":\"2\" ", StringComparison.Ordinal));

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
