using System.Text.Json.Nodes;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Canary;
using Rewind.Playbook.Cdn;
using Rewind.Playbook.Ecs;
using Rewind.Playbook.Notify;
using Rewind.Playbook.Secrets;
using Rewind.Playbook.Tests.Fakes;
using Rewind.Playbook.Undo;
using Xunit;

namespace Rewind.Playbook.Tests.Undo;

/// <summary>
/// The undo's plan, inverted from a rollback's stored plan and journal per step kind, checked against live state, and
/// executed: every layer back on what the rollback replaced; the refusals; the steps it leaves out; its announcement.
/// </summary>
public sealed class UndoInverterTests
{
    private readonly UndoWorld _world = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_a_rollback_of_every_layer_when_inverted_then_each_step_swaps_its_target_and_previous_value()
    {
        var rollback = await _world.RollBackAsync();

        var draft = await _world.InvertAsync(rollback);

        Assert.Equal(["canary", "secrets", "ecs"], draft.Steps.Select(s => s.Step));
        var canary = CanaryStep.Read(draft.Steps[0]);
        Assert.Equal((new Weights(90, 10), new Weights(100, 0)), (canary.Wanted, canary.Previous));
        Assert.Equal([new SecretMove(UndoWorld.ApiKey, "v-bad")], SecretsStep.Read(draft.Steps[1]).Secrets);
        var ecs = EcsStep.Read(draft.Steps[2]);
        Assert.Equal((FakeEcs.TaskDefinition(4), FakeEcs.TaskDefinition(2), RollbackPath.UpdateService), (ecs.TargetTaskDefinition, ecs.PreviousTaskDefinition, ecs.Path));
        Assert.Equal(("undo", FakeEcs.TaskDefinition(4), $"undo of {rollback.Id}"), (draft.Target!.Kind, draft.Target.TaskDefinitionArn, draft.Target.Reason));
        Assert.Equal([$"service prod/{UndoWorld.Service}: {UndoWorld.Service}:2 → {UndoWorld.Service}:4"], draft.Steps[2].Changes);
        Assert.All(draft.Steps, s => Assert.False(s.NothingToDo));
        Assert.Empty(draft.Notes);
    }

    [Fact]
    public async Task Given_a_rollback_when_undone_and_the_undo_undone_then_every_layer_goes_back_and_forth_through_the_executor()
    {
        var rollback = await _world.RollBackAsync();

        var undo = await _world.UndoAsync(rollback);

        Assert.Equal(FakeEcs.TaskDefinition(4), _world.Running);
        Assert.Equal(new Weights(90, 10), await _world.WeightsAsync());
        Assert.Equal("v-bad", _world.Secrets.Current(UndoWorld.ApiKey));
        Assert.Equal(rollback.Id, EngineJson.DeserializePlan(undo.PlanJson).Undoes);

        // An undo of the undo is a rollback again, by the same rule.
        await _world.UndoAsync(undo);

        Assert.Equal(FakeEcs.TaskDefinition(2), _world.Running);
        Assert.Equal(new Weights(100, 0), await _world.WeightsAsync());
        Assert.Equal("v-good", _world.Secrets.Current(UndoWorld.ApiKey));
        Assert.Equal(3, _world.Ecs.UpdateCount);
        Assert.Equal(3, _world.Secrets.MoveCount);
    }

    [Theory]
    [InlineData(RunStatus.Running, "unfinished (running)")]
    [InlineData(RunStatus.Cancelled, "unfinished (cancelled)")]
    public async Task Given_an_unfinished_run_when_inverted_then_it_is_refused_as_bad_input(RunStatus status, string said)
    {
        var rollback = await _world.RollBackAsync();

        var refused = await Assert.ThrowsAsync<RewindException>(() => _world.InvertAsync(rollback with { Status = status }));

        Assert.Equal(FailureKind.BadInput, refused.Kind);
        Assert.Contains($"run {rollback.Id} is {said}", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"rewind resume {rollback.Id}", refused.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_run_that_sent_no_change_when_inverted_then_it_is_refused_as_nothing_to_undo()
    {
        _world.Elb.WithListener(UndoWorld.Listener, FakeElb.Forward(UndoWorld.Main, UndoWorld.Canary, 100, 0));
        _world.Secrets.WithSecret(UndoWorld.ApiKey, previous: "v-bad", current: "v-good");
        _world.Ecs.WithService(UndoWorld.Cluster, UndoWorld.Service, 2);
        var nothing = await RollBackIgnoringHistoryAsync();

        var refused = await Assert.ThrowsAsync<RewindException>(() => _world.InvertAsync(nothing));

        Assert.Equal(FailureKind.BadInput, refused.Kind);
        Assert.Contains("changed nothing an undo can restore", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_failed_run_that_changed_only_the_traffic_when_inverted_then_only_the_traffic_is_undone()
    {
        var steps = _world.RollbackSteps();
        var target = new RollbackTarget("revision", "claude-proxy-api:2", "pinned", null, FakeEcs.TaskDefinition(2));
        var plan = await new RollbackPlanner(steps, _world.Clock).PlanAsync(UndoWorld.Service, target, StepSelection.All, Ct);
        _world.Secrets.IgnoreMoves = true; // the secret step fails: its read-back is not the target, so the ecs step never runs
        var outcome = await _world.StartAsync(steps, plan);
        Assert.Equal(RunStatus.Failed, outcome.Status);
        _world.Secrets.IgnoreMoves = false;
        var failed = (await _world.Ledger.GetRunAsync(outcome.RunId, Ct))!;

        var draft = await _world.InvertAsync(failed);

        // The secret move was sent (it may have landed): its undo is planned, and the live check decides.
        Assert.Equal(["canary", "secrets"], draft.Steps.Select(s => s.Step));
        Assert.Null(draft.Target);
        var checkedSteps = await _world.CheckedAsync(failed);
        Assert.True(checkedSteps.Single(s => s.Step == "secrets").NothingToDo);
        Assert.False(checkedSteps.Single(s => s.Step == "canary").NothingToDo);
    }

    [Fact]
    public async Task Given_a_deploy_after_the_rollback_when_checked_then_the_undo_is_refused_naming_both_revisions()
    {
        var rollback = await _world.RollBackAsync();
        _world.Ecs.WithService(UndoWorld.Cluster, UndoWorld.Service, 7);

        var refused = await Assert.ThrowsAsync<RewindException>(() => _world.CheckedAsync(rollback));

        Assert.Equal(FailureKind.BadInput, refused.Kind);
        Assert.Equal($"{UndoWorld.Service} now runs {UndoWorld.Service}:7, not {UndoWorld.Service}:2 that {rollback.Id} left; undo would overwrite it", refused.Message);
        Assert.StartsWith("nothing was changed", refused.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_weights_moved_after_the_rollback_when_checked_then_the_undo_is_refused_naming_the_weights()
    {
        var rollback = await _world.RollBackAsync();
        _world.Elb.WithListener(UndoWorld.Listener, FakeElb.Forward(UndoWorld.Main, UndoWorld.Canary, 50, 50));

        var refused = await Assert.ThrowsAsync<RewindException>(() => _world.CheckedAsync(rollback));

        Assert.Equal($"the listener's weights are main 50 / canary 50, not 100/0 that {rollback.Id} left; undo would overwrite them", refused.Message);
    }

    [Fact]
    public async Task Given_AWSCURRENT_moved_after_the_rollback_when_checked_then_the_undo_is_refused_naming_the_version()
    {
        var rollback = await _world.RollBackAsync();
        _world.Secrets.WithSecret(UndoWorld.ApiKey, previous: "v-good", current: "v-third");

        var refused = await Assert.ThrowsAsync<RewindException>(() => _world.CheckedAsync(rollback));

        Assert.Equal($"secret {UndoWorld.ApiKey}: AWSCURRENT is now on v-third, not v-good that {rollback.Id} left; undo would overwrite it", refused.Message);
    }

    [Fact]
    public async Task Given_layers_already_back_on_what_the_rollback_replaced_when_checked_then_those_steps_have_nothing_to_do()
    {
        var rollback = await _world.RollBackAsync();
        _world.Ecs.WithService(UndoWorld.Cluster, UndoWorld.Service, 4);
        _world.Elb.WithListener(UndoWorld.Listener, FakeElb.Forward(UndoWorld.Main, UndoWorld.Canary, 90, 10));

        var steps = await _world.CheckedAsync(rollback);

        Assert.True(steps.Single(s => s.Step == "ecs").NothingToDo);
        Assert.True(steps.Single(s => s.Step == "canary").NothingToDo);
        Assert.False(steps.Single(s => s.Step == "secrets").NothingToDo);
    }

    [Fact]
    public async Task Given_a_rollback_with_the_edge_the_checks_and_the_process_steps_when_inverted_then_the_edge_and_checks_run_again_and_the_rest_is_said()
    {
        var rollback = await _world.RollBackAsync();
        var stored = EngineJson.DeserializePlan(rollback.PlanJson);
        var cdn = StepPlan.Of("cdn", StepStage.Edge, "invalidate /*", ["/*"], false, 5, 60, new CdnPlan("E123", ["/*"]), CdnJson.Default.CdnPlan);
        var smoke = stored.Steps[0] with { Step = "smoke", Stage = StepStage.Verification, Summary = "2 smoke checks" };
        var incident = stored.Steps[0] with { Step = "incident", Stage = StepStage.Process };
        var freeze = stored.Steps[0] with { Step = "freeze", Stage = StepStage.Announce };
        var withAll = stored with { Steps = [.. stored.Steps, cdn, smoke, incident, freeze] };
        var journal = (await _world.Ledger.ReadJournalAsync(rollback.Id, Ct)).Append(Sent("cdn", "CreateInvalidation")).ToList();

        var draft = UndoInverter.Invert(rollback, withAll, journal);

        Assert.Equal(["canary", "secrets", "ecs", "cdn", "smoke"], draft.Steps.Select(s => s.Step));
        Assert.Contains("again", draft.Steps[3].Summary, StringComparison.Ordinal);
        Assert.StartsWith("again, as a check after the undo: 2 smoke checks", draft.Steps[4].Summary, StringComparison.Ordinal);
        Assert.Equal(2, draft.Notes.Count);
        Assert.StartsWith("incident: not reopened", draft.Notes[0], StringComparison.Ordinal);
        Assert.StartsWith("freeze: not set again, nor lifted", draft.Notes[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_an_undo_when_announced_then_the_message_says_undo_of_the_run_and_what_each_layer_returns_to()
    {
        var rollback = await _world.RollBackAsync();
        var steps = await _world.CheckedAsync(rollback);

        var text = UndoAnnouncement.Text(rollback.Id, UndoWorld.Service, steps, "false alarm");

        Assert.Equal(
            $"undo of {rollback.Id}: {UndoWorld.Service} goes back to what {rollback.Id} replaced: {UndoWorld.Service}:4, weights main 90 / canary 10, AWSCURRENT of 1 secret(s) (false alarm)",
            text);
    }

    [Fact]
    public async Task Given_a_rollback_that_told_team_and_customers_when_the_undo_is_announced_then_customers_are_left_out()
    {
        var rollback = await _world.RollBackAsync();
        var routes = new[]
        {
            new NotifyRoute(Audiences.Team, NotifyRoute.Slack, "TEAM_HOOK", "#releases"),
            new NotifyRoute(Audiences.Customers, NotifyRoute.Webhook, "STATUS_HOOK", null),
        };
        var notify = StepPlan.Of(RunFacts.Step, StepStage.Announce, "tell", [], false, 1, 120,
            new NotifyPlan(NotificationKinds.Finished, UndoWorld.Service, null, null, null, routes), NotifyJson.Default.NotifyPlan);
        var stored = EngineJson.DeserializePlan(rollback.PlanJson);

        var told = UndoAnnouncement.Routes(stored with { Steps = [.. stored.Steps, notify] }, []);
        var fallback = UndoAnnouncement.Routes(stored, [routes[0]]);

        Assert.Equal([routes[0]], told);
        Assert.Equal([routes[0]], fallback);
        Assert.Null(UndoAnnouncement.Plan(rollback.Id, UndoWorld.Service, [], [], null));
    }

    [Fact]
    public async Task Given_an_undone_rollback_when_a_new_rollback_plans_the_secret_then_the_undone_runs_move_no_longer_blocks_AWSPREVIOUS()
    {
        var rollback = await _world.RollBackAsync();
        var history = new SecretRollbackHistory(_world.Ledger);
        Assert.Equal(rollback.Id, (await history.MovedAwayFromAsync(UndoWorld.Service, UndoWorld.ApiKey, Ct))["v-bad"]);

        var undo = await _world.UndoAsync(rollback);

        // The undo declared v-bad good again, and its own move off v-good is deliberate: nothing is blocked.
        Assert.Empty(await history.MovedAwayFromAsync(UndoWorld.Service, UndoWorld.ApiKey, Ct));

        await _world.UndoAsync(undo);

        // Undoing the undo makes the rollback's move count again.
        Assert.Equal(rollback.Id, (await history.MovedAwayFromAsync(UndoWorld.Service, UndoWorld.ApiKey, Ct))["v-bad"]);
    }

    /// <summary>A rollback whose secret step ignores the history (AWSPREVIOUS is the version an earlier test setup left).</summary>
    private async Task<Run> RollBackIgnoringHistoryAsync()
    {
        IReadOnlyList<IStep> steps = [.. _world.RollbackSteps().Select(s => s is SecretsStep ? new SecretsStep(_world.Secrets, [UndoWorld.ApiKey]) : s)];
        var target = new RollbackTarget("revision", "claude-proxy-api:2", "pinned", null, FakeEcs.TaskDefinition(2))
        {
            Snapshot = new Dictionary<string, string> { ["secret:" + UndoWorld.ApiKey] = "v-good" },
        };
        var plan = await new RollbackPlanner(steps, _world.Clock).PlanAsync(UndoWorld.Service, target, StepSelection.All, Ct);
        var outcome = await _world.StartAsync(steps, plan);
        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        return (await _world.Ledger.GetRunAsync(outcome.RunId, Ct))!;
    }

    private static JournalEntry Sent(string step, string call) =>
        new("run", 999, DateTimeOffset.UnixEpoch, step, JournalKind.CallSent, new JsonObject { ["call"] = call }.ToJsonString(), "", "");
}
