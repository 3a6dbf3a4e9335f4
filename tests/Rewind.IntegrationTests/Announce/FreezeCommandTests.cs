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
        var config = ReleasesConfig(world, hook);
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
        // freeze on is a run of its own; the override's run is the one that targets the release.
        var run = Assert.Single(await world.Ledger.Runs.ListRunsAsync(world.Names.Family, 10, Ct), r => r.TargetReleaseId is not null);
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

    [Fact]
    public async Task Off_copies_the_root_cause_into_the_freezes_incident_after_a_dry_run_that_changes_nothing()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "fcause", Ct);
        var config = AnnounceCli.Config(world);
        var incident = await OpenIncidentAsync(world);
        var on = await RunAsync(["freeze", "on", "--reason", "bad deploy of v4", "--incident", incident.Id, "--live", "--config", config]);
        Assert.True(on.ExitCode == 0, on.ToString());
        var freeze = Assert.Single(await world.Ledger.Freezes.GetActiveFreezesAsync(world.Names.Family, Ct));

        var dry = await RunAsync(["freeze", "off", "--root-cause", "v4 read a config key v3 never set", "--config", config, "--output", "json"]);
        Assert.True(dry.ExitCode == 0, dry.ToString());
        using (var preview = JsonDocument.Parse(dry.Stdout))
        {
            Assert.True(preview.RootElement.GetProperty("dryRun").GetBoolean());
            Assert.Equal(incident.Id, preview.RootElement.GetProperty("incident").GetString());
            Assert.Equal("would-record", preview.RootElement.GetProperty("incidentRootCause").GetString());
        }
        var dryText = await RunAsync(["freeze", "off", "--root-cause", "v4 read a config key v3 never set", "--config", config]);
        Assert.Contains($"\nwould record the root cause in incident {incident.Id}\n", dryText.Stdout, StringComparison.Ordinal);
        Assert.Equal(incident, await world.Ledger.Incidents.GetIncidentAsync(incident.Id, Ct));
        Assert.Equal([freeze], await world.Ledger.Freezes.GetActiveFreezesAsync(world.Names.Family, Ct));

        var off = await RunAsync(["freeze", "off", "--root-cause", "v4 read a config key v3 never set", "--live", "--config", config]);

        Assert.True(off.ExitCode == 0, off.ToString());
        Assert.Contains($"\nroot cause recorded in incident {incident.Id}", off.Stdout, StringComparison.Ordinal);
        Assert.Equal(
            incident with { RootCause = "v4 read a config key v3 never set", RootCauseFrom = freeze.Id },
            await world.Ledger.Incidents.GetIncidentAsync(incident.Id, Ct));
        var shown = await RunAsync(["incident", "show", incident.Id, "--output", "json", "--config", config]);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        using (var show = JsonDocument.Parse(shown.Stdout))
        {
            Assert.Equal("v4 read a config key v3 never set", show.RootElement.GetProperty("incident").GetProperty("rootCause").GetString());
            Assert.Equal(freeze.Id, show.RootElement.GetProperty("incident").GetProperty("rootCauseFrom").GetString());
        }
        var shownText = await RunAsync(["incident", "show", incident.Id, "--config", config]);
        Assert.Contains($"\n  root cause      v4 read a config key v3 never set (from freeze {freeze.Id})\n", shownText.Stdout, StringComparison.Ordinal);
        var listed = await RunAsync(["incident", "list", "--output", "json", "--config", config]);
        using (var list = JsonDocument.Parse(listed.Stdout))
            Assert.Equal("v4 read a config key v3 never set", Assert.Single(list.RootElement.GetProperty("incidents").EnumerateArray()).GetProperty("rootCause").GetString());
        var again = await RunAsync(["freeze", "off", "--root-cause", "v4 read a config key v3 never set", "--live", "--config", config]);
        Assert.True(again.ExitCode == ExitCodes.BadInput, again.ToString());
        Assert.Equal($"rewind: {world.Names.Family} is not frozen: nothing to lift: see 'rewind freeze status'", Assert.Single(again.ErrorLines));
    }

    [Fact]
    public async Task A_second_lift_with_the_same_root_cause_leaves_the_incident_and_a_different_one_replaces_it_and_says_so()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "fagain", Ct);
        var config = AnnounceCli.Config(world);
        var incident = await OpenIncidentAsync(world);
        await FreezeAndLiftAsync(config, incident.Id, "connection pool exhausted");
        var first = (await world.Ledger.Freezes.ListFreezesAsync(Ct))[0];

        var same = await FreezeAndLiftAsync(config, incident.Id, "connection pool exhausted");
        var sameIncident = await world.Ledger.Incidents.GetIncidentAsync(incident.Id, Ct);
        var other = await FreezeAndLiftAsync(config, incident.Id, "a config key v3 never set", "--output", "json");
        var last = (await world.Ledger.Freezes.ListFreezesAsync(Ct))[0];

        Assert.Contains($"\nincident {incident.Id} already holds this root cause: unchanged", same.Stdout, StringComparison.Ordinal);
        Assert.Equal(incident with { RootCause = "connection pool exhausted", RootCauseFrom = first.Id }, sameIncident);
        using var document = JsonDocument.Parse(other.Stdout);
        Assert.Equal("replaced", document.RootElement.GetProperty("incidentRootCause").GetString());
        Assert.Equal("connection pool exhausted", document.RootElement.GetProperty("replacedRootCause").GetString());
        Assert.Equal(incident with { RootCause = "a config key v3 never set", RootCauseFrom = last.Id }, await world.Ledger.Incidents.GetIncidentAsync(incident.Id, Ct));
        var text = await FreezeAndLiftAsync(config, incident.Id, "the real cause");
        Assert.Contains($"\nroot cause of incident {incident.Id} replaced (it was: a config key v3 never set)", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Off_again_after_a_crash_between_the_lift_and_the_incident_finishes_the_copy_exactly_once()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "fcrash", Ct);
        var config = AnnounceCli.Config(world);
        using var aws = new AwsClients(ClientFactory.Session(emulator));
        var parameter = new FreezeParameter(aws.Ssm(), $"/rewind/{world.Names.Family}/freeze", world.Names.Family);
        var incident = await OpenIncidentAsync(world);
        var on = await RunAsync(["freeze", "on", "--reason", "bad deploy of v4", "--incident", incident.Id, "--live", "--config", config]);
        Assert.True(on.ExitCode == 0, on.ToString());
        // The process died right after the lift: the incident and SSM were never told.
        var lifted = await world.Ledger.Freezes.LiftAsync(world.Names.Family, "oncall@crashed", "v4 read a config key v3 never set", Ct);

        var dry = await RunAsync(["freeze", "off", "--root-cause", "v4 read a config key v3 never set", "--config", config, "--output", "json"]);
        Assert.True(dry.ExitCode == 0, dry.ToString());
        using (var preview = JsonDocument.Parse(dry.Stdout))
        {
            Assert.Equal(lifted.Id, preview.RootElement.GetProperty("freeze").GetString());
            Assert.Equal("would-record", preview.RootElement.GetProperty("incidentRootCause").GetString());
            Assert.False(preview.RootElement.GetProperty("publish").GetProperty("frozen").GetBoolean());
        }
        Assert.Null((await world.Ledger.Incidents.GetIncidentAsync(incident.Id, Ct))!.RootCause);
        Assert.True((await parameter.ReadAsync(Ct))!.Frozen);

        var finish = await RunAsync(["freeze", "off", "--root-cause", "v4 read a config key v3 never set", "--live", "--config", config, "--output", "json"]);

        Assert.True(finish.ExitCode == 0, finish.ToString());
        using (var document = JsonDocument.Parse(finish.Stdout))
        {
            Assert.Equal(incident.Id, document.RootElement.GetProperty("incident").GetString());
            Assert.Equal("recorded", document.RootElement.GetProperty("incidentRootCause").GetString());
        }
        var completed = incident with { RootCause = "v4 read a config key v3 never set", RootCauseFrom = lifted.Id };
        Assert.Equal(completed, await world.Ledger.Incidents.GetIncidentAsync(incident.Id, Ct));
        var unfrozen = await parameter.ReadAsync(Ct);
        Assert.True(unfrozen is { Frozen: false } && unfrozen.FreezeId == lifted.Id && unfrozen.LiftedBy == "oncall@crashed", unfrozen?.ToJson());
        Assert.Equal([lifted], await world.Ledger.Freezes.ListFreezesAsync(Ct));

        var third = await RunAsync(["freeze", "off", "--root-cause", "v4 read a config key v3 never set", "--live", "--config", config]);
        Assert.True(third.ExitCode == ExitCodes.BadInput, third.ToString());
        Assert.Equal($"rewind: {world.Names.Family} is not frozen: nothing to lift: see 'rewind freeze status'", Assert.Single(third.ErrorLines));
        Assert.Equal(completed, await world.Ledger.Incidents.GetIncidentAsync(incident.Id, Ct));
    }

    [Fact]
    public async Task Off_again_after_a_crash_copies_the_root_cause_the_freeze_was_lifted_with_even_when_ssm_is_already_unfrozen()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "fcrash2", Ct);
        var config = AnnounceCli.Config(world);
        using var aws = new AwsClients(ClientFactory.Session(emulator));
        var parameter = new FreezeParameter(aws.Ssm(), $"/rewind/{world.Names.Family}/freeze", world.Names.Family);
        var incident = await OpenIncidentAsync(world);
        await world.Ledger.Freezes.FreezeAsync(world.Names.Family, "bad deploy of v4", incident.Id, "oncall", Ct);
        var lifted = await world.Ledger.Freezes.LiftAsync(world.Names.Family, "oncall", "the recorded cause", Ct);
        await parameter.PublishAsync(FreezeState.Of(lifted, world.Names.Family), Ct);

        var finish = await RunAsync(["freeze", "off", "--root-cause", "another wording", "--live", "--config", config]);

        Assert.True(finish.ExitCode == 0, finish.ToString());
        var finished = finish.Stdout.TrimEnd().Split('\n');
        Assert.Equal($"{world.Names.Family}: finished lifting freeze {lifted.Id}: root cause recorded in incident {incident.Id}", finished[0]);
        Assert.StartsWith("run run-", Assert.Single(finished[1..]), StringComparison.Ordinal);
        Assert.Equal(
            $"rewind: freeze {lifted.Id} was lifted with the root cause \"the recorded cause\": that one goes into {incident.Id}, not the --root-cause given now",
            Assert.Single(finish.ErrorLines));
        Assert.Equal(incident with { RootCause = "the recorded cause", RootCauseFrom = lifted.Id }, await world.Ledger.Incidents.GetIncidentAsync(incident.Id, Ct));
    }

    [Fact]
    public async Task On_again_after_a_crash_between_the_freeze_and_its_announcement_tells_releases_exactly_once()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "foncrash", Ct);
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok"));
        var hook = AnnounceCli.Variable("releases", slack.Url + "services/T/B/secret");
        var config = ReleasesConfig(world, hook);
        // The process died right after the ledger write: SSM and #releases were never told.
        var frozen = await world.Ledger.Freezes.FreezeAsync(world.Names.Family, "bad deploy of v4", null, "oncall@crashed", Ct);

        var dry = await RunAsync(["freeze", "on", "--reason", "bad deploy of v4", "--config", config, "--output", "json"]);
        Assert.True(dry.ExitCode == 0, dry.ToString());
        using (var preview = JsonDocument.Parse(dry.Stdout))
        {
            Assert.True(preview.RootElement.GetProperty("alreadyFrozen").GetBoolean());
            var message = Assert.Single(preview.RootElement.GetProperty("messages").EnumerateArray());
            Assert.Equal("slack:#releases", message.GetProperty("target").GetString());
        }
        Assert.Empty(slack.Requests);

        var finish = await RunAsync(["freeze", "on", "--reason", "bad deploy of v4", "--live", "--config", config]);

        Assert.True(finish.ExitCode == 0, finish.ToString());
        Assert.Contains($"rewind: slack:#releases never told of freeze {frozen.Id} (the command that made it stopped before announcing it): telling now", finish.ErrorLines);
        var told = Assert.Single(slack.Requests);
        Assert.Equal($"{frozen.Id}/notify/freeze-on/team/slack", told.Header("Idempotency-Key"));
        Assert.Contains("bad deploy of v4 (by oncall@crashed since", told.Body, StringComparison.Ordinal);

        var again = await RunAsync(["freeze", "on", "--reason", "bad deploy of v4", "--live", "--config", config]);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain(again.ErrorLines, line => line.Contains("never told", StringComparison.Ordinal));
        Assert.Single(slack.Requests);
    }

    [Fact]
    public async Task Off_again_after_a_crash_between_the_lift_and_its_announcement_tells_releases_exactly_once_and_a_route_added_later_gets_no_old_news()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "foffcrash", Ct);
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok"));
        await using var webhook = LoopbackStub.Start(new StubResponse(200, "ok"));
        var hook = AnnounceCli.Variable("releases", slack.Url + "services/T/B/secret");
        var config = ReleasesConfig(world, hook);
        using var aws = new AwsClients(ClientFactory.Session(emulator));
        var parameter = new FreezeParameter(aws.Ssm(), $"/rewind/{world.Names.Family}/freeze", world.Names.Family);
        var on = await RunAsync(["freeze", "on", "--reason", "bad deploy of v4", "--live", "--config", config]);
        Assert.True(on.ExitCode == 0, on.ToString());
        Assert.Single(slack.Requests);
        // The process died after the lift reached the ledger and SSM, before #releases was told.
        var lifted = await world.Ledger.Freezes.LiftAsync(world.Names.Family, "oncall@crashed", "the recorded cause", Ct);
        await parameter.PublishAsync(FreezeState.Of(lifted, world.Names.Family), Ct);

        var dry = await RunAsync(["freeze", "off", "--root-cause", "the recorded cause", "--config", config]);
        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Contains($"never heard that freeze {lifted.Id} was lifted: would tell them", dry.Stdout, StringComparison.Ordinal);
        Assert.Single(slack.Requests);

        var finish = await RunAsync(["freeze", "off", "--root-cause", "the recorded cause", "--live", "--config", config, "--output", "json"]);

        Assert.True(finish.ExitCode == 0, finish.ToString());
        using (var document = JsonDocument.Parse(finish.Stdout))
            Assert.True(Assert.Single(document.RootElement.GetProperty("messages").EnumerateArray()).GetProperty("delivered").GetBoolean());
        Assert.Equal(2, slack.Requests.Count);
        Assert.Equal($"{lifted.Id}/notify/freeze-off/team/slack", slack.Requests[1].Header("Idempotency-Key"));
        Assert.Contains("the recorded cause (lifted by oncall@crashed)", slack.Requests[1].Body, StringComparison.Ordinal);

        var third = await RunAsync(["freeze", "off", "--root-cause", "the recorded cause", "--live", "--config", config]);
        Assert.True(third.ExitCode == ExitCodes.BadInput, third.ToString());
        var webhookVariable = AnnounceCli.Variable("releaseshook", webhook.Url + "hook");
        var widened = ReleasesConfig(world, hook, $", webhook_env: {webhookVariable}");
        var later = await RunAsync(["freeze", "off", "--root-cause", "the recorded cause", "--live", "--config", widened]);
        Assert.True(later.ExitCode == ExitCodes.BadInput, later.ToString());
        Assert.Equal(2, slack.Requests.Count);
        Assert.Empty(webhook.Requests);
    }

    [Fact]
    public async Task Finishing_an_announcement_that_cannot_be_delivered_warns_and_says_nobody_was_told()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "fofffail", Ct);
        var unset = AnnounceCli.Variable("releasesunset", null);
        var config = ReleasesConfig(world, unset);
        await world.Ledger.Freezes.FreezeAsync(world.Names.Family, "bad deploy of v4", null, "oncall", Ct);
        var lifted = await world.Ledger.Freezes.LiftAsync(world.Names.Family, "oncall@crashed", "the recorded cause", Ct);

        var finish = await RunAsync(["freeze", "off", "--root-cause", "the recorded cause", "--live", "--config", config]);

        Assert.True(finish.ExitCode == 0, finish.ToString());
        Assert.Contains($"{world.Names.Family}: freeze {lifted.Id} was lifted; told nobody (see the warning)", finish.Stdout, StringComparison.Ordinal);
        Assert.Contains($"rewind: warning: slack:#releases was not told: environment variable {unset} is not set (send it again with 'rewind notify --retry --live')", finish.ErrorLines);
        var item = await world.Ledger.Outbox.GetOutboxItemAsync($"{lifted.Id}/notify/freeze-off/team/slack", Ct);
        Assert.Equal(OutboxStatus.Failed, item?.Status);
    }

    [Fact]
    public async Task Off_of_a_freeze_without_an_incident_says_there_is_nothing_to_copy_into_and_touches_no_incident()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "fnoinc", Ct);
        var config = AnnounceCli.Config(world);
        var unrelated = await OpenIncidentAsync(world);
        var on = await RunAsync(["freeze", "on", "--reason", "bad deploy of v4", "--live", "--config", config]);
        Assert.True(on.ExitCode == 0, on.ToString());
        var freeze = Assert.Single(await world.Ledger.Freezes.GetActiveFreezesAsync(world.Names.Family, Ct));

        var off = await RunAsync(["freeze", "off", "--root-cause", "v4 read a config key v3 never set", "--live", "--config", config]);
        var again = await RunAsync(["freeze", "off", "--root-cause", "v4 read a config key v3 never set", "--live", "--config", config]);

        Assert.True(off.ExitCode == 0, off.ToString());
        var lines = off.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"{world.Names.Family} unfrozen: {freeze.Id} lifted by ", lines[0], StringComparison.Ordinal);
        Assert.Equal($"freeze {freeze.Id} names no incident: the root cause stays with the freeze (nothing to copy it into)", lines[1]);
        Assert.Equal(unrelated, await world.Ledger.Incidents.GetIncidentAsync(unrelated.Id, Ct));
        Assert.True(again.ExitCode == ExitCodes.BadInput, again.ToString());
    }

    [Fact]
    public async Task Status_shows_the_ledgers_freeze_while_frozen_and_not_frozen_after()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "fstat", Ct);
        var config = AnnounceCli.Config(world);
        var incident = await OpenIncidentAsync(world);
        var before = await RunAsync(["status", "--config", config]);
        var on = await RunAsync(["freeze", "on", "--reason", "bad deploy of v4", "--incident", incident.Id, "--live", "--config", config]);
        Assert.True(on.ExitCode == 0, on.ToString());
        var freeze = Assert.Single(await world.Ledger.Freezes.GetActiveFreezesAsync(world.Names.Family, Ct));

        var json = await RunAsync(["status", "--config", config, "--output", "json"]);
        var text = await RunAsync(["status", "--config", config]);

        Assert.True(before.ExitCode == 0, before.ToString());
        Assert.Contains("\nfreeze: not frozen\n", before.Stdout, StringComparison.Ordinal);
        Assert.True(json.ExitCode == 0, json.ToString());
        using var document = JsonDocument.Parse(json.Stdout);
        var frozen = document.RootElement.GetProperty("freeze");
        Assert.True(frozen.GetProperty("frozen").GetBoolean());
        Assert.Equal(freeze.Id, frozen.GetProperty("id").GetString());
        Assert.Equal(world.Names.Family, frozen.GetProperty("scope").GetString());
        Assert.Equal("bad deploy of v4", frozen.GetProperty("reason").GetString());
        Assert.Equal(incident.Id, frozen.GetProperty("incident").GetString());
        Assert.Equal(freeze.FrozenBy, frozen.GetProperty("by").GetString());
        Assert.Equal(freeze.Since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), frozen.GetProperty("since").GetString());
        Assert.Contains(
            $"\nfreeze: frozen: bad deploy of v4 (freeze {freeze.Id}, incident {incident.Id}, by {freeze.FrozenBy}, since {freeze.Since.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z)\n",
            text.Stdout, StringComparison.Ordinal);
        await world.Ledger.Freezes.LiftAsync(world.Names.Family, "oncall", "cause", Ct);
        var after = await RunAsync(["status", "--config", config, "--output", "json"]);
        using var unfrozen = JsonDocument.Parse(after.Stdout);
        Assert.False(unfrozen.RootElement.GetProperty("freeze").GetProperty("frozen").GetBoolean());
        Assert.Equal(JsonValueKind.Null, unfrozen.RootElement.GetProperty("freeze").GetProperty("id").ValueKind);
    }

    /// <summary>A rewind.yaml whose notify.team is Slack #releases at the URL in <paramref name="hookVariable"/>, plus <paramref name="more"/> keys.</summary>
    private static string ReleasesConfig(PlaybookHarness world, string hookVariable, string more = "") =>
        AnnounceCli.Config(world, $"  team: {{ slack_webhook_env: {hookVariable}, channel: \"#releases\"{more} }}");

    private static Task<Incident> OpenIncidentAsync(PlaybookHarness world) =>
        world.Ledger.Incidents.OpenIncidentAsync(new IncidentDraft("5XX after v4", "SEV2", "alice", TimeSpan.FromHours(48), Service: world.Names.Family), Ct);

    /// <summary>Freezes with the incident and lifts with the root cause, both live; returns what <c>off</c> printed.</summary>
    private async Task<CliOutcome> FreezeAndLiftAsync(string config, string incidentId, string rootCause, params string[] offOptions)
    {
        var on = await RunAsync(["freeze", "on", "--reason", "another bad deploy", "--incident", incidentId, "--live", "--config", config]);
        Assert.True(on.ExitCode == 0, on.ToString());
        var off = await RunAsync(["freeze", "off", "--root-cause", rootCause, "--live", "--config", config, .. offOptions]);
        Assert.True(off.ExitCode == 0, off.ToString());
        return off;
    }

    private Task<CliOutcome> RunAsync(string[] args) => AnnounceCli.RunAsync(emulator, args, Ct);
}
