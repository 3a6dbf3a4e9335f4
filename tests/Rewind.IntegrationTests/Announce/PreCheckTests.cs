using Rewind.Cli;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Playbook;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.IntegrationTests.Announce;

/// <summary>
/// Everything a run uses is checked while it is planned: a name that does not exist or a variable that is not set is
/// one line naming it and the fix, exit 2, zero mutating calls at the emulator and no run in the ledger.
/// </summary>
[Collection("rollout-emulator")]
public sealed class PreCheckTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_a_smoke_api_key_secret_that_does_not_exist_when_run_live_then_exit_2_before_any_change()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "pcsmk", Ct);
        var missing = $"rewind/{world.Names.Family}/no-such-key";
        var config = world.WriteConfig($"""
            smoke:
              url: http://127.0.0.1:9/
              api_key_secret: {missing}
            """);
        await world.ResetCallsAsync(Ct);

        var result = await AnnounceCli.RunAsync(emulator, ["run", "--live", "--yes", "--config", config], Ct);

        Assert.True(result.ExitCode == ExitCodes.BadInput, result.ToString());
        Assert.Equal(
            $"rewind: smoke check 'enqueue' sends the API key but the secret {missing} (smoke.api_key_secret) does not exist: " +
            "fix smoke.api_key_secret in rewind.yaml (aws secretsmanager list-secrets), or use smoke.api_key_env",
            Assert.Single(result.ErrorLines));
        var calls = await world.CallsAsync(Ct);
        Assert.True(calls.MutatingTotal == 0, string.Join(", ", calls.Mutating.Select(c => $"{c.Key}={c.Value}")));
        Assert.Equal(1, calls.Count("secretsmanager:DescribeSecret"));
        Assert.Equal(0, calls.Count("secretsmanager:GetSecretValue"));
        Assert.Empty(await world.Ledger.Runs.ListRunsAsync(null, 10, Ct));
    }

    [Theory]
    [InlineData(null, "is not set")]
    [InlineData("hooks.slack.invalid/services/x", "does not hold an http(s) URL")]
    public async Task Given_a_webhook_variable_unset_or_not_a_url_when_run_live_then_exit_2_and_nothing_is_journaled(string? value, string problem)
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, $"pchk{(value is null ? "u" : "i")}", Ct);
        await using var support = LoopbackStub.Start(new StubResponse(200, "{}"));
        var team = AnnounceCli.Variable("team", value);
        var config = AnnounceCli.Config(world, $"""
              team: {"{"} slack_webhook_env: {team}, channel: "#releases" {"}"}
              support: {"{"} webhook_env: {AnnounceCli.Variable("support", support.Url)} {"}"}
            """);
        await world.ResetCallsAsync(Ct);

        var result = await AnnounceCli.RunAsync(emulator, ["run", "--live", "--yes", "--config", config], Ct);

        Assert.True(result.ExitCode == ExitCodes.BadInput, result.ToString());
        Assert.Equal(
            $"rewind: environment variable {team} (notify.team.slack_webhook_env) {problem}: export {team} with the Slack incoming webhook's URL, or set notify.team.enabled: false",
            Assert.Single(result.ErrorLines));
        Assert.Equal(0, (await world.CallsAsync(Ct)).MutatingTotal);
        Assert.Empty(await world.Ledger.Runs.ListRunsAsync(null, 10, Ct));
        Assert.Empty(await world.Ledger.Outbox.ListOutboxAsync(null, Ct));
        Assert.Empty(support.Requests);
    }

    [Fact]
    public async Task The_plan_says_exactly_which_messages_each_route_gets()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "pclines", Ct);
        var team = AnnounceCli.Variable("team", "http://127.0.0.1:9/services/x");
        var support = AnnounceCli.Variable("support", "http://127.0.0.1:9/hook");
        var config = AnnounceCli.Config(world, $"""
              team: {"{"} slack_webhook_env: {team}, channel: "#releases" {"}"}
              support: {"{"} webhook_env: {support} {"}"}
            """);

        var result = await AnnounceCli.RunAsync(emulator, ["plan", "--config", config, "--output", "json"], Ct);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var changes = System.Text.Json.Nodes.JsonNode.Parse(result.Stdout)!["plan"]!["steps"]!.AsArray()
            .ToDictionary(s => s!["step"]!.GetValue<string>(), s => s!["changes"]!.AsArray().Select(c => c!.GetValue<string>()).ToList());
        Assert.Equal(
            [
                "team: slack:#releases: rollback started (as the run starts), then rollback finished, or rollback failed if a step fails",
                $"support: webhook:${support}: rollback finished (only once every step before it succeeded; nothing if the rollback fails)",
            ],
            changes["notify"]);
        Assert.Contains("team: slack:#releases: releases frozen", changes["freeze"]);
    }
}
