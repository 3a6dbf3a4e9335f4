using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Rewind.Aws;
using Rewind.Cli;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Playbook;
using Rewind.Playbook.Freeze;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.IntegrationTests.Announce;

/// <summary><c>rewind freeze</c> and the freeze's hold on <c>rewind record</c>, in-process, with SSM on the emulator.</summary>
[Collection("rollout-emulator")]
public sealed class FreezeCommandTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Freeze_round_trip_on_check_frozen_off_refused_without_root_cause_off_check_open()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "fround", Ct);
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok"));
        var hook = AnnounceCli.Variable("releases", slack.Url + "services/T/B/secret");
        var config = AnnounceCli.Config(world, $"  team: {{ slack_webhook_env: {hook}, channel: \"#releases\" }}");
        using var aws = new AwsClients(ClientFactory.Session(emulator));
        var parameter = new FreezeParameter(aws.Ssm(), $"/rewind/{world.Names.Family}/freeze", world.Names.Family);

        var dry = await RunAsync(["freeze", "on", "--reason", "bad deploy of v4", "--config", config]);
        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Contains("dry-run: nothing was changed", dry.Stderr, StringComparison.Ordinal);
        Assert.Empty(await world.Ledger.Freezes.ListFreezesAsync(Ct));
        Assert.Null(await parameter.ReadAsync(Ct));
        Assert.Empty(slack.Requests);

        var on = await RunAsync(["freeze", "on", "--reason", "bad deploy of v4", "--live", "--config", config, "--output", "json"]);
        Assert.True(on.ExitCode == 0, on.ToString());
        var freeze = Assert.Single(await world.Ledger.Freezes.GetActiveFreezesAsync(world.Names.Family, Ct));
        Assert.Equal("bad deploy of v4", freeze.Reason);
        var published = await parameter.ReadAsync(Ct);
        Assert.True(published is { Frozen: true } && published.FreezeId == freeze.Id && published.Reason == "bad deploy of v4", published?.ToJson());
        var told = Assert.Single(slack.Requests);
        Assert.Equal($"Releases frozen: {world.Names.Family}", JsonNode.Parse(told.Body)!["blocks"]![0]!["text"]!["text"]!.GetValue<string>());
        Assert.DoesNotContain("secret", on.Stdout + on.Stderr, StringComparison.Ordinal);

        var check = await RunAsync(["freeze", "check", "--config", config]);
        Assert.True(check.ExitCode == ExitCodes.Blocked, check.ToString());
        Assert.Contains("bad deploy of v4", check.Stdout, StringComparison.Ordinal);
        Assert.Contains($"releases of {world.Names.Family} are frozen: bad deploy of v4", Assert.Single(check.ErrorLines), StringComparison.Ordinal);

        var refused = await RunAsync(["freeze", "off", "--live", "--config", config]);
        Assert.True(refused.ExitCode == ExitCodes.BadInput, refused.ToString());
        Assert.Equal("rewind: freeze off needs --root-cause: name the identified root cause: rewind freeze off --root-cause \"what caused it\" (it is recorded with the freeze)", Assert.Single(refused.ErrorLines));
        Assert.Single(await world.Ledger.Freezes.GetActiveFreezesAsync(world.Names.Family, Ct));
        Assert.True((await parameter.ReadAsync(Ct))!.Frozen);

        var off = await RunAsync(["freeze", "off", "--root-cause", "v4 read a config key v3 never set", "--live", "--config", config]);
        Assert.True(off.ExitCode == 0, off.ToString());
        var lifted = Assert.Single(await world.Ledger.Freezes.ListFreezesAsync(Ct));
        Assert.Equal("v4 read a config key v3 never set", lifted.RootCause);
        Assert.False(lifted.IsActive);
        var unfrozen = await parameter.ReadAsync(Ct);
        Assert.True(unfrozen is { Frozen: false } && unfrozen.RootCause == lifted.RootCause && unfrozen.FreezeId == lifted.Id, unfrozen?.ToJson());
        Assert.Equal(2, slack.Requests.Count);
        Assert.Equal($"{lifted.Id}/notify/freeze-off/team/slack", slack.Requests[1].Header("Idempotency-Key"));

        var open = await RunAsync(["freeze", "check", "--config", config, "--output", "json"]);
        Assert.True(open.ExitCode == 0, open.ToString());
        using var document = JsonDocument.Parse(open.Stdout);
        Assert.False(document.RootElement.GetProperty("frozen").GetBoolean());
        Assert.True(document.RootElement.GetProperty("agrees").GetBoolean());
    }

    [Fact]
    public async Task Record_is_refused_while_frozen_and_allowed_with_a_journaled_override()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "frecord", Ct);
        var config = AnnounceCli.Config(world);
        var on = await RunAsync(["freeze", "on", "--reason", "error spike after v4", "--live", "--config", config]);
        Assert.True(on.ExitCode == 0, on.ToString());

        var refused = await RunAsync(["record", "--version", "v5", "--config", config]);
        Assert.True(refused.ExitCode == ExitCodes.Blocked, refused.ToString());
        var line = Assert.Single(refused.ErrorLines);
        Assert.Contains($"releases of {world.Names.Family} are frozen: error spike after v4 (freeze frz-", line, StringComparison.Ordinal);
        Assert.Contains("incident none, by ", line, StringComparison.Ordinal);
        Assert.Contains("--override-freeze --reason", line, StringComparison.Ordinal);
        var noReason = await RunAsync(["record", "--version", "v5", "--override-freeze", "--config", config]);
        Assert.True(noReason.ExitCode == ExitCodes.BadInput, noReason.ToString());
        Assert.Empty(await world.Ledger.Releases.ListReleasesAsync(world.Names.Family, 10, Ct));

        var overridden = await RunAsync(["record", "--version", "v5", "--override-freeze", "--reason", "security hotfix approved by the IC", "--config", config]);

        Assert.True(overridden.ExitCode == 0, overridden.ToString());
        var release = Assert.Single(await world.Ledger.Releases.ListReleasesAsync(world.Names.Family, 10, Ct));
        var run = Assert.Single(await world.Ledger.Runs.ListRunsAsync(world.Names.Family, 10, Ct));
        Assert.Equal((RunStatus.Succeeded, release.Id), (run.Status, run.TargetReleaseId));
        var journal = await world.Ledger.Runs.ReadJournalAsync(run.Id, Ct);
        var entry = JsonNode.Parse(journal.Single(e => e.Kind == JournalKind.CallSucceeded).Detail)!;
        Assert.Equal("OverrideFreeze", entry["call"]!.GetValue<string>());
        Assert.Equal("security hotfix approved by the IC", entry["reason"]!.GetValue<string>());
        Assert.Equal(Assert.Single(await world.Ledger.Freezes.ListFreezesAsync(Ct)).Id, entry["freeze"]!.GetValue<string>());
        Assert.Equal(release.Id, entry["release"]!.GetValue<string>());
        Assert.True((await LedgerVerifier.VerifyAsync(world.Ledger, run.Id, Ct)).IsIntact);
    }

    [Fact]
    public async Task A_freeze_published_in_ssm_alone_is_honoured_by_check_and_record()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "fssm", Ct);
        var config = AnnounceCli.Config(world);
        using var aws = new AwsClients(ClientFactory.Session(emulator));
        using var ssm = aws.Ssm();
        await ssm.PutParameterAsync(new PutParameterRequest
        {
            Name = $"/rewind/{world.Names.Family}/freeze",
            Type = ParameterType.String,
            Overwrite = true,
            Value = """{"frozen":true,"service":"x","freeze":"frz-20261127-090000-0001","reason":"frozen by another team's ledger","incident":"INC-0042","by":"bob","since":"2026-11-27T09:00:00Z"}""",
        }, Ct);

        var check = await RunAsync(["freeze", "check", "--config", config]);
        var record = await RunAsync(["record", "--config", config]);
        var status = await RunAsync(["freeze", "status", "--config", config]);

        Assert.True(check.ExitCode == ExitCodes.Blocked, check.ToString());
        Assert.Contains("frozen by another team's ledger (freeze frz-20261127-090000-0001, incident INC-0042, by bob", check.Stdout, StringComparison.Ordinal);
        Assert.True(record.ExitCode == ExitCodes.Blocked, record.ToString());
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("SSM disagrees with the ledger", status.Stdout, StringComparison.Ordinal);
        Assert.Empty(await world.Ledger.Releases.ListReleasesAsync(world.Names.Family, 10, Ct));
    }

    private Task<CliOutcome> RunAsync(string[] args) => AnnounceCli.RunAsync(emulator, args, Ct);
}
