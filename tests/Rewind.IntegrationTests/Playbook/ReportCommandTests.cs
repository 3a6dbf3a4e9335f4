using System.Text.Json;
using Json.Schema;
using Rewind.Aws;
using Rewind.Cli;
using Rewind.IntegrationTests.Clients.Support;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>
/// A real live run on the rollout emulator, then its checklist and report: the service reverted is ticked by the ECS
/// step's evidence; the items whose steps this run does not have stay unticked, each saying what is missing.
/// </summary>
[Collection("rollout-emulator")]
public sealed class ReportCommandTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(RolloutEmulatorFixture.RepositoryRoot(), "docs", "report.schema.json"))));

    [Fact]
    public async Task A_live_run_ends_with_its_checklist_and_its_report_shows_every_step()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "rpt", Ct);
        var config = Config(world);

        var run = await RunAsync(["run", "--live", "--yes", "--config", config, "--output", "json"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        using var outcome = JsonDocument.Parse(run.Stdout);
        var runId = outcome.RootElement.GetProperty("runId").GetString()!;
        var items = outcome.RootElement.GetProperty("checklist").EnumerateArray().ToDictionary(i => i.GetProperty("key").GetString()!);
        Assert.Equal(5, items.Count);
        var reverted = items["service-reverted"];
        Assert.True(reverted.GetProperty("ticked").GetBoolean(), reverted.ToString());
        Assert.Equal("COMPLETED", reverted.GetProperty("evidence").GetProperty("rolloutState").GetString());
        Assert.EndsWith(":3", reverted.GetProperty("evidence").GetProperty("taskDefinition").GetString(), StringComparison.Ordinal);
        Assert.Equal(reverted.GetProperty("evidence").GetProperty("desired").GetString(), reverted.GetProperty("evidence").GetProperty("running").GetString());
        // The incident step always runs; without a tracker its ticket is the ledger's, which is not a postmortem ticket.
        foreach (var (key, step) in new[] { ("smoke-tests-passing", "smoke"), ("error-rates-normalized", "verify"), ("postmortem-ticket-created", "tracker"), ("team-notified", "notify") })
        {
            Assert.False(items[key].GetProperty("ticked").GetBoolean(), items[key].ToString());
            Assert.Contains(step, items[key].GetProperty("missing").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("rewind ", items[key].GetProperty("command").GetString(), StringComparison.Ordinal);
        }

        var checklist = await RunAsync(["checklist", runId, "--config", config]);
        Assert.Equal(ExitCodes.VerificationFailed, checklist.ExitCode);
        Assert.Contains("  ✓ Service reverted to stable version", checklist.Stdout, StringComparison.Ordinal);
        Assert.Contains("  ✗ Team notified", checklist.Stdout, StringComparison.Ordinal);

        var steps = outcome.RootElement.GetProperty("plan").GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("step").GetString()!).ToList();
        Assert.Contains("ecs", steps);
        Assert.Contains("canary", steps);
        var md = await RunAsync(["report", runId, "--format", "md", "--config", config]);
        var html = await RunAsync(["report", runId, "--format", "html", "--config", config]);
        var json = await RunAsync(["report", runId, "--format", "json", "--config", config]);
        Assert.All([md, html, json], r => Assert.True(r.ExitCode == 0, r.ToString()));
        foreach (var step in steps)
        {
            Assert.Matches($@"\| {step} \| 1 \| \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{{3}}Z \| \d{{4}}-[^|]+ \| [\d.]+ s \| succeeded \|", md.Stdout);
            Assert.Contains($"<tr><td>{step}</td><td>1</td>", html.Stdout, StringComparison.Ordinal);
        }
        Assert.Contains("UpdateService", md.Stdout, StringComparison.Ordinal);
        Assert.Contains("ModifyListener", md.Stdout, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Stdout);
        var validation = Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = Json.Schema.OutputFormat.List, RequireFormatValidation = true });
        Assert.True(validation.IsValid, json.Stdout);
        Assert.Equal(steps.Order(StringComparer.Ordinal), document.RootElement.GetProperty("timeline").EnumerateArray().Select(t => t.GetProperty("step").GetString()!).Order(StringComparer.Ordinal));
        Assert.True(document.RootElement.GetProperty("journal").GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task A_live_run_in_text_prints_the_checklist_on_stderr_and_keeps_its_exit_code()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "rptxt", Ct);

        var run = await RunAsync(["run", "--live", "--yes", "--config", Config(world)]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("1 of 5 ticked by evidence", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("  ✓ Service reverted to stable version", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("  ✗ Postmortem ticket created", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("      to provide it: rewind ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("checklist", run.Stdout, StringComparison.Ordinal);
    }

    /// <summary>A rewind.yaml for the seeded world: canary and ECS, the ledger in the world's folder.</summary>
    private static string Config(PlaybookHarness world) => world.WriteConfig();

    private async Task<CliOutcome> RunAsync(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await RewindApp.RunAsync(args, stdout, stderr, Ct, _ => new AwsClients(ClientFactory.Session(emulator)));
        return new CliOutcome(code, stdout.ToString(), stderr.ToString());
    }

    private sealed record CliOutcome(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }
}
