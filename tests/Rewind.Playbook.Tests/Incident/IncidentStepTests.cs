using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Incident;
using Rewind.Playbook.Tests.Fakes;
using Xunit;

namespace Rewind.Playbook.Tests.Incident;

/// <summary>The incident step: planned from its settings, executed from its plan, the incident and its ticket never made twice.</summary>
public sealed class IncidentStepTests : IDisposable
{
    private readonly ProcessRun _world = new();
    private readonly FakeTracker _tracker = new();
    private readonly string _drafts = Path.Combine(Path.GetTempPath(), $"rewind-drafts-{Guid.NewGuid():N}");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IncidentStep Step(bool planning = true) => new(
        _world.Ledger, _world.Ledger, _world.Ledger,
        planning ? new IncidentSettings("SEV2", null, "dana", "alice", TimeSpan.FromHours(48), _drafts) : null, [_tracker], time: _world.Clock);

    public void Dispose()
    {
        if (Directory.Exists(_drafts))
            Directory.Delete(_drafts, recursive: true);
    }

    [Fact]
    public async Task Given_on_call_configured_when_planned_then_the_plan_holds_the_incident_as_it_will_open()
    {
        var plan = (await _world.PlanAsync([Step()], Ct)).Steps[0].Read(IncidentJson.Default.IncidentPlan);

        Assert.Equal(new IncidentPlan("claude-proxy-api: incident", "SEV2", "dana", "incident.on_call", 172800, _drafts, null, ProcessRun.Service), plan);
    }

    [Fact]
    public async Task Given_a_tracker_when_executed_then_one_incident_and_one_ticket_are_made_and_the_evidence_is_typed()
    {
        var plan = await _world.PlanAsync([Step()], Ct);

        var outcome = await _world.StartAsync(plan, [Step(planning: false)], Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var opened = Assert.IsType<TicketOpened>(outcome.Steps[0].Result.Evidence);
        Assert.Equal(("INC-0001", "dana", true), (opened.Incident, opened.Owner, opened.Verified));
        Assert.Equal([new TicketLink("acme/api#T-1", "https://tracker.example/T-1")], opened.Tickets);
        Assert.Equal(opened.Opened.AddHours(48), opened.Due);
        Assert.True(File.Exists(opened.Draft));
        Assert.Equal((1, 1), (_world.Ledger.Created.Incidents, _tracker.Creates));
        Assert.Equal("INC-0001", (await _world.Ledger.GetRunAsync(outcome.RunId, Ct))!.IncidentId);
    }

    [Fact]
    public async Task Given_a_run_killed_after_the_tracker_created_the_ticket_when_resumed_then_neither_the_incident_nor_the_ticket_is_made_again()
    {
        _tracker.CrashAfterCreate = true;
        var plan = await _world.PlanAsync([Step()], Ct);
        var runId = await _world.StartKilledAsync(plan, [Step(planning: false)], _tracker.Kill.Token, Ct);

        var resumed = await _world.ResumeAsync(runId, [Step(planning: false)], Ct);

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal((1, 1), (_world.Ledger.Created.Incidents, _tracker.Creates));
        Assert.Equal("acme/api#T-1", Assert.Single(Assert.IsType<TicketOpened>(resumed.Steps[0].Result.Evidence).Tickets).Display);
    }

    [Fact]
    public async Task Given_a_tracker_that_refuses_when_executed_then_the_step_fails_and_the_outbox_records_why()
    {
        _tracker.Refuses = true;
        var plan = await _world.PlanAsync([Step()], Ct);

        var outcome = await _world.StartAsync(plan, [Step(planning: false)], Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal("github: 403 Forbidden", outcome.Steps[0].Result.Summary);
        var item = Assert.Single(await _world.Ledger.ListOutboxAsync(null, Ct));
        Assert.Equal((OutboxStatus.Failed, "github: 403 Forbidden"), (item.Status, item.LastError));
    }
}
