using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Core.Tests.Evidence;

/// <summary>A run's record as read from the ledger: its plan (or why it cannot be read), its steps and how each ended.</summary>
public sealed class RunRecordTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_a_ledger_then_a_stored_run_reads_with_its_plan_and_journal_and_an_unknown_one_reads_as_none()
    {
        var ledger = new InMemoryLedger(new FakeTimeProvider(EvidenceRuns.Opened));
        var plan = EvidenceRuns.Plan(["ecs"]);
        await ledger.Runs.CreateRunAsync(new Run(EvidenceRuns.RunId, plan.Service, EvidenceRuns.Opened, RunStatus.Running, null, EngineJson.Serialize(plan)), Ct);
        await ledger.Runs.AppendJournalAsync(EvidenceRuns.RunId, "ecs", JournalKind.Started, "{}", Ct);

        var record = await RunRecord.ReadAsync(ledger, EvidenceRuns.RunId, Ct);

        Assert.NotNull(record);
        Assert.Equal((true, (string?)null, 1, "claude-proxy-api"), (record.IsIntact, record.PlanError, record.Journal.Count, record.Plan?.Service));
        Assert.Null(await RunRecord.ReadAsync(ledger, "run-unknown", Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => RunRecord.ReadAsync(null!, EvidenceRuns.RunId, Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => RunRecord.ReadFromRunsAsync(null!, EvidenceRuns.RunId, Ct));
        Assert.Throws<ArgumentNullException>(() => RunRecord.From(null!, [], null));
    }

    [Fact]
    public void Given_a_broken_chain_then_the_record_is_not_intact()
    {
        var record = EvidenceRuns.Record([]) with { ChainBreak = new ChainBreak(EvidenceRuns.RunId, 1, ChainBreakReason.HashMismatch, "altered") };

        Assert.False(record.IsIntact);
    }

    [Theory]
    [InlineData("service")]
    [InlineData("steps")]
    [InlineData("step")]
    [InlineData("summary")]
    [InlineData("changes")]
    [InlineData("detail")]
    public void Given_a_stored_plan_lacking_a_member_then_it_cannot_be_read_and_says_so(string lacking)
    {
        var plan = JsonNode.Parse(EngineJson.Serialize(EvidenceRuns.Plan(["ecs", "smoke"])))!.AsObject();
        if (lacking is "service" or "steps")
            plan.Remove(lacking);
        else
            plan["steps"]![1]!.AsObject().Remove(lacking);

        var record = RunRecord.From(Run(plan.ToJsonString()), [], null);

        Assert.Equal(((RollbackPlan?)null, "the stored plan lacks its service or steps"), (record.Plan, record.PlanError));
    }

    [Theory]
    [InlineData("{", "")]
    [InlineData("[]", "the stored plan is not a JSON object")]
    public void Given_a_stored_plan_that_is_not_a_plan_then_it_cannot_be_read_and_the_error_says_why(string json, string error)
    {
        var record = RunRecord.From(Run(json), [], null);

        Assert.Null(record.Plan);
        Assert.False(string.IsNullOrEmpty(record.PlanError));
        Assert.StartsWith(error, record.PlanError, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_an_unreadable_plan_then_the_steps_are_those_the_journal_planned_or_started_once_each_in_order()
    {
        var journal = EvidenceRuns.Journal([
            ("lock", JournalKind.CallSucceeded, "{}"), ("ecs", JournalKind.Planned, "{}"), ("smoke", JournalKind.Started, "{}"),
            ("ecs", JournalKind.Started, "{}"), ("verify", JournalKind.Completed, "{}")]);

        var record = RunRecord.From(Run("{"), journal, null);

        Assert.Equal(["ecs", "smoke"], record.StepNames);
        Assert.True(record.Planned("smoke"));
        Assert.False(record.Planned("verify"));
    }

    [Fact]
    public void Given_a_journal_whose_first_entry_is_the_steps_end_then_that_end_is_found()
    {
        var journal = EvidenceRuns.Journal([("ecs", JournalKind.Completed, """{"status":"Succeeded","summary":"done"}""")]);

        var end = RunRecord.From(Run("{"), journal, null).EndOf("ecs");

        Assert.Equal((1L, "Succeeded", "done"), (end?.Seq, end?.Status, end?.Summary));
    }

    [Theory]
    [InlineData(JournalKind.Started, """{"status":"Succeeded"}""")]
    [InlineData(JournalKind.CallSent, """{"status":"Succeeded"}""")]
    [InlineData(JournalKind.Completed, "not json")]
    [InlineData(JournalKind.Completed, """{"status":1}""")]
    [InlineData(JournalKind.Completed, """{"summary":"done"}""")]
    public void Given_an_entry_that_is_no_step_end_then_it_does_not_parse_as_one(JournalKind kind, string detail)
    {
        var entry = EvidenceRuns.Journal([("ecs", kind, detail)])[0];

        Assert.False(StepEnd.TryParse(entry, out _));
    }

    [Fact]
    public void Given_no_entry_then_parsing_is_refused_by_name()
    {
        Assert.Equal("entry", Assert.Throws<ArgumentNullException>(() => StepEnd.TryParse(null!, out _)).ParamName);
    }

    [Fact]
    public void Given_a_failed_end_without_a_summary_then_it_parses_with_an_empty_summary()
    {
        var entry = EvidenceRuns.Journal([("ecs", JournalKind.CallFailed, """{"status":"Failed","summary":3}""")])[0];

        Assert.True(StepEnd.TryParse(entry, out var end));
        Assert.Equal(("Failed", "", false, (StepEvidence?)null), (end.Status, end.Summary, end.Succeeded, end.Evidence));
    }

    [Fact]
    public void Given_typed_evidence_that_cannot_be_read_then_it_is_kept_untyped_with_its_facts()
    {
        var entry = EvidenceRuns.Journal([("ecs", JournalKind.Completed, """{"status":"Succeeded","evidence":{"type":"serviceReverted","running":"two"}}""")])[0];

        Assert.True(StepEnd.TryParse(entry, out var end));
        var untyped = Assert.IsType<UntypedEvidence>(end.Evidence);
        Assert.Equal(new Dictionary<string, string> { ["type"] = "serviceReverted", ["running"] = "two" }, untyped.Values);
    }

    [Fact]
    public void Given_version_1_evidence_with_numbers_and_nulls_then_numbers_read_as_their_text_and_nulls_as_empty()
    {
        var entry = EvidenceRuns.Journal([("ecs", JournalKind.Completed, """{"status":"Succeeded","evidence":{"running":2,"desired":2,"deployment":null}}""")])[0];
        var other = EvidenceRuns.Journal([("infra", JournalKind.Completed, """{"status":"Succeeded","evidence":{"adds":3,"plan":null,"ok":true}}""")])[0];

        Assert.True(StepEnd.TryParse(entry, out var ecs));
        Assert.True(StepEnd.TryParse(other, out var infra));

        Assert.Equal((2, 2, (string?)null), (((ServiceReverted)ecs.Evidence!).Running, ((ServiceReverted)ecs.Evidence!).Desired, ((ServiceReverted)ecs.Evidence!).Deployment));
        Assert.Equal(new Dictionary<string, string> { ["adds"] = "3", ["plan"] = "", ["ok"] = "true" }, Assert.IsType<UntypedEvidence>(infra.Evidence).Values);
    }

    [Fact]
    public void Given_a_typed_record_then_its_facts_are_its_fields_without_the_type_and_an_untyped_one_its_values()
    {
        var facts = new CacheInvalidated("E2ABC", "I3XYZ", "Completed", ["/*", "/index.html"]).Facts();

        Assert.Equal(new Dictionary<string, string>
        {
            ["distribution"] = "E2ABC",
            ["invalidation"] = "I3XYZ",
            ["status"] = "Completed",
            ["paths"] = """["/*","/index.html"]""",
        }, facts);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1" }, new UntypedEvidence(new Dictionary<string, string> { ["a"] = "1" }).Facts());
        Assert.Equal("main 90 / canary 10", new Weights(90, 10).ToString());
    }

    [Fact]
    public void Given_an_items_evidence_then_its_line_lists_each_fact_but_the_smoke_results()
    {
        var item = new ChecklistItem("smoke-tests-passing", "Smoke tests passing", true,
            new Dictionary<string, string> { ["url"] = "http://127.0.0.1:8080", ["results"] = "[]", ["checks"] = "2" }, null, null, null);

        Assert.Equal("url http://127.0.0.1:8080, checks 2", item.EvidenceLine());
    }

    [Theory]
    [InlineData("arn:aws:ecs:us-east-1:123456789012:task-definition/claude-proxy-api:3", "claude-proxy-api", 3, "claude-proxy-api:3")]
    [InlineData("task-definition/claude-proxy-api:12", "claude-proxy-api", 12, "claude-proxy-api:12")]
    [InlineData("claude-proxy-api:7", "claude-proxy-api", 7, "claude-proxy-api:7")]
    [InlineData("claude-proxy-api", "claude-proxy-api", null, "claude-proxy-api")]
    [InlineData(":3", ":3", null, ":3")]
    [InlineData("claude-proxy-api:latest", "claude-proxy-api:latest", null, "claude-proxy-api:latest")]
    public void Given_a_task_definition_written_either_way_then_it_reads_as_family_and_revision(string text, string family, int? revision, string shown)
    {
        var reference = TaskDefinitionRef.Of(text);

        Assert.Equal(new TaskDefinitionRef(family, revision), reference);
        Assert.Equal(shown, reference!.ToString());
    }

    [Fact]
    public void Given_blank_text_then_it_names_no_task_definition()
    {
        Assert.Null(TaskDefinitionRef.Of(" "));
    }

    private static Run Run(string planJson) => new(EvidenceRuns.RunId, "claude-proxy-api", EvidenceRuns.Opened, RunStatus.Failed, null, planJson);
}
