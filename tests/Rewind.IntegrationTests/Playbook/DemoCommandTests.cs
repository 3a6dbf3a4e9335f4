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

    /// <summary>
    /// Each shape's demo on an emulator the test starts (so it can count the calls): 5/5, exit 0, and the calls the
    /// shape's path makes, seeding included (v4 is deployed by one UpdateService, or one CodeDeploy CreateDeployment).
    /// </summary>
    [Theory]
    [InlineData("rolling", "ecs:UpdateService=2 ecs:StopServiceDeployment=0 elasticloadbalancing:ModifyListener=1 elasticloadbalancing:ModifyRule=0", "api-service runs claude-proxy-api:2: rollout COMPLETED")]
    [InlineData("blue-green", "ecs:UpdateService=1 ecs:StopServiceDeployment=1 elasticloadbalancing:ModifyListener=0 elasticloadbalancing:ModifyRule=0", "ECS owns this rule (strategy BLUE_GREEN)")]
    [InlineData("linear", "ecs:UpdateService=1 ecs:StopServiceDeployment=1 elasticloadbalancing:ModifyListener=0 elasticloadbalancing:ModifyRule=0", "ECS owns this rule (strategy LINEAR)")]
    [InlineData("canary", "ecs:UpdateService=1 ecs:StopServiceDeployment=1 elasticloadbalancing:ModifyListener=0 elasticloadbalancing:ModifyRule=0", "ECS owns this rule (strategy CANARY)")]
    [InlineData("codedeploy", "codedeploy:CreateDeployment=2 codedeploy:StopDeployment=0 ecs:UpdateService=0 elasticloadbalancing:ModifyListener=0 elasticloadbalancing:ModifyRule=0", "CreateDeployment with an ECS AppSpec naming claude-proxy-api:2")]
    public async Task Given_a_deployment_shape_when_the_demo_runs_then_its_rollback_path_ends_five_of_five(string shape, string expectedCalls, string pathLine)
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Directory.CreateTempSubdirectory($"rewind-demo-{shape}-").FullName;
        await using var emulator = await LocalEmulator.StartAsync(1, Path.Combine(folder, "emulator.log"), ct);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await RewindApp.RunAsync(["demo", "--shape", shape, "--dir", folder, "--endpoint-url", emulator.Endpoint.ToString()], stdout, stderr, ct);

        var output = stdout.ToString() + stderr;
        Assert.True(code == 0, $"exit {code}\n{output}");
        Assert.Contains("5 of 5 ticked by evidence", output, StringComparison.Ordinal);
        Assert.Contains($"shape {shape}:", output, StringComparison.Ordinal);
        Assert.Contains(pathLine, output, StringComparison.Ordinal);
        var calls = await EmulatorCalls.ReadAsync(emulator.Endpoint, ct);
        foreach (var expected in expectedCalls.Split(' '))
        {
            var (call, count) = (expected.Split('=')[0], int.Parse(expected.Split('=')[1], System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(calls.Count(call) == count, $"{call}: {calls.Count(call)} calls, expected {count}; {calls}");
        }
        if (shape is "blue-green" or "linear" or "canary")
            Assert.Contains("read back main 100 / canary 0 after the ecs step's StopServiceDeployment", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_an_unknown_shape_when_the_demo_starts_then_one_line_names_the_shapes_and_it_exits_2()
    {
        var ct = TestContext.Current.CancellationToken;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await RewindApp.RunAsync(["demo", "--shape", "blue_green"], stdout, stderr, ct);

        Assert.Equal(2, code);
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("'blue_green'", line, StringComparison.Ordinal);
        Assert.Contains("'blue-green'", line, StringComparison.Ordinal);
        Assert.Equal("", stdout.ToString());
    }
}
