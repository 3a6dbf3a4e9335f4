using System.Text.Json.Nodes;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Incident;
using Xunit;

namespace Rewind.Cli.Tests.Incident;

/// <summary>Owner, deadline and draft, on a fake clock.</summary>
public sealed class IncidentClockTests
{
    [Fact]
    public async Task Given_a_fake_clock_when_the_incident_opens_then_the_postmortem_is_due_exactly_48_hours_later()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await IncidentWorld.CreateAsync(ct);
        world.Clock.Advance(TimeSpan.FromTicks(1234567));

        var outcome = await world.RunAsync(world.Step(world.Config()), ct);

        var incident = (await world.Ledger.Incidents.GetIncidentAsync("INC-0001", ct))!;
        Assert.Equal(IncidentWorld.Start + TimeSpan.FromTicks(1234567), incident.OpenedAt);
        Assert.Equal(TimeSpan.FromHours(48), incident.PostmortemDue - incident.OpenedAt);
        var evidence = IncidentWorld.EvidenceOf(outcome);
        Assert.Equal("2026-11-27T09:15:00Z", Rewind.Playbook.Incident.PostmortemDraft.Time(evidence.Opened));
        Assert.Equal("2026-11-29T09:15:00Z", Rewind.Playbook.Incident.PostmortemDraft.Time(evidence.Due));
        Assert.Equal("ledger", IncidentWorld.TicketOf(evidence));
        Assert.Equal("none", (evidence.Tickets.Count == 0 ? "none" : evidence.Tickets[0].Link));
        Assert.Equal("false", (evidence.Verified ? "true" : "false"));
        var ics = await File.ReadAllTextAsync(Path.ChangeExtension(evidence.Draft!, ".ics"), ct);
        Assert.Contains("DTSTART:20261129T081500Z\r\n", ics, StringComparison.Ordinal);
        Assert.Contains("DTEND:20261129T091500Z\r\n", ics, StringComparison.Ordinal);
        Assert.Contains("UID:inc-0001-postmortem@rewind\r\n", ics, StringComparison.Ordinal);
        Assert.All(ics.Split("\r\n"), line => Assert.True(System.Text.Encoding.UTF8.GetByteCount(line) <= 75, line));
    }

    [Fact]
    public async Task Given_postmortem_due_configured_when_the_incident_opens_then_it_is_due_that_long_after()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await IncidentWorld.CreateAsync(ct);

        var outcome = await world.RunAsync(world.Step(world.Config("  postmortem_due: 24h\n")), ct);

        Assert.Equal("2026-11-28T09:15:00Z", Rewind.Playbook.Incident.PostmortemDraft.Time(IncidentWorld.EvidenceOf(outcome).Due));
    }

    [Theory]
    [InlineData("bob", "alice", "bob", "--owner")]
    [InlineData(null, "alice", "alice", "incident.on_call")]
    [InlineData(null, null, "operator-on-shift", "operator")]
    [InlineData("  ", null, "operator-on-shift", "operator")]
    public async Task Owner_is_the_flag_else_the_on_call_else_the_operator(string? flag, string? onCall, string expected, string from)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await IncidentWorld.CreateAsync(ct);
        var config = world.Config(onCall is null ? "" : $"  on_call: {onCall}\n");
        var settings = Cli.Playbook.PlaybookSteps.IncidentDefaults(config) with { Owner = flag, Operator = "operator-on-shift" };

        Assert.Equal((expected, from), settings.ResolveOwner());
        var outcome = await world.RunAsync(world.Step(config, settings), ct);
        Assert.Equal(expected, IncidentWorld.EvidenceOf(outcome).Owner);
        Assert.Equal(expected, (await world.Ledger.Incidents.GetIncidentAsync("INC-0001", ct))!.Owner);
    }

    [Fact]
    public async Task Given_an_earlier_rollback_run_when_the_incident_is_opened_about_it_then_the_draft_has_its_timeline_and_checklist()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await IncidentWorld.CreateAsync(ct);
        var target = new RollbackTarget("revision", "claude-proxy-api:41", "next lower ACTIVE revision", null, "arn:aws:ecs:us-east-1:1:task-definition/claude-proxy-api:41");
        var rollback = new RollbackPlan("api", target, IncidentWorld.Start, []);
        var runId = LedgerIds.NewRunId(IncidentWorld.Start);
        await world.Ledger.Runs.CreateRunAsync(new Run(runId, "api", IncidentWorld.Start, RunStatus.Succeeded, null, EngineJson.Serialize(rollback)), ct);
        var ecsEvidence = new JsonObject { ["deployment"] = "ecs-svc/42", ["taskDefinition"] = "claude-proxy-api:41", ["rolloutState"] = "COMPLETED", ["running"] = "2", ["desired"] = "2", ["deployments"] = "1" };
        await world.Ledger.Runs.AppendJournalAsync(runId, "ecs", JournalKind.Started, "{}", ct);
        await world.Ledger.Runs.AppendJournalAsync(runId, "ecs", JournalKind.CallSent, """{"call":"UpdateService"}""", ct);
        world.Clock.Advance(TimeSpan.FromSeconds(40));
        await world.Ledger.Runs.AppendJournalAsync(runId, "ecs", JournalKind.Completed,
            new JsonObject { ["status"] = "Succeeded", ["summary"] = "api runs claude-proxy-api:41", ["evidence"] = ecsEvidence }.ToJsonString(), ct);
        var config = world.Config();

        var outcome = await world.RunAsync(world.Step(config, Cli.Playbook.PlaybookSteps.IncidentDefaults(config) with { AboutRun = runId, Operator = "op" }), ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal("INC-0001", (await world.Ledger.Runs.GetRunAsync(runId, ct))!.IncidentId);
        var draft = await File.ReadAllTextAsync(IncidentWorld.EvidenceOf(outcome).Draft!, ct);
        Assert.StartsWith("# Postmortem INC-0001: api: incident\n", draft, StringComparison.Ordinal);
        foreach (var section in new[] { "## Summary", "## Impact", "## Timeline", "## Mitigation", "## Rollback checklist", "## Action items", "## Lessons learned", "## References" })
            Assert.Contains($"\n{section}", draft, StringComparison.Ordinal);
        Assert.Contains("| Postmortem due | 2026-11-29T09:15:40Z |", draft, StringComparison.Ordinal);
        Assert.Contains("| Rolled back to | claude-proxy-api:41 (next lower ACTIVE revision) |", draft, StringComparison.Ordinal);
        Assert.Contains("| 2026-11-27T09:15:00Z | ecs | call sent | UpdateService |", draft, StringComparison.Ordinal);
        Assert.Contains("| 2026-11-27T09:15:40Z | ecs | completed | api runs claude-proxy-api:41 |", draft, StringComparison.Ordinal);
        Assert.Contains("- [x] Service reverted to stable version. Evidence: deployment ecs-svc/42, taskDefinition claude-proxy-api:41, rolloutState COMPLETED, running 2, desired 2, deployments 1, target arn:aws:ecs:us-east-1:1:task-definition/claude-proxy-api:41\n", draft, StringComparison.Ordinal);
        Assert.Contains("- [ ] Smoke tests passing. Missing:", draft, StringComparison.Ordinal);
        Assert.Contains("- [ ] Error rates normalized. Missing:", draft, StringComparison.Ordinal);
        Assert.Contains("- [ ] Postmortem ticket created. Missing: no link to the ticket in a tracker; the ticket was not read back from the tracker after it was created (verified is not true)", draft, StringComparison.Ordinal);
        Assert.Contains("- [ ] Team notified. Missing:", draft, StringComparison.Ordinal);
        Assert.Contains($"- Run {runId}: `rewind report {runId}`", draft, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_checklist_lines_when_rendered_then_the_draft_shows_them_as_given()
    {
        var incident = new Core.Ledger.Incident("INC-0009", "t", "SEV1", "alice", IncidentWorld.Start, IncidentWorld.Start.AddHours(48), null, IncidentStatus.Open, "api");

        ChecklistItem[] checklist =
        [
            new("smoke-tests-passing", "Smoke tests passing", true, new Dictionary<string, string> { ["passed"] = "3", ["failed"] = "0" }, "journal entry 9", null, null),
            new("team-notified", "Team notified", false, new Dictionary<string, string>(), null, "the notify step was not reached", "rewind notify --to team --message TEXT --live"),
        ];

        var draft = PostmortemDraft.Render(new PostmortemInput(incident, null, null, [], checklist, [], null));

        Assert.Contains("- [x] Smoke tests passing. Evidence: passed 3, failed 0\n", draft, StringComparison.Ordinal);
        Assert.Contains("- [ ] Team notified. Missing: the notify step was not reached (`rewind notify --to team --message TEXT --live`)\n", draft, StringComparison.Ordinal);
        Assert.Contains("_No journal: this incident was opened without a run.", draft, StringComparison.Ordinal);
        Assert.DoesNotContain("| Root cause |", draft, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_an_incident_with_a_root_cause_when_rendered_then_the_summary_shows_it_and_its_freeze()
    {
        var incident = new Core.Ledger.Incident(
            "INC-0009", "t", "SEV1", "alice", IncidentWorld.Start, IncidentWorld.Start.AddHours(48), null, IncidentStatus.Open, "api",
            "v4 read a config key | v3 never set", "frz-20261127-091500-ab12");

        var draft = PostmortemDraft.Render(new PostmortemInput(incident, null, null, [], [], [], null));

        Assert.Contains("| Service | api |\n| Root cause | v4 read a config key \\| v3 never set (recorded when freeze frz-20261127-091500-ab12 was lifted) |\n", draft, StringComparison.Ordinal);
    }
}
