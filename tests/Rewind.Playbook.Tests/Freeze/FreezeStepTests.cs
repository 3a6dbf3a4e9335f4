using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Freeze;
using Rewind.Playbook.Notify;
using Rewind.Playbook.Tests.Fakes;
using Xunit;

namespace Rewind.Playbook.Tests.Freeze;

/// <summary>The freeze step: planned from the configuration, executed from its plan alone, never frozen or published twice.</summary>
public sealed class FreezeStepTests
{
    private readonly ProcessRun _world = new();
    private readonly FakeFreezeParameter _ssm = new();
    private readonly FakeWebhook _hooks = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private FreezeStep Planning(FreezePlanning? planning = null) =>
        new(_world.Ledger, (_, _) => _ssm, _hooks.Outbox(_world.Ledger, _world.Clock), planning ?? new FreezePlanning(_ssm, FakeWebhook.Routes));

    private FreezeStep Executing() => FreezeStep.ForExecution(_world.Ledger, (_, _) => _ssm, _hooks.Outbox(_world.Ledger, _world.Clock));

    [Fact]
    public async Task Given_nothing_frozen_when_planned_then_the_plan_names_the_service_parameter_reason_and_routes_and_reads_back_as_a_freeze_plan()
    {
        var step = await Planning().PlanAsync(new PlanningContext(ProcessRun.Service, null), Ct);

        var plan = step.Read(FreezeJson.Default.FreezePlan);
        Assert.Equal(new FreezePlan(ProcessRun.Service, _ssm.Name, "rolled back to the previous release; no new deployments until the root cause is identified", FakeWebhook.Routes),
            plan with { Announce = FakeWebhook.Routes });
        Assert.Equal(FakeWebhook.Routes, plan.Announce);
        Assert.False(step.NothingToDo);
        Assert.Equal(["releases: open → frozen (rolled back to the previous release; no new deployments until the root cause is identified)",
            "/rewind/claude-proxy-api/freeze: absent → frozen=true", "team: slack:#releases: releases frozen", "support: webhook:$SUPPORT_HOOK: releases frozen"], step.Changes);
        Assert.Equal(["incident"], Planning().Needs);
    }

    [Fact]
    public async Task Given_a_run_with_an_incident_when_executed_then_it_freezes_once_with_the_incidents_id_publishes_once_and_tells_each_route()
    {
        IStep[] steps = [new ProcessRun.IncidentStub(), Planning()];
        var plan = await _world.PlanAsync(steps, Ct);

        var outcome = await _world.StartAsync(plan, [new ProcessRun.IncidentStub(), Executing()], Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var frozen = Assert.IsType<ReleasesFrozen>(outcome.Steps.Single(s => s.Step.Step == "freeze").Result.Evidence);
        var freeze = Assert.Single(await _world.Ledger.ListFreezesAsync(Ct));
        Assert.Equal(("INC-0042", $"rewind run {outcome.RunId}"), (freeze.IncidentId, freeze.FrozenBy));
        Assert.Equal((freeze.Id, _ssm.Name, "INC-0042", freeze.Since, 1L), (frozen.Freeze, frozen.Parameter, frozen.Incident, frozen.Since, frozen.ParameterVersion));
        Assert.Equal([("team", "slack:#releases", true), ("support", "webhook:$SUPPORT_HOOK", true)], frozen.Announced.Select(a => (a.Audience, a.Target, a.Delivered)));
        Assert.Equal((true, freeze.Id), (_ssm.Published!.Frozen, _ssm.Published.FreezeId));
        Assert.Equal(1, _ssm.Publishes);
        Assert.Equal(2, _hooks.Requests.Count);
        Assert.Equal(["Freeze", "PutParameter", $"Notify {freeze.Id}/notify/freeze-on/team/slack", $"Notify {freeze.Id}/notify/freeze-on/support/webhook"],
            await _world.CallsSentAsync(outcome.RunId, Ct));
    }

    [Fact]
    public async Task Given_an_operators_freeze_already_in_force_and_published_when_executed_then_it_is_kept_neither_published_nor_announced()
    {
        var theirs = await _world.Ledger.FreezeAsync(ProcessRun.Service, "release train stopped", null, "bob", Ct);
        _ssm.Published = FreezeState.Of(theirs, ProcessRun.Service);
        var plan = await _world.PlanAsync([Planning()], Ct);
        Assert.True(plan.Steps[0].NothingToDo);

        var outcome = await _world.StartAsync(plan, [Executing()], Ct);

        var kept = Assert.IsType<ReleasesFrozen>(outcome.Steps[0].Result.Evidence);
        Assert.Equal((theirs.Id, "bob", (long?)null), (kept.Freeze, kept.FrozenBy, kept.ParameterVersion));
        Assert.Empty(kept.Announced);
        Assert.Equal((0, 0), (_ssm.Publishes, _hooks.Requests.Count));
        Assert.Empty(await _world.CallsSentAsync(outcome.RunId, Ct));
        Assert.StartsWith("claude-proxy-api already frozen by bob, kept;", outcome.Steps[0].Result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_ssm_that_does_not_keep_the_write_when_executed_then_the_step_fails_saying_pipelines_would_not_see_the_freeze()
    {
        _ssm.IgnoresWrites = true;
        var plan = await _world.PlanAsync([Planning()], Ct);

        var outcome = await _world.StartAsync(plan, [Executing()], Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        var result = outcome.Steps[0].Result;
        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Contains("does not read back frozen", result.Summary, StringComparison.Ordinal);
        Assert.Empty(Assert.IsType<ReleasesFrozen>(result.Evidence).Announced);
        Assert.Empty(_hooks.Requests);
    }

    [Theory]
    [InlineData("before-publish")]
    [InlineData("after-publish")]
    [InlineData("during-announce")]
    public async Task Given_a_run_killed_at_a_journaled_call_when_resumed_then_there_is_one_freeze_one_publish_and_no_message_twice(string crash)
    {
        var plan = await _world.PlanAsync([new ProcessRun.IncidentStub(), Planning()], Ct);
        CancellationToken kill;
        switch (crash)
        {
            case "before-publish":
                _ssm.CrashBeforePublish = true;
                kill = _ssm.Kill.Token;
                break;
            case "after-publish":
                _ssm.CrashAfterPublish = true;
                kill = _ssm.Kill.Token;
                break;
            default:
                _hooks.CrashOnRequest = 2; // the webhook route's request arrived; its answer never got back
                kill = _hooks.Kill.Token;
                break;
        }
        var runId = await _world.StartKilledAsync(plan, [new ProcessRun.IncidentStub(), Executing()], kill, Ct);

        var resumed = await _world.ResumeAsync(runId, [new ProcessRun.IncidentStub(), Executing()], Ct);

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal(1, _world.Ledger.Created.Freezes);
        // Killed before the write: published by the resume; killed after it: read back frozen, not written again.
        Assert.Equal(1, _ssm.Publishes);
        var slack = _hooks.Requests.Count(r => r.Url.EndsWith("/slack", StringComparison.Ordinal));
        var support = _hooks.Requests.Count(r => r.Url.EndsWith("/support", StringComparison.Ordinal));
        // The webhook drops repeats (same Idempotency-Key): sent again after the crash; Slack never twice.
        Assert.Equal((1, crash == "during-announce" ? 2 : 1), (slack, support));
        Assert.Single(_hooks.Requests.Where(r => r.Url.EndsWith("/support", StringComparison.Ordinal)).Select(r => r.Key).Distinct());
        var freeze = Assert.Single(await _world.Ledger.ListFreezesAsync(Ct));
        Assert.Equal("INC-0042", freeze.IncidentId);
    }

    [Fact]
    public async Task Given_a_plan_stored_by_418e7ad_when_resumed_then_it_freezes_the_planned_service_with_its_reason_and_tells_nobody()
    {
        var stored = """
            {"service":"claude-proxy-api","target":null,"createdAt":"2026-12-03T09:00:00+00:00","steps":[
              {"step":"freeze","stage":"Announce","summary":"freeze releases","changes":[],"nothingToDo":false,"expectedSeconds":1,"deadlineSeconds":60,
               "parameters":{"service":"claude-proxy-api","parameter":"/rewind/claude-proxy-api/freeze","reason":"rolled back to 1.4.2"}}]}
            """;
        var plan = EngineJson.DeserializePlan(stored);
        Assert.Equal(1, plan.SchemaVersion);
        var run = new Run("run-20261203T090000Z-0001", ProcessRun.Service, ProcessRun.Epoch, RunStatus.Failed, null, stored);
        await _world.Ledger.CreateRunAsync(run, Ct);

        var outcome = await _world.ResumeAsync(run.Id, [Executing()], Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var freeze = Assert.Single(await _world.Ledger.ListFreezesAsync(Ct));
        Assert.Equal(("rolled back to 1.4.2", (string?)null), (freeze.Reason, freeze.IncidentId));
        Assert.Empty(Assert.IsType<ReleasesFrozen>(outcome.Steps[0].Result.Evidence).Announced);
        Assert.Empty(_hooks.Requests);
    }
}
