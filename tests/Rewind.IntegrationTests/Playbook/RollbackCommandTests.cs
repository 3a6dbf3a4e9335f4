using System.Text.Json;
using Rewind.Aws;
using Rewind.Cli;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Emulator;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>The rollback commands end to end, in-process, against the rollout emulator: exit codes, stdout, stderr, counted calls.</summary>
[Collection("rollout-emulator")]
public sealed class RollbackCommandTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_command_without_live_makes_no_mutating_call()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "cdry", Ct);
        var config = Config(world);

        var results = new[]
        {
            await RunAsync(["plan", "--config", config, "--output", "json"]),
            await RunAsync(["run", "--config", config]),
            await RunAsync(["ecs", "--config", config]),
            await RunAsync(["canary", "--percent", "0", "--config", config]),
            await RunAsync(["run", "--to", "1", "--config", config, "--output", "json"]),
        };

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.All(results, r => Assert.Contains("dry-run: nothing was changed", r.Stderr, StringComparison.Ordinal));
        Assert.Contains("main 90 / canary 10 → main 100 / canary 0", results[0].Stdout, StringComparison.Ordinal);
        Assert.Equal(0, (await world.CallsAsync(Ct)).MutatingTotal);
    }

    [Fact]
    public async Task A_live_run_rolls_back_and_prints_one_json_document()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "clive", Ct);

        var result = await RunAsync(["run", "--live", "--yes", "--config", Config(world), "--output", "json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var report = JsonDocument.Parse(result.Stdout);
        Assert.Equal("Succeeded", report.RootElement.GetProperty("status").GetString());
        Assert.Equal("revision", report.RootElement.GetProperty("plan").GetProperty("target").GetProperty("kind").GetString());
        Assert.All(report.RootElement.GetProperty("steps").EnumerateArray(), s => Assert.Equal("Succeeded", s.GetProperty("status").GetString()));
        Assert.Contains("[ecs]", result.Stderr, StringComparison.Ordinal);
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("ecs:UpdateService"));
        Assert.Equal(1, calls.Count("elasticloadbalancing:ModifyListener"));
        Assert.EndsWith(":3", (await world.ServiceAsync(Ct)).PrimaryDeployment!.TaskDefinition, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_live_runs_at_once_one_proceeds_and_the_other_is_blocked_having_changed_nothing()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "clock", Ct);
        var config = Config(world);

        var results = await Task.WhenAll(
            RunAsync(["run", "--live", "--yes", "--config", config]),
            RunAsync(["run", "--live", "--yes", "--config", config]));

        Assert.Single(results, r => r.ExitCode == 0);
        var blocked = Assert.Single(results, r => r.ExitCode == ExitCodes.Blocked);
        var line = Assert.Single(blocked.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("rewind:", StringComparison.Ordinal));
        Assert.Matches(@"is locked by .+ \(pid \d+\) on .+ since \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z", line);
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("ecs:UpdateService"));
        Assert.Equal(1, calls.Count("elasticloadbalancing:ModifyListener"));
    }

    [Theory]
    [InlineData("ecs_service", "nope-service", "'nope-service' was not found in cluster")]
    [InlineData("cluster", "nope-cluster", "was not found in cluster 'nope-cluster'")]
    public async Task A_service_that_does_not_exist_is_bad_input(string key, string value, string message)
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, key == "cluster" ? "cbadc" : "cbads", Ct);

        var result = await RunAsync(["run", "--live", "--yes", "--config", Config(world, (key, value))]);

        AssertBadInput(result, message);
        Assert.Equal(0, (await world.CallsAsync(Ct)).MutatingTotal);
    }

    [Theory]
    [InlineData("99", "does not exist")]
    [InlineData("not a revision", "is neither a release in the ledger nor a task definition revision")]
    public async Task A_pinned_target_that_cannot_be_used_is_bad_input(string to, string message)
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, to == "99" ? "cto99" : "ctobad", Ct);

        var result = await RunAsync(["run", "--live", "--yes", "--to", to, "--config", Config(world)]);

        AssertBadInput(result, message);
        Assert.Equal(0, (await world.CallsAsync(Ct)).MutatingTotal);
    }

    [Fact]
    public async Task A_listener_that_does_not_exist_is_bad_input()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "cnolis", Ct);
        var missing = world.World.ListenerArn[..^4] + "dead";

        var result = await RunAsync(["canary", "--percent", "0", "--live", "--yes", "--config", Config(world, ("listener_arn", missing))]);

        AssertBadInput(result, "was not found");
        Assert.Equal(0, (await world.CallsAsync(Ct)).MutatingTotal);
    }

    [Fact]
    public async Task Status_shows_the_live_state_and_record_snapshots_it_as_a_release()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "cstat", Ct);
        var config = Config(world);

        var status = await RunAsync(["status", "--config", config, "--output", "json"]);
        var record = await RunAsync(["record", "--version", "1.4.2", "--known-good", "--config", config, "--output", "json"]);

        Assert.True(status.ExitCode == 0, status.ToString());
        using var state = JsonDocument.Parse(status.Stdout);
        Assert.Equal("90/10", state.RootElement.GetProperty("canaryWeights").GetString());
        Assert.EndsWith(":4", state.RootElement.GetProperty("taskDefinition").GetString(), StringComparison.Ordinal);
        Assert.True(record.ExitCode == 0, record.ToString());
        var release = Assert.Single(await world.Ledger.Releases.ListReleasesAsync(world.Names.Family, 10, Ct));
        Assert.Equal("1.4.2", release.Version);
        Assert.Equal(Core.Ledger.ReleaseStatus.KnownGood, release.Status);
        Assert.Equal(new Core.Ledger.CanaryWeights(90, 10), release.Canary);
        Assert.EndsWith(":4", release.TaskDefinitions[world.Names.Service], StringComparison.Ordinal);
        Assert.Equal(0, (await world.CallsAsync(Ct)).MutatingTotal);
    }

    [Fact]
    public async Task Resume_without_an_unfinished_run_says_so()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "cresume", Ct);

        AssertBadInput(await RunAsync(["resume", "--config", Config(world)]), "has no unfinished run to resume");
    }

    private static void AssertBadInput(CliOutcome result, string message)
    {
        Assert.True(result.ExitCode == ExitCodes.BadInput, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(message, line, StringComparison.Ordinal);
    }

    /// <summary>A rewind.yaml for the seeded world, with optional replacements of one key.</summary>
    private static string Config(PlaybookHarness world, (string Key, string Value)? change = null)
    {
        string Value(string key, string value) => change is { } c && c.Key == key ? c.Value : value;
        var path = Path.Combine(Path.GetDirectoryName(world.Ledger.Location)!, $"rewind-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $"""
            service:
              name: {world.Names.Family}
              cluster: {Value("cluster", world.Names.Cluster)}
              ecs_service: {Value("ecs_service", world.Names.Service)}
              family: {world.Names.Family}
              deploy_timeout: 60s
            aws:
              region: us-east-1
            canary:
              listener_arn: {Value("listener_arn", world.World.ListenerArn)}
              main_target_group: {world.World.MainTargetGroupArn}
              canary_target_group: {world.World.CanaryTargetGroupArn}
            ledger:
              path: {world.Ledger.Location}
            incident:
              drafts_dir: {Path.Combine(Path.GetDirectoryName(world.Ledger.Location)!, "postmortems")}
            """);
        return path;
    }

    private Task<CliOutcome> RunAsync(string[] args) => EmulatorCli.RunAsync(emulator, args);
}
