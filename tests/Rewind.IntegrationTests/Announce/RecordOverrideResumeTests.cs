using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Cli;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Playbook;
using Xunit;

namespace Rewind.IntegrationTests.Announce;

/// <summary>
/// <c>rewind record --override-freeze</c> is a run like <c>rewind run</c>: killed between its journaled override and the
/// release it records, <c>rewind resume RUN</c> finishes it with one release and one override in the journal.
/// </summary>
[Collection("rollout-emulator")]
public sealed class RecordOverrideResumeTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_an_override_killed_after_its_call_was_sent_and_before_the_release_is_recorded_when_resumed_then_one_release_and_one_override_are_journaled()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "frkill", Ct);
        var config = AnnounceCli.Config(world);
        var on = await AnnounceCli.RunAsync(emulator, ["freeze", "on", "--reason", "error spike after v4", "--live", "--config", config], Ct);
        Assert.True(on.ExitCode == 0, on.ToString());
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        KillingLedger? killing = null;
        using (var stdout = new StringWriter())
        using (var stderr = new StringWriter())
        {
            await RewindApp.RunAsync(["record", "--version", "v5", "--override-freeze", "--reason", "security hotfix approved by the IC", "--config", config], stdout, stderr, kill.Token,
                _ => new AwsClients(ClientFactory.Session(emulator)),
                ledger => killing = new KillingLedger(ledger, new JournalPoint("record-override", JournalKind.CallSent, "OverrideFreeze", 0), KillMode.AfterEntry, kill));
        }
        Assert.True(killing!.Killed, "the override was not killed after its call-sent entry");
        await killing.QuietAsync(TimeSpan.FromMilliseconds(150), Ct);
        Assert.Empty(await world.Ledger.Releases.ListReleasesAsync(world.Names.Family, 10, Ct));
        // freeze on is a run of its own; the override's run is the one that targets the release.
        var run = Assert.Single(await world.Ledger.Runs.ListRunsAsync(world.Names.Family, 10, Ct), r => r.TargetReleaseId is not null);
        Assert.NotEqual(RunStatus.Succeeded, run.Status);

        var resumed = await AnnounceCli.RunAsync(emulator, ["resume", run.Id, "--takeover", "--yes", "--config", config], Ct);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var release = Assert.Single(await world.Ledger.Releases.ListReleasesAsync(world.Names.Family, 10, Ct));
        Assert.Equal(("v5", run.TargetReleaseId), (release.Version, release.Id));
        Assert.Equal(RunStatus.Succeeded, (await world.Ledger.Runs.GetRunAsync(run.Id, Ct))!.Status);
        var journal = await world.Ledger.Runs.ReadJournalAsync(run.Id, Ct);
        // The killed attempt's call-sent stays (the release was provably not recorded: it is journaled first); the
        // resumed attempt sends once more, journaled, and that is the one override that was recorded.
        var overrides = journal.Where(e => e.Step == "record-override" && e.Kind is JournalKind.CallSent or JournalKind.CallSucceeded or JournalKind.CallFailed).ToList();
        Assert.Equal([JournalKind.CallSent, JournalKind.CallSent, JournalKind.CallSucceeded], overrides.Select(e => e.Kind));
        var done = JsonNode.Parse(overrides[2].Detail)!;
        Assert.Equal(("security hotfix approved by the IC", release.Id, true), (done["reason"]!.GetValue<string>(), done["release"]!.GetValue<string>(), done["recorded"]!.GetValue<bool>()));
        var end = JsonNode.Parse(journal.Last(e => e.Kind == JournalKind.Completed).Detail)!["evidence"]!;
        Assert.Equal(("freezeOverridden", release.Id), (end["type"]!.GetValue<string>(), end["release"]!.GetValue<string>()));
        Assert.True((await LedgerVerifier.VerifyAsync(world.Ledger, run.Id, Ct)).IsIntact);
    }

    [Fact]
    public async Task Given_an_override_killed_after_the_release_was_recorded_but_before_that_was_journaled_when_resumed_then_the_release_is_not_recorded_twice()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "frsent", Ct);
        var config = AnnounceCli.Config(world);
        var on = await AnnounceCli.RunAsync(emulator, ["freeze", "on", "--reason", "error spike after v4", "--live", "--config", config], Ct);
        Assert.True(on.ExitCode == 0, on.ToString());
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        KillingLedger? killing = null;
        using (var stdout = new StringWriter())
        using (var stderr = new StringWriter())
        {
            await RewindApp.RunAsync(["record", "--version", "v5", "--override-freeze", "--reason", "security hotfix approved by the IC", "--config", config], stdout, stderr, kill.Token,
                _ => new AwsClients(ClientFactory.Session(emulator)),
                ledger => killing = new KillingLedger(ledger, new JournalPoint("record-override", JournalKind.CallSent, "OverrideFreeze", 0), KillMode.AfterRequestSent, kill));
        }
        Assert.True(killing!.Killed, "the override was not killed between the release it recorded and its record");
        await killing.QuietAsync(TimeSpan.FromMilliseconds(150), Ct);
        Assert.Single(await world.Ledger.Releases.ListReleasesAsync(world.Names.Family, 10, Ct));
        // freeze on is a run of its own; the override's run is the one that targets the release.
        var run = Assert.Single(await world.Ledger.Runs.ListRunsAsync(world.Names.Family, 10, Ct), r => r.TargetReleaseId is not null);

        var resumed = await AnnounceCli.RunAsync(emulator, ["resume", run.Id, "--takeover", "--yes", "--config", config], Ct);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Single(await world.Ledger.Releases.ListReleasesAsync(world.Names.Family, 10, Ct));
        var journal = await world.Ledger.Runs.ReadJournalAsync(run.Id, Ct);
        Assert.Single(journal, e => e.Step == "record-override" && e.Kind == JournalKind.CallSent);
        var end = JsonNode.Parse(journal.Last(e => e.Kind == JournalKind.Completed).Detail)!["evidence"]!;
        Assert.True(end["recordedEarlier"]!.GetValue<bool>());
        Assert.True((await LedgerVerifier.VerifyAsync(world.Ledger, run.Id, Ct)).IsIntact);
    }
}
