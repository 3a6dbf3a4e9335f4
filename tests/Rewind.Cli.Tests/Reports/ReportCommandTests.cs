using System.Text.Json;
using Rewind.Core.Ledger;
using Xunit;

namespace Rewind.Cli.Tests.Reports;

/// <summary>'rewind checklist' and 'rewind report' in-process over a synthetic ledger: output, exit codes, bad input.</summary>
public sealed class ReportCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Checklist_of_a_proven_run_ticks_all_five_and_exits_0()
    {
        await using var run = await SyntheticRun.AllProvenAsync(Ct);

        var text = await CliRunner.RunAsync(["checklist", run.RunId, "--config", run.ConfigPath], cancellationToken: Ct);
        var json = await CliRunner.RunAsync(["checklist", run.RunId, "--config", run.ConfigPath, "--output", "json"], cancellationToken: Ct);

        Assert.True(text.ExitCode == ExitCodes.Ok, text.ToString());
        Assert.Contains("5 of 5 ticked by evidence", text.Stdout, StringComparison.Ordinal);
        Assert.Equal(5, text.Stdout.Split('\n').Count(l => l.StartsWith("  ✓ ", StringComparison.Ordinal)));
        Assert.Contains("evidence: deployment ecs-svc/5127284901828713471", text.Stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, json.ExitCode);
        using var document = JsonDocument.Parse(json.Stdout);
        Assert.True(document.RootElement.GetProperty("complete").GetBoolean());
        Assert.True(document.RootElement.GetProperty("journalIntact").GetBoolean());
        Assert.Equal(5, document.RootElement.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Checklist_of_the_latest_run_by_default_shows_what_is_missing_and_exits_4()
    {
        await using var run = await SyntheticRun.CreateAsync(Ct, "canary", "ecs");
        await run.StepAsync("canary", "Succeeded", SyntheticRun.GoodEvidence("canary"), Ct);
        await run.StepAsync("ecs", "Succeeded", SyntheticRun.GoodEvidence("ecs"), Ct);
        await run.FinishAsync(RunStatus.Succeeded, Ct);

        var result = await CliRunner.RunAsync(["checklist", "--config", run.ConfigPath], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.VerificationFailed, result.ToString());
        Assert.Contains($"rollback checklist of {run.RunId}: 1 of 5 ticked by evidence", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("  ✓ Service reverted to stable version", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("  ✗ Smoke tests passing", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("missing: the run has no smoke step, so there is no smoke evidence", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("to provide it: rewind smoke --url URL", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("to provide it: rewind notify --to team --message TEXT --live", result.Stdout, StringComparison.Ordinal);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("rewind: 4 of 5 checklist items", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("md", "# Rollback report: claude-proxy-api")]
    [InlineData("html", "<!DOCTYPE html>")]
    [InlineData("json", "\"reportVersion\": 2")]
    public async Task Report_writes_each_format_to_stdout(string format, string start)
    {
        await using var run = await SyntheticRun.AllProvenAsync(Ct);

        var result = await CliRunner.RunAsync(["report", run.RunId, "--format", format, "--config", run.ConfigPath], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains(start, result.Stdout, StringComparison.Ordinal);
        Assert.Empty(result.Stderr);
        if (format == "json")
            Assert.Empty(ReportSchema.Errors(result.Stdout));
    }

    [Fact]
    public async Task Report_with_out_writes_the_file_and_prints_its_path()
    {
        await using var run = await SyntheticRun.AllProvenAsync(Ct);
        var path = Path.Combine(run.Folder, "report.html");

        var result = await CliRunner.RunAsync(["report", "--format", "html", "--out", path, "--config", run.ConfigPath], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal(path, result.Stdout.Trim());
        Assert.Contains(run.RunId, await File.ReadAllTextAsync(path, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_of_a_tampered_journal_is_written_says_broken_and_exits_4()
    {
        await using var run = await SyntheticRun.AllProvenAsync(Ct);
        run.Tamper(2, "{\"summary\":\"rewritten\"}");

        var result = await CliRunner.RunAsync(["report", run.RunId, "--config", run.ConfigPath], cancellationToken: Ct);

        Assert.Equal(ExitCodes.VerificationFailed, result.ExitCode);
        Assert.Contains("BROKEN at entry 2 (HashMismatch)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("## Rollback checklist (0 of 5 ticked by evidence)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("broken at entry 2", Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("report RUN --format xml", "unknown report format 'xml': use --format md, html or json")]
    [InlineData("report run-20990101-000000-dead", "run run-20990101-000000-dead is not in the ledger")]
    [InlineData("checklist run-20990101-000000-dead", "run run-20990101-000000-dead is not in the ledger")]
    [InlineData("report RUN --out /nonexistent-folder-rewind/r.md", "the folder of --out /nonexistent-folder-rewind/r.md does not exist")]
    [InlineData("report RUN --out FOLDER", "is a folder")]
    public async Task Bad_input_gets_one_line_and_exit_2(string command, string message)
    {
        await using var run = await SyntheticRun.AllProvenAsync(Ct);
        string[] args = [.. command.Split(' ').Select(a => a.Replace("RUN", run.RunId, StringComparison.Ordinal).Replace("FOLDER", run.Folder, StringComparison.Ordinal)), "--config", run.ConfigPath];

        var result = await CliRunner.RunAsync(args, cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.BadInput, result.ToString());
        Assert.Empty(result.Stdout);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("rewind: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_without_runs_is_bad_input()
    {
        await using var run = await SyntheticRun.AllProvenAsync(Ct);
        var config = Path.Combine(run.Folder, "other.yaml");
        await File.WriteAllTextAsync(config, $"service:\n  name: other-service\nledger:\n  path: {run.LedgerPath}\n", Ct);

        var result = await CliRunner.RunAsync(["report", "--config", config], cancellationToken: Ct);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("other-service has no run in the ledger", result.Stderr, StringComparison.Ordinal);
    }
}
