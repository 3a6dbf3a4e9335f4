using System.Text.Json;
using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Cli;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Playbook;
using Rewind.Playbook.Freeze;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.IntegrationTests.Announce;

/// <summary>
/// <c>rewind freeze on</c> and <c>freeze off</c> are runs like <c>rewind run</c>: in <c>rewind history</c>, their
/// journals verified by <c>ledger verify</c>, and a run killed after its call was sent is finished by
/// <c>rewind resume RUN</c> with exactly one freeze change.
/// </summary>
[Collection("rollout-emulator")]
public sealed class FreezeRunResumeTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_freeze_on_and_off_live_then_both_are_runs_in_history_with_their_calls_journaled_and_ledger_verify_passes()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "frun", Ct);
        var config = AnnounceCli.Config(world);

        var on = await RunAsync(["freeze", "on", "--reason", "bad deploy of v4", "--live", "--config", config, "--output", "json"]);
        var off = await RunAsync(["freeze", "off", "--root-cause", "v4 read a config key v3 never set", "--live", "--config", config]);
        var history = await RunAsync(["history", "--config", config, "--output", "json"]);
        var verify = await RunAsync(["ledger", "verify", "--config", config]);
        var offRunId = off.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Split(' ')[1];
        var report = await RunAsync(["report", offRunId, "--format", "md", "--config", config]);

        Assert.True(on.ExitCode == 0, on.ToString());
        Assert.True(off.ExitCode == 0, off.ToString());
        var onRun = JsonNode.Parse(on.Stdout)!["run"]!.GetValue<string>();
        var offRun = offRunId;
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Contains(offRun, report.Stdout, StringComparison.Ordinal);
        Assert.True(history.ExitCode == 0, history.ToString());
        using (var listed = JsonDocument.Parse(history.Stdout))
        {
            var runs = listed.RootElement.GetProperty("runs").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!, r => r.GetProperty("status").GetString());
            Assert.Equal("succeeded", runs[onRun], ignoreCase: true);
            Assert.Equal("succeeded", runs[offRun], ignoreCase: true);
        }
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Equal(["Freeze", "PutParameter"], await CallsSentAsync(world, onRun));
        Assert.Equal(["LiftFreeze", "PutParameter"], await CallsSentAsync(world, offRun));
        var freeze = Assert.Single(await world.Ledger.Freezes.ListFreezesAsync(Ct));
        Assert.Equal(("v4 read a config key v3 never set", false), (freeze.RootCause, freeze.IsActive));
    }

    [Theory]
    [InlineData("freeze", "Freeze", "after-entry")]
    [InlineData("freeze", "Freeze", "after-request-sent")]
    [InlineData(LiftFreezeStep.StepName, "LiftFreeze", "after-entry")]
    [InlineData(LiftFreezeStep.StepName, "LiftFreeze", "after-request-sent")]
    [InlineData(LiftFreezeStep.StepName, "PutParameter", "after-request-sent")]
    public async Task Given_a_freeze_run_killed_after_its_call_was_sent_when_resumed_then_there_is_exactly_one_freeze_change_and_one_message(string step, string call, string kill)
    {
        var lifting = step == LiftFreezeStep.StepName;
        await using var world = await PlaybookHarness.SeedAsync(emulator, $"fk{(lifting ? "off" : "on")}{char.ToLowerInvariant(call[0])}{kill[6]}", Ct);
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok"));
        var config = AnnounceCli.Config(world, $"  team: {{ slack_webhook_env: {AnnounceCli.Variable("releases", slack.Url + "services/T/B/secret")}, channel: \"#releases\" }}");
        using var aws = new AwsClients(ClientFactory.Session(emulator));
        var parameter = new FreezeParameter(aws.Ssm(), $"/rewind/{world.Names.Family}/freeze", world.Names.Family);
        if (lifting)
            Assert.Equal(0, (await RunAsync(["freeze", "on", "--reason", "bad deploy of v4", "--live", "--config", config])).ExitCode);
        string[] command = lifting
            ? ["freeze", "off", "--root-cause", "v4 read a config key v3 never set", "--live", "--config", config]
            : ["freeze", "on", "--reason", "bad deploy of v4", "--live", "--config", config];
        var mode = kill == "after-entry" ? KillMode.AfterEntry : KillMode.AfterRequestSent;
        using var killer = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        KillingLedger? killing = null;
        using (var stdout = new StringWriter())
        using (var stderr = new StringWriter())
        {
            await RewindApp.RunAsync(command, stdout, stderr, killer.Token,
                _ => new AwsClients(ClientFactory.Session(emulator)),
                ledger => killing = new KillingLedger(ledger, new JournalPoint(step, JournalKind.CallSent, call, 0), mode, killer));
        }
        Assert.True(killing!.Killed, $"the run was not killed at {step} {call}");
        await killing.QuietAsync(TimeSpan.FromMilliseconds(150), Ct);
        var run = Assert.Single(await world.Ledger.Runs.ListRunsAsync(world.Names.Family, 10, Ct), r => r.Status != RunStatus.Succeeded);

        var resumed = await RunAsync(["resume", run.Id, "--takeover", "--yes", "--config", config]);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(RunStatus.Succeeded, (await world.Ledger.Runs.GetRunAsync(run.Id, Ct))!.Status);
        var freeze = Assert.Single(await world.Ledger.Freezes.ListFreezesAsync(Ct));
        Assert.Equal(!lifting, freeze.IsActive);
        var published = await parameter.ReadAsync(Ct);
        Assert.True(published is not null && published.Frozen == !lifting && published.FreezeId == freeze.Id, published?.ToJson());
        var kind = lifting ? "freeze-off" : "freeze-on";
        Assert.Single(slack.Requests, r => r.Header("Idempotency-Key") == $"{freeze.Id}/notify/{kind}/team/slack");
        // Nothing else: a resumed freeze run announces its freeze change, no "rollback started".
        Assert.Equal(lifting ? 2 : 1, slack.Requests.Count);
        Assert.True((await LedgerVerifier.VerifyAsync(world.Ledger, run.Id, Ct)).IsIntact);
        if (lifting && call == "LiftFreeze" && mode == KillMode.AfterRequestSent)
        {
            // The lift reached the ledger before it was journaled: the resume read it and did not send it again.
            Assert.Single(await world.Ledger.Runs.ReadJournalAsync(run.Id, Ct), e => e.Kind == JournalKind.CallSent && e.Detail.Contains("\"call\":\"LiftFreeze\"", StringComparison.Ordinal));
        }
    }

    private static async Task<IReadOnlyList<string>> CallsSentAsync(PlaybookHarness world, string runId) =>
        [.. (await world.Ledger.Runs.ReadJournalAsync(runId, Ct)).Where(e => e.Kind == JournalKind.CallSent).Select(e => JsonNode.Parse(e.Detail)!["call"]!.GetValue<string>())];

    private Task<CliOutcome> RunAsync(string[] args) => AnnounceCli.RunAsync(emulator, args, Ct);
}
