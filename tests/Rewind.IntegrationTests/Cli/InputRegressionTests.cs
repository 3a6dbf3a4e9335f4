using Rewind.Cli;
using Rewind.IntegrationTests.Announce;
using Rewind.IntegrationTests.Playbook;
using Rewind.Playbook.Notify;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.IntegrationTests.Cli;

/// <summary>Regression tests of issue 15's defects 5, 8, 12 and 13: '@' arguments, ledgers made by typos, credentials in URLs, messages.</summary>
[Collection("rollout-emulator")]
public sealed class InputRegressionTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_a_file_holding_live_when_notify_gets_at_FILE_as_its_message_then_it_stays_a_dry_run_of_that_literal_text()
    {
        await using var receiver = LoopbackStub.Start(new StubResponse(200, "ok"));
        var config = AnnounceCli.OfflineConfig($"  team: {{ webhook_env: {AnnounceCli.Variable("team", receiver.Url)} }}");
        var file = Path.Combine(Path.GetDirectoryName(config)!, "message.txt");
        await File.WriteAllTextAsync(file, "hello\n--live\n", Ct);

        var result = await AnnounceCli.RunAsync(null, ["notify", "--to", "team", "--message", "@" + file, "--config", config], Ct);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("dry-run: nothing was sent", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"\"message\":\"@{file}\"", result.Stdout.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("hello", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task Given_a_slack_mention_when_notify_sends_at_channel_live_then_the_receiver_gets_that_text()
    {
        await using var receiver = LoopbackStub.Start(new StubResponse(200, "ok"));
        var config = AnnounceCli.OfflineConfig($"  team: {{ webhook_env: {AnnounceCli.Variable("team", receiver.Url)} }}");

        var result = await AnnounceCli.RunAsync(emulator, ["notify", "--to", "team", "--message", "@channel rollback done", "--live", "--config", config], Ct);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var request = Assert.Single(receiver.Requests);
        Assert.Contains("@channel rollback done", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_no_ledger_at_the_default_path_when_plan_runs_then_it_warns_once_plans_and_creates_no_file_or_folder()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "nodefault", Ct);
        using var rewind = new RewindProcess();
        var root = Directory.CreateTempSubdirectory("rewind-default-ledger-").FullName;
        var config = Path.Combine(root, "rewind.yaml");
        await File.WriteAllTextAsync(config, ConfigWithoutLedger(world), Ct);
        var state = Path.Combine(root, "state");
        var before = (NothingChangedBadInputTests.Listing(root), NothingChangedBadInputTests.Listing(rewind.Home));

        var result = await rewind.RunAsync(["plan", "--config", config], Keys(new() { ["XDG_STATE_HOME"] = state }), Ct);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var warning = Assert.Single(result.Stderr.Split('\n'), l => l.Contains("warning: no ledger", StringComparison.Ordinal));
        Assert.Contains(Path.Combine(state, "rewind", "ledger.db"), warning, StringComparison.Ordinal);
        Assert.Contains("no recorded release can be the target", warning, StringComparison.Ordinal);
        Assert.Equal(before, (NothingChangedBadInputTests.Listing(root), NothingChangedBadInputTests.Listing(rewind.Home)));
        Assert.Equal(0, (await world.CallsAsync(Ct)).MutatingTotal);
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task Given_no_ledger_at_the_default_path_when_a_live_run_starts_then_it_creates_the_ledger_to_journal_in()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "livedefault", Ct);
        using var rewind = new RewindProcess();
        var root = Directory.CreateTempSubdirectory("rewind-default-ledger-").FullName;
        var config = Path.Combine(root, "rewind.yaml");
        await File.WriteAllTextAsync(config, ConfigWithoutLedger(world), Ct);
        var state = Path.Combine(root, "state");

        var result = await rewind.RunAsync(["canary", "--percent", "0", "--live", "--yes", "--config", config], Keys(new() { ["XDG_STATE_HOME"] = state }), Ct);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.True(File.Exists(Path.Combine(state, "rewind", "ledger.db")), result.ToString());
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task Given_a_typo_in_ledger_path_when_record_runs_then_it_creates_the_ledger_on_purpose()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "recordnew", Ct);
        var ledger = Path.Combine(Path.GetDirectoryName(world.Ledger.Location)!, "new", "ledger.db");
        var config = world.WriteConfig();
        var yaml = (await File.ReadAllTextAsync(config, Ct)).Replace(world.Ledger.Location, ledger, StringComparison.Ordinal);
        await File.WriteAllTextAsync(config, yaml, Ct);

        var result = await EmulatorCli.RunAsync(emulator, "record", "--version", "1.0.0", "--config", config);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.True(File.Exists(ledger));
    }

    [Fact]
    public async Task Given_a_password_in_the_smoke_url_when_smoke_runs_then_exit_2_and_the_password_is_nowhere()
    {
        await using var service = LoopbackStub.Start(new StubResponse(200, "{\"status\":\"ok\"}"));
        using var rewind = new RewindProcess();
        var folder = Directory.CreateTempSubdirectory("rewind-smoke-credentials-").FullName;
        var config = Path.Combine(folder, "rewind.yaml");
        await File.WriteAllTextAsync(config, "service:\n  name: api\n", Ct);
        var url = service.Url.Replace("http://", "http://admin:PASSWORD@", StringComparison.Ordinal);

        var result = await rewind.RunAsync(["smoke", "--url", url, "--config", config, "--output", "json", "--verbose"], new Dictionary<string, string> { ["SMOKE_API_KEY"] = "k" }, Ct);

        Assert.True(result.ExitCode == ExitCodes.BadInput, result.ToString());
        Assert.Equal("rewind: --url has a user name or password in it (the URL is not shown): put the token in a header (smoke.checks[].headers) or the API key in SMOKE_API_KEY (or smoke.api_key_env), and give the URL without user:password@",
            Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.DoesNotContain("PASSWORD", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(folder, "logs")), "a smoke log was written");
        Assert.DoesNotContain("PASSWORD", string.Concat(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(File.ReadAllText)), StringComparison.Ordinal);
        Assert.Empty(service.Requests);
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [InlineData("--endpoint-url")]
    [InlineData("AWS_ENDPOINT_URL")]
    public async Task Given_a_password_in_the_endpoint_url_when_any_command_runs_then_exit_2_says_where_AWS_credentials_go(string source)
    {
        using var rewind = new RewindProcess();
        var url = emulator.Endpoint.ToString().Replace("http://", "http://AKIAEXAMPLE:PASSWORD@", StringComparison.Ordinal);
        await EmulatorCalls.ResetAsync(emulator.Endpoint, Ct);
        string[] args = source == "--endpoint-url" ? ["doctor", "--endpoint-url", url] : ["doctor"];
        var environment = Keys(source == "--endpoint-url" ? [] : new() { ["AWS_ENDPOINT_URL"] = url });

        var result = await rewind.RunAsync(args, environment, Ct);

        Assert.True(result.ExitCode == ExitCodes.BadInput, result.ToString());
        Assert.Equal($"rewind: {source} has a user name or password in it (the URL is not shown): AWS credentials go in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or a profile (--profile), never in the URL",
            Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.DoesNotContain("PASSWORD", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await EmulatorCalls.ReadAsync(emulator.Endpoint, Ct)).Total);
    }

    [Fact]
    public async Task Given_a_webhook_url_with_a_password_when_a_message_is_delivered_then_nothing_is_sent_and_the_failure_says_why()
    {
        await using var receiver = LoopbackStub.Start(new StubResponse(200, "ok"));
        var url = receiver.Url.Replace("http://", "http://hook:PASSWORD@", StringComparison.Ordinal);

        var attempt = await WebhookSender.Default.PostAsync(url, "key-1", new System.Text.Json.Nodes.JsonObject { ["text"] = "hi" }, Ct);

        Assert.Null(attempt.HttpStatus);
        Assert.Contains("user name or password", attempt.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("PASSWORD", attempt.Error, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    [Theory]
    [InlineData("/a b", "/a%20b")]
    [InlineData("/*", "/*")]
    public async Task Given_one_path_argument_when_cdn_plans_then_it_is_one_path(string given, string planned)
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, given == "/*" ? "cdnstar" : "cdnspace", Ct);

        var result = await EmulatorCli.RunAsync(emulator, "cdn", "--dist-id", world.World.DistributionId, "--paths", given, "--config", world.WriteConfig(), "--output", "json");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains($"\"{planned}\"", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("does not start with '/'", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await world.CallsAsync(Ct)).MutatingTotal);
    }

    /// <summary>A rewind.yaml for the world with its endpoint and no ledger.path: the ledger is at the default path.</summary>
    private string ConfigWithoutLedger(PlaybookHarness world) => $"""
        service:
          name: {world.Names.Family}
          cluster: {world.Names.Cluster}
          ecs_service: {world.Names.Service}
          family: {world.Names.Family}
        aws:
          region: us-east-1
          endpoint_url: {emulator.Endpoint}
        canary:
          listener_arn: {world.World.ListenerArn}
          main_target_group: {world.World.MainTargetGroupArn}
          canary_target_group: {world.World.CanaryTargetGroupArn}
        """;

    private Dictionary<string, string> Keys(Dictionary<string, string> extra)
    {
        var keys = new Dictionary<string, string>(extra)
        {
            ["AWS_ACCESS_KEY_ID"] = emulator.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = emulator.SecretAccessKey,
            ["AWS_REGION"] = "us-east-1",
        };
        return keys;
    }
}
