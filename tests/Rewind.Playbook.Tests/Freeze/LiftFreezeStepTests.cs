using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Freeze;
using Rewind.Playbook.Tests.Fakes;
using Xunit;

namespace Rewind.Playbook.Tests.Freeze;

/// <summary>
/// <c>rewind freeze off</c>'s step: planned from what the ledger, SSM and the outbox show, executed from its plan alone,
/// and resumed after any journaled call with one lift, one publish and no message twice.
/// </summary>
public sealed class LiftFreezeStepTests
{
    private const string RootCause = "v4 read a config key v3 never set";

    private readonly ProcessRun _world = new();
    private readonly FakeFreezeParameter _ssm = new();
    private readonly FakeWebhook _hooks = new();
    private readonly KillingFreezes _freezes;

    public LiftFreezeStepTests() => _freezes = new KillingFreezes(_world.Ledger);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<LiftFreezeFindings> FindAsync(string rootCause = RootCause) => LiftFreezeFindings.ReadAsync(
        _freezes, _world.Ledger, _ssm, _hooks.Outbox(_world.Ledger, _world.Clock), FakeWebhook.Routes, ProcessRun.Service, rootCause, "alice", _world.Clock.GetUtcNow(), Ct);

    private async Task<LiftFreezeStep> PlanningAsync(string rootCause = RootCause) =>
        new(_freezes, _world.Ledger, (_, _) => _ssm, _hooks.Outbox(_world.Ledger, _world.Clock), await FindAsync(rootCause));

    private LiftFreezeStep Executing() => new(_freezes, _world.Ledger, (_, _) => _ssm, _hooks.Outbox(_world.Ledger, _world.Clock));

    private async Task<(Core.Ledger.Freeze Freeze, Core.Ledger.Incident Incident)> FrozenWithIncidentAsync()
    {
        var incident = await _world.Ledger.OpenIncidentAsync(new IncidentDraft("5XX after v4", "SEV2", "alice", TimeSpan.FromHours(48), Service: ProcessRun.Service), Ct);
        var freeze = await _world.Ledger.FreezeAsync(ProcessRun.Service, "bad deploy of v4", incident.Id, "bob", Ct);
        _ssm.Published = FreezeState.Of(freeze, ProcessRun.Service);
        return (freeze, incident);
    }

    [Fact]
    public async Task Given_an_active_freeze_when_planned_then_the_plan_lifts_it_copies_the_root_cause_publishes_and_tells_each_route()
    {
        var (freeze, incident) = await FrozenWithIncidentAsync();

        var step = await (await PlanningAsync()).PlanAsync(new PlanningContext(ProcessRun.Service, null), Ct);

        Assert.False(step.NothingToDo);
        Assert.Equal(
            new LiftFreezePlan(ProcessRun.Service, _ssm.Name, freeze.Id, RootCause, "alice", Lift: true, CopyRootCause: true, null, FakeWebhook.Routes),
            step.Read(FreezeJson.Default.LiftFreezePlan) with { Announce = FakeWebhook.Routes });
        Assert.Equal(FakeWebhook.Routes, step.Read(FreezeJson.Default.LiftFreezePlan).Announce);
        Assert.Equal(
            [$"releases: frozen ({freeze.Id}: bad deploy of v4) → open, root cause: {RootCause}", $"incident {incident.Id}: root cause → {RootCause}",
                $"{_ssm.Name}: frozen=true → frozen=false", "team: slack:#releases: releases unfrozen", "support: webhook:$SUPPORT_HOOK: releases unfrozen"],
            step.Changes);
    }

    [Fact]
    public async Task Given_nothing_frozen_and_no_lift_left_unfinished_when_planned_then_there_is_nothing_to_do()
    {
        var step = await (await PlanningAsync()).PlanAsync(new PlanningContext(ProcessRun.Service, null), Ct);

        Assert.True(step.NothingToDo);
    }

    [Fact]
    public async Task Given_an_active_freeze_when_executed_then_it_is_lifted_once_its_incident_gets_the_root_cause_ssm_says_unfrozen_and_each_route_is_told()
    {
        var (freeze, incident) = await FrozenWithIncidentAsync();
        var plan = await _world.PlanAsync([await PlanningAsync()], Ct);

        var outcome = await _world.StartAsync(plan, [Executing()], Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var lifted = Assert.Single(await _world.Ledger.ListFreezesAsync(Ct));
        Assert.Equal((freeze.Id, false, "alice", RootCause), (lifted.Id, lifted.IsActive, lifted.LiftedBy, lifted.RootCause));
        Assert.Equal((RootCause, freeze.Id), ((await _world.Ledger.GetIncidentAsync(incident.Id, Ct))!.RootCause, (await _world.Ledger.GetIncidentAsync(incident.Id, Ct))!.RootCauseFrom));
        Assert.Equal((false, freeze.Id, RootCause), (_ssm.Published!.Frozen, _ssm.Published.FreezeId, _ssm.Published.RootCause));
        var evidence = Assert.IsType<FreezeLifted>(outcome.Steps[0].Result.Evidence);
        Assert.Equal(
            (freeze.Id, incident.Id, true, "alice", RootCause, "recorded", FreezeState.Of(lifted, ProcessRun.Service).ToJson(), (long?)1),
            (evidence.Freeze, evidence.Incident, evidence.LiftedNow, evidence.LiftedBy, evidence.RootCause, evidence.RootCauseCopy, evidence.Published, evidence.ParameterVersion));
        Assert.Equal([("slack:#releases", true), ("webhook:$SUPPORT_HOOK", true)], evidence.Announced.Select(a => (a.Target, a.Delivered)));
        Assert.Equal(
            ["LiftFreeze", "RecordRootCause", "PutParameter", $"Notify {freeze.Id}/notify/freeze-off/team/slack", $"Notify {freeze.Id}/notify/freeze-off/support/webhook"],
            await _world.CallsSentAsync(outcome.RunId, Ct));
    }

    [Theory]
    [InlineData("after-lift")]
    [InlineData("before-publish")]
    [InlineData("after-publish")]
    [InlineData("during-announce")]
    public async Task Given_a_lift_killed_at_a_journaled_call_when_resumed_then_there_is_one_lift_one_publish_one_copy_and_no_message_twice(string crash)
    {
        var (freeze, incident) = await FrozenWithIncidentAsync();
        var plan = await _world.PlanAsync([await PlanningAsync()], Ct);
        CancellationToken kill;
        switch (crash)
        {
            case "after-lift":
                _freezes.KillAfterLift = true;
                kill = _freezes.Kill.Token;
                break;
            case "before-publish":
                _ssm.CrashBeforePublish = true;
                kill = _ssm.Kill.Token;
                break;
            case "after-publish":
                _ssm.CrashAfterPublish = true;
                kill = _ssm.Kill.Token;
                break;
            default:
                _hooks.CrashOnRequest = 1; // Slack's request arrived; its answer never got back
                kill = _hooks.Kill.Token;
                break;
        }
        var runId = await _world.StartKilledAsync(plan, [Executing()], kill, Ct);

        var resumed = await _world.ResumeAsync(runId, [Executing()], Ct);

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal(1, _freezes.Lifts);
        var lifted = Assert.Single(await _world.Ledger.ListFreezesAsync(Ct));
        Assert.Equal((freeze.Id, RootCause), (lifted.Id, lifted.RootCause));
        Assert.Equal(1, _ssm.Publishes);
        Assert.Equal((false, freeze.Id), (_ssm.Published!.Frozen, _ssm.Published.FreezeId));
        Assert.Equal((RootCause, freeze.Id), ((await _world.Ledger.GetIncidentAsync(incident.Id, Ct))!.RootCause, (await _world.Ledger.GetIncidentAsync(incident.Id, Ct))!.RootCauseFrom));
        // Slack keeps no idempotency: never sent twice, even when its answer was lost. The webhook got one message.
        Assert.Equal(1, _hooks.Requests.Count(r => r.Url.EndsWith("/slack", StringComparison.Ordinal)));
        Assert.Equal(1, _hooks.Requests.Count(r => r.Url.EndsWith("/support", StringComparison.Ordinal)));
        var journal = await _world.JournalAsync(runId, Ct);
        Assert.Single(journal, e => e.Kind == JournalKind.CallSucceeded && e.Detail.Contains("\"call\":\"RecordRootCause\"", StringComparison.Ordinal));
        Assert.Equal("recorded", Assert.IsType<FreezeLifted>(resumed.Steps[0].Result.Evidence).RootCauseCopy);
    }

    [Fact]
    public async Task Given_a_lift_cut_short_before_ssm_and_the_incident_when_planned_and_executed_then_it_is_finished_without_lifting_again()
    {
        var (freeze, incident) = await FrozenWithIncidentAsync();
        // Another process lifted it and died before the incident and SSM were written.
        await _world.Ledger.LiftAsync(ProcessRun.Service, "oncall@crashed", "the recorded cause", Ct);
        var planning = await PlanningAsync("another wording");
        var plan = await _world.PlanAsync([planning], Ct);
        var planned = plan.Steps[0].Read(FreezeJson.Default.LiftFreezePlan);
        Assert.Equal((freeze.Id, false, true, false), (planned.Freeze, planned.Lift, planned.CopyRootCause, planned.Republish!.Frozen));

        var outcome = await _world.StartAsync(plan, [Executing()], Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(0, _freezes.Lifts);
        Assert.Equal(("the recorded cause", freeze.Id), ((await _world.Ledger.GetIncidentAsync(incident.Id, Ct))!.RootCause, (await _world.Ledger.GetIncidentAsync(incident.Id, Ct))!.RootCauseFrom));
        Assert.Equal((false, "oncall@crashed", 1), (_ssm.Published!.Frozen, _ssm.Published.LiftedBy, _ssm.Publishes));
        var evidence = Assert.IsType<FreezeLifted>(outcome.Steps[0].Result.Evidence);
        Assert.Equal((false, "the recorded cause", "recorded"), (evidence.LiftedNow, evidence.RootCause, evidence.RootCauseCopy));
        Assert.Equal(["RecordRootCause", "PutParameter", $"Notify {freeze.Id}/notify/freeze-off/team/slack", $"Notify {freeze.Id}/notify/freeze-off/support/webhook"],
            await _world.CallsSentAsync(outcome.RunId, Ct));
    }

    [Fact]
    public async Task Given_ssm_refusing_the_write_with_access_denied_when_executed_then_the_step_fails_keeping_the_bad_input_kind_and_the_aws_code()
    {
        await FrozenWithIncidentAsync();
        var plan = await _world.PlanAsync([await PlanningAsync()], Ct);
        _ssm.WriteFails = new Aws.Errors.AwsServiceException(
            Aws.AwsService.Ssm, "PutParameter", "AccessDeniedException", "not authorized to perform: ssm:PutParameter", 400, "req-1");

        var outcome = await _world.StartAsync(plan, [Executing()], Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        var failed = Assert.IsType<StepFailed>(outcome.Steps[0].Result.Evidence);
        Assert.Equal((Core.FailureKind.BadInput, "AccessDeniedException"), (failed.Kind, failed.AwsCode));
        Assert.Contains("AccessDeniedException", outcome.Steps[0].Result.Summary, StringComparison.Ordinal);
        // The lift reached the ledger before SSM refused: a resume (with the permission fixed) publishes it.
        Assert.False(Assert.Single(await _world.Ledger.ListFreezesAsync(Ct)).IsActive);
    }

    /// <summary>The ledger's freezes, counting lifts; <see cref="KillAfterLift"/> kills the run once the lift is stored, before it is journaled.</summary>
    private sealed class KillingFreezes(IFreezeStore inner) : IFreezeStore
    {
        public bool KillAfterLift { get; set; }

        public int Lifts { get; private set; }

        public CancellationTokenSource Kill { get; } = new();

        public Task<Core.Ledger.Freeze> FreezeAsync(string scope, string reason, string? incidentId, string frozenBy, CancellationToken cancellationToken) =>
            inner.FreezeAsync(scope, reason, incidentId, frozenBy, cancellationToken);

        public async Task<Core.Ledger.Freeze> LiftAsync(string scope, string liftedBy, string rootCause, CancellationToken cancellationToken)
        {
            var lifted = await inner.LiftAsync(scope, liftedBy, rootCause, cancellationToken);
            Lifts++;
            if (KillAfterLift)
            {
                KillAfterLift = false;
                await Kill.CancelAsync();
                throw new OperationCanceledException(Kill.Token);
            }
            return lifted;
        }

        public Task<IReadOnlyList<Core.Ledger.Freeze>> GetActiveFreezesAsync(string? service, CancellationToken cancellationToken) =>
            inner.GetActiveFreezesAsync(service, cancellationToken);

        public Task<IReadOnlyList<Core.Ledger.Freeze>> ListFreezesAsync(CancellationToken cancellationToken) => inner.ListFreezesAsync(cancellationToken);
    }
}
