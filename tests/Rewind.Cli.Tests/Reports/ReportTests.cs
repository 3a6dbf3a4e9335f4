using System.Text.Json;
using System.Text.Json.Nodes;
using Rewind.Core.Ledger;
using Rewind.Core.Reports;
using Xunit;

namespace Rewind.Cli.Tests.Reports;

/// <summary>The rollback report: one object rendered as Markdown, HTML and JSON; the JSON against docs/report.schema.json.</summary>
public sealed class ReportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_a_proven_run_then_the_json_report_validates_against_the_published_schema()
    {
        await using var run = await SyntheticRun.AllProvenAsync(Ct);

        var json = ReportFormats.Render(RollbackReport.Build(await run.RecordAsync(Ct), DateTimeOffset.UtcNow), "json");

        Assert.Empty(ReportSchema.Errors(json));
        using var report = JsonDocument.Parse(json);
        Assert.True(report.RootElement.GetProperty("checklistComplete").GetBoolean());
        Assert.True(report.RootElement.GetProperty("journal").GetProperty("intact").GetBoolean());
        Assert.Equal("succeeded", report.RootElement.GetProperty("run").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Given_a_failed_resumed_unfinished_and_tampered_run_then_the_json_report_still_validates()
    {
        await using var run = await SyntheticRun.CreateAsync(Ct);
        var failing = SyntheticRun.GoodEcs with { RolloutState = "FAILED" };
        await run.StepAsync("canary", "Succeeded", SyntheticRun.GoodEvidence("canary"), Ct);
        await run.StepAsync("ecs", "Failed", failing, Ct, calls: ["UpdateService"]);
        await run.StepAsync("ecs", "Succeeded", SyntheticRun.GoodEvidence("ecs"), Ct);
        await run.StepAsync("smoke", "Succeeded", null, Ct, end: false);
        await run.FinishAsync(RunStatus.Cancelled, Ct);
        run.Tamper(3, "{\"summary\":\"changed\"}");

        var json = ReportFormats.Render(RollbackReport.Build(await run.RecordAsync(Ct), DateTimeOffset.UtcNow), "json");

        Assert.Empty(ReportSchema.Errors(json));
        using var report = JsonDocument.Parse(json);
        Assert.False(report.RootElement.GetProperty("journal").GetProperty("intact").GetBoolean());
        Assert.Equal(3, report.RootElement.GetProperty("journal").GetProperty("firstBreak").GetProperty("seq").GetInt64());
        var outcomes = report.RootElement.GetProperty("timeline").EnumerateArray()
            .Select(t => $"{t.GetProperty("step").GetString()}#{t.GetProperty("attempt").GetInt32()} {t.GetProperty("outcome").GetString()}").ToList();
        Assert.Equal(["canary#1 succeeded", "ecs#1 failed", "ecs#2 succeeded", "smoke#1 unfinished", "verify#0 not-started", "incident#0 not-started", "notify#0 not-started"], outcomes);
    }

    [Fact]
    public void Given_a_report_that_breaks_the_schema_then_validation_names_the_error()
    {
        // The schema test above can fail: a report without its checklist, or with an unticked item that hides why, is refused.
        var valid = JsonNode.Parse(ReportFormats.Render(SampleReport(), "json"))!;
        var noChecklist = valid.DeepClone();
        noChecklist.AsObject().Remove("checklist");
        var silentItem = valid.DeepClone();
        silentItem["checklist"]![1]!["missing"] = null;

        Assert.Empty(ReportSchema.Errors(valid.ToJsonString()));
        Assert.Contains(ReportSchema.Errors(noChecklist.ToJsonString()), e => e.Contains("required", StringComparison.Ordinal));
        Assert.NotEmpty(ReportSchema.Errors(silentItem.ToJsonString()));
    }

    [Fact]
    public async Task Given_a_run_then_markdown_and_html_contain_every_step_its_timeline_evidence_and_checklist()
    {
        await using var run = await SyntheticRun.AllProvenAsync(Ct);
        var report = RollbackReport.Build(await run.RecordAsync(Ct), DateTimeOffset.UtcNow);

        var md = ReportFormats.Render(report, "md");
        var html = ReportFormats.Render(report, "html");

        foreach (var step in run.Plan.Steps.Select(s => s.Step))
        {
            Assert.Contains($"| {step} | 1 |", md, StringComparison.Ordinal);
            Assert.Contains($"<tr><td>{step}</td><td>1</td>", html, StringComparison.Ordinal);
            Assert.Contains($"### {step} (succeeded, journal entry", md, StringComparison.Ordinal);
        }
        Assert.Contains("- [x] **Service reverted to stable version**", md, StringComparison.Ordinal);
        Assert.Contains("## Rollback checklist (5 of 5 ticked by evidence)", md, StringComparison.Ordinal);
        Assert.Contains("| deployment | ecs-svc/5127284901828713471 |", md, StringComparison.Ordinal);
        Assert.Contains("UpdateService", md, StringComparison.Ordinal);
        Assert.Contains("intact:", md, StringComparison.Ordinal);
        Assert.Contains("class=\"ticked\"", html, StringComparison.Ordinal);
        Assert.Contains(run.RunId, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_journal_values_with_markup_then_html_encodes_them_and_markdown_escapes_them()
    {
        await using var run = await SyntheticRun.CreateAsync(Ct, "ecs");
        var evidence = SyntheticRun.GoodEcs with { Deployment = "<script>alert(1)</script> | x" };
        await run.StepAsync("ecs", "Succeeded", evidence, Ct, summary: "<img src=http://127.0.0.1/x onerror=alert(1)>\nsecond line | cell");
        var report = RollbackReport.Build(await run.RecordAsync(Ct), DateTimeOffset.UtcNow);

        var md = ReportFormats.Render(report, "md");
        var html = ReportFormats.Render(report, "html");

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", md, StringComparison.Ordinal);
        Assert.Contains(@"\<script\>alert(1)\</script\> \| x", md, StringComparison.Ordinal);
        Assert.Contains(@"second line \| cell", md, StringComparison.Ordinal);
        // The timeline row keeps its 8 cells: 9 unescaped pipes.
        var row = Assert.Single(md.Split('\n'), l => l.StartsWith("| ecs | 1 |", StringComparison.Ordinal));
        Assert.Equal(9, System.Text.RegularExpressions.Regex.Count(row, @"(?<!\\)\|"));
    }

    [Fact]
    public async Task Given_the_html_report_then_it_is_one_self_contained_file()
    {
        await using var run = await SyntheticRun.AllProvenAsync(Ct);

        var html = ReportFormats.Render(RollbackReport.Build(await run.RecordAsync(Ct), DateTimeOffset.UtcNow), "html");

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<style>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Given_the_json_report_then_every_journal_hash_can_be_recomputed_from_it()
    {
        await using var run = await SyntheticRun.AllProvenAsync(Ct);

        var report = RollbackReport.Build(await run.RecordAsync(Ct), DateTimeOffset.UtcNow);
        using var json = JsonDocument.Parse(ReportFormats.Render(report, "json"));

        var previous = JournalChain.GenesisHash;
        foreach (var entry in json.RootElement.GetProperty("journal").GetProperty("chain").EnumerateArray())
        {
            Assert.True(JournalChain.TryParseKind(entry.GetProperty("kind").GetString()!, out var kind));
            var hash = JournalChain.ComputeHash(run.RunId, entry.GetProperty("seq").GetInt64(), entry.GetProperty("time").GetDateTimeOffset(),
                entry.GetProperty("step").GetString()!, kind, entry.GetProperty("detail").GetString()!, previous);
            Assert.Equal(hash, entry.GetProperty("hash").GetString());
            previous = hash;
        }
        Assert.Equal(previous, json.RootElement.GetProperty("journal").GetProperty("headHash").GetString());
    }

    private static RollbackReport SampleReport()
    {
        var run = new Run("run-20261127-120000-ab12", SyntheticRun.Service, DateTimeOffset.UtcNow, RunStatus.Succeeded, null, "{}");
        return RollbackReport.Build(Core.Evidence.RunRecord.From(run, [], null), DateTimeOffset.UtcNow);
    }
}
