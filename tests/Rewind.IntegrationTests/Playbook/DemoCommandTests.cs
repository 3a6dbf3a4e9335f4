using Rewind.Cli;
using Rewind.Cli.Demo;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>
/// <c>rewind demo</c> end to end: its own emulator, the stand-in service, seeded metrics, the whole playbook, the
/// checklist all ticked, the report, postmortem draft and ledger printed and on disk, and no secret in the output.
/// </summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task Given_moto_server_when_the_demo_runs_then_all_five_items_are_ticked_and_the_report_draft_and_ledger_are_printed_without_secrets()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Directory.CreateTempSubdirectory("rewind-demo-test-").FullName;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await RewindApp.RunAsync(["demo", "--dir", folder, "--rollout-seconds", "1"], stdout, stderr, ct);

        var transcript = $"exit {code}\n--- stdout\n{stdout}\n--- stderr\n{stderr}";
        Assert.True(code == 0, transcript);
        var output = stdout.ToString() + stderr;
        Assert.Contains("5 of 5 ticked by evidence", output, StringComparison.Ordinal);
        foreach (var item in new[] { "Service reverted to stable version", "Smoke tests passing", "Error rates normalized", "Postmortem ticket created", "Team notified" })
            Assert.Contains($"✓ {item}", output, StringComparison.Ordinal);
        Assert.Contains("verified true", output, StringComparison.Ordinal);
        Assert.Contains("baselinePercent 0.1", output, StringComparison.Ordinal);

        var printed = stdout.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        string PathAfter(string label) => Assert.Single(printed, l => l.StartsWith(label, StringComparison.Ordinal))[label.Length..].Trim().Split(' ')[0];
        var report = PathAfter("report:");
        var html = PathAfter("report (html):");
        var draft = PathAfter("postmortem draft:");
        var ledger = PathAfter("ledger:");
        Assert.Equal(Path.Combine(folder, "report.md"), report);
        Assert.Contains("Service reverted to stable version", await File.ReadAllTextAsync(report, ct), StringComparison.Ordinal);
        Assert.StartsWith("<!DOCTYPE html>", (await File.ReadAllTextAsync(html, ct)).TrimStart(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Path.Combine(folder, "postmortems", "INC-0001.md"), draft);
        Assert.True(File.Exists(draft), draft);
        Assert.Equal(Path.Combine(folder, "ledger.db"), ledger);
        Assert.True(File.Exists(ledger), ledger);
        // The smoke step's log goes beside the demo's rewind.yaml, not into the working directory the test runs in.
        var smokeLog = Assert.Single(Directory.GetFiles(Path.Combine(folder, "logs", "smoke_tests"), "*.log"));
        Assert.Contains("health: PASS", await File.ReadAllTextAsync(smokeLog, ct), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, "logs", "smoke_tests", Path.GetFileName(smokeLog))));

        foreach (var secret in new[] { DemoWorld.ApiKeyBeforeRotation, DemoWorld.ApiKeyRotated, "/slack/", "/hooks/support/", "Bearer demo-" })
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        Assert.DoesNotMatch("demo-[0-9a-f]{32}", output); // the GitHub stand-in's token
        Assert.Null(Environment.GetEnvironmentVariable(DemoCommand.GitHubTokenVariable));
        Assert.Null(Environment.GetEnvironmentVariable(DemoCommand.SlackVariable));
    }

    [Fact]
    public async Task Given_seed_only_when_the_demo_seeds_then_it_writes_the_configuration_without_the_stand_in_sections_and_exits_0()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Directory.CreateTempSubdirectory("rewind-demo-seed-").FullName;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await RewindApp.RunAsync(["demo", "--seed-only", "--dir", folder], stdout, stderr, ct);

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        var config = Path.Combine(folder, "rewind.yaml");
        Assert.Equal(config, stdout.ToString().Trim());
        var yaml = await File.ReadAllTextAsync(config, ct);
        Assert.Contains("\nverify:", yaml, StringComparison.Ordinal);
        Assert.Contains("on_call: dana-oncall", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("\nsmoke:", yaml, StringComparison.Ordinal);
        Assert.Contains("smoke, notify and the GitHub tracker need the demo's stand-in", stderr.ToString(), StringComparison.Ordinal);
    }
}
