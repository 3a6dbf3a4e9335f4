using System.Text.Json;
using System.Text.Json.Nodes;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Playbook;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.IntegrationTests.Announce;

/// <summary><c>rewind run --live</c> with the freeze and notify steps, and <c>rewind notify</c>, against loopback receivers.</summary>
[Collection("rollout-emulator")]
public sealed class RunAnnouncementTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_live_run_tells_the_team_started_then_finished_freezes_and_tells_support_once()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "arun", Ct);
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok"));
        await using var support = LoopbackStub.Start(new StubResponse(200, "{}"));
        var config = AnnounceCli.Config(world, $"""
              team: {"{"} slack_webhook_env: {AnnounceCli.Variable("team", slack.Url)} {"}"}
              support: {"{"} webhook_env: {AnnounceCli.Variable("support", support.Url)} {"}"}
              customers: {"{"} webhook_env: {AnnounceCli.Variable("customers", support.Url)} {"}"}
            """);

        var result = await AnnounceCli.RunAsync(emulator, ["run", "--live", "--yes", "--config", config, "--output", "json"], Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        var run = await LatestRunAsync(world);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        var kinds = slack.Requests.Select(r => r.Header("Idempotency-Key").Split('/')[2]).Order().ToList();
        Assert.Equal(["finished", "freeze-on", "started"], kinds);
        var started = slack.Requests.Single(r => r.Header("Idempotency-Key").Contains("/started/", StringComparison.Ordinal));
        Assert.Equal($"Rollback started: {world.Names.Family}", JsonNode.Parse(started.Body)!["blocks"]![0]!["text"]!["text"]!.GetValue<string>());
        var told = Assert.Single(support.Requests);
        using var payload = JsonDocument.Parse(told.Body);
        Assert.Equal(("rollback.finished", "support", run.Id), (payload.RootElement.GetProperty("event").GetString(), payload.RootElement.GetProperty("audience").GetString(), payload.RootElement.GetProperty("run").GetString()));
        Assert.Contains("not told (confirm with --notify-customers)", result.Stdout, StringComparison.Ordinal);
        var freeze = Assert.Single(await world.Ledger.Freezes.GetActiveFreezesAsync(world.Names.Family, Ct));
        Assert.Equal($"rewind run {run.Id}", freeze.FrozenBy);
        var evidence = await EvidenceAsync(world, run.Id, "notify");
        Assert.Equal(("200", "200", "2", "0"), (evidence["team.status"], evidence["support.status"], evidence["delivered"], evidence["failed"]));
        Assert.False(evidence.ContainsKey("customers.status"));
    }

    [Fact]
    public async Task A_receiver_answering_500_leaves_the_rollback_successful_and_notify_retry_delivers_it_once()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "afail", Ct);
        await using var broken = LoopbackStub.Start(new StubResponse(500, "internal_error"));
        await using var healthy = LoopbackStub.Start(new StubResponse(200, "ok"));
        var team = AnnounceCli.Variable("team", broken.Url);
        var config = AnnounceCli.Config(world, $"  team: {{ slack_webhook_env: {team} }}");

        var result = await AnnounceCli.RunAsync(emulator, ["run", "--live", "--yes", "--config", config], Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        var run = await LatestRunAsync(world);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(9, broken.Requests.Count); // started, freeze-on, finished: 3 attempts each
        var evidence = await EvidenceAsync(world, run.Id, "notify");
        Assert.Equal("500", evidence["team.status"]);
        Assert.Equal("slack:#releases: HTTP 500 (internal_error) after 3 attempt(s)", evidence["team.error"]);
        Assert.Contains("warning: the 'started' message to slack:#releases was not delivered", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, (await world.Ledger.Outbox.ListOutboxAsync(OutboxStatus.Failed, Ct)).Count);

        var preview = await AnnounceCli.RunAsync(emulator, ["notify", "--retry", "--config", config], Ct);
        Assert.True(preview.ExitCode == 0, preview.ToString());
        Assert.Equal(3, preview.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Environment.SetEnvironmentVariable(team, healthy.Url);
        var retried = await AnnounceCli.RunAsync(emulator, ["notify", "--retry", "--live", "--config", config], Ct);
        var again = await AnnounceCli.RunAsync(emulator, ["notify", "--retry", "--live", "--config", config], Ct);

        Assert.True(retried.ExitCode == 0, retried.ToString());
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(3, healthy.Requests.Count);
        Assert.Equal(3, healthy.Requests.Select(r => r.Header("Idempotency-Key")).Distinct().Count());
        Assert.Equal(broken.Requests[0].Body, healthy.Requests.First(r => r.Header("Idempotency-Key") == broken.Requests[0].Header("Idempotency-Key")).Body);
        Assert.Empty(await world.Ledger.Outbox.ListOutboxAsync(OutboxStatus.Failed, Ct));
    }

    [Fact]
    public async Task Notify_sends_the_operators_message_once_journaled_in_a_run_of_its_own()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "amsg", Ct);
        await using var support = LoopbackStub.Start(new StubResponse(200, "{}"));
        var config = AnnounceCli.Config(world, $"  support: {{ webhook_env: {AnnounceCli.Variable("support", support.Url)} }}");

        var dry = await AnnounceCli.RunAsync(emulator, ["notify", "--to", "support", "--message", "Checkout errors since 09:00 UTC; fixed at 09:20.", "--config", config, "--output", "json"], Ct);
        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Empty(support.Requests);
        using (var preview = JsonDocument.Parse(dry.Stdout))
            Assert.Equal("Checkout errors since 09:00 UTC; fixed at 09:20.", preview.RootElement.GetProperty("messages")[0].GetProperty("payload").GetProperty("message").GetString());

        var sent = await AnnounceCli.RunAsync(emulator, ["notify", "--to", "support", "--message", "Checkout errors since 09:00 UTC; fixed at 09:20.", "--live", "--config", config, "--output", "json"], Ct);

        Assert.True(sent.ExitCode == 0, sent.ToString());
        using var payload = JsonDocument.Parse(Assert.Single(support.Requests).Body);
        var run = await LatestRunAsync(world);
        Assert.Equal(("message", "Checkout errors since 09:00 UTC; fixed at 09:20.", run.Id), (payload.RootElement.GetProperty("event").GetString(), payload.RootElement.GetProperty("message").GetString(), payload.RootElement.GetProperty("run").GetString()));
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Contains(await world.Ledger.Runs.ReadJournalAsync(run.Id, Ct), e => e.Kind == JournalKind.CallSucceeded && e.Detail.Contains("/notify/message/support/webhook", StringComparison.Ordinal));
        Assert.DoesNotContain(support.Url, string.Join('\n', (await world.Ledger.Runs.ReadJournalAsync(run.Id, Ct)).Select(e => e.Detail)), StringComparison.Ordinal);
    }

    /// <summary>The newest run of the service as rewind.yaml names it (service.name, the family).</summary>
    private static async Task<Run> LatestRunAsync(PlaybookHarness world) => (await world.Ledger.Runs.ListRunsAsync(world.Names.Family, 1, Ct)).Single();

    private static Task<Dictionary<string, string>> EvidenceAsync(PlaybookHarness world, string runId, string step) =>
        AnnouncedEvidence.ReadAsync(world.Ledger.Runs, runId, step, Ct);
}
