using System.Net;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Notify;
using Rewind.Playbook.Tests.Fakes;
using Xunit;

namespace Rewind.Playbook.Tests.Notify;

/// <summary>The notify step executes its plan's routes alone, names the incident it needs, and never sends a message twice.</summary>
public sealed class NotifyStepTests
{
    private readonly ProcessRun _world = new();
    private readonly FakeWebhook _hooks = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private NotifyStep Executing(bool resendUnconfirmed = false) =>
        NotifyStep.ForExecution(_world.Ledger, _hooks.Outbox(_world.Ledger, _world.Clock, resendUnconfirmed));

    private static RollbackPlan Finished(params StepPlan[] before) => new(ProcessRun.Service, null, ProcessRun.Epoch,
    [
        .. before,
        StepPlan.Of("notify", StepStage.Announce, "tell team, support", [], false, 1, 120,
            new NotifyPlan(NotificationKinds.Finished, ProcessRun.Service, "claude-proxy-api:42", "release 1.4.2", null, FakeWebhook.Routes), NotifyJson.Default.NotifyPlan),
    ]);

    private static StepPlan IncidentPlan => new("incident", StepStage.Process, "open an incident", [], false, 1, 60, new System.Text.Json.Nodes.JsonObject());

    [Fact]
    public async Task Given_an_operators_message_plan_when_executed_then_each_route_gets_it_once_and_the_evidence_lists_each_delivery()
    {
        var plan = new RollbackPlan(ProcessRun.Service, null, ProcessRun.Epoch, [NotifyStep.MessagePlan(ProcessRun.Service, "db is back", ["team", "support"], FakeWebhook.Routes)]);

        var outcome = await _world.StartAsync(plan, [Executing()], Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var told = Assert.IsType<TeamNotified>(outcome.Steps[0].Result.Evidence);
        Assert.Equal((2, 0), (told.Delivered, told.Failed));
        Assert.Equal(
            [("team", "slack:#releases", "200", true, $"{outcome.RunId}/notify/message/team/slack"), ("support", "webhook:$SUPPORT_HOOK", "200", true, $"{outcome.RunId}/notify/message/support/webhook")],
            told.Audiences.Select(a => (a.Audience, a.Target, a.Status, a.Delivered, a.Key)));
        Assert.Equal(2, _hooks.Requests.Count);
        Assert.All(_hooks.Requests, r => Assert.Contains("db is back", r.Body, StringComparison.Ordinal));
        Assert.Equal([$"Notify RUN/notify/message/team/slack", $"Notify RUN/notify/message/support/webhook"], await _world.CallsSentAsync(outcome.RunId, Ct));
    }

    [Fact]
    public async Task Given_a_rollback_with_an_incident_when_notify_runs_then_finished_names_the_incident_from_the_incident_steps_evidence()
    {
        var outcome = await _world.StartAsync(Finished(IncidentPlan), [new ProcessRun.IncidentStub("INC-0042"), Executing()], Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.All(_hooks.Requests, r => Assert.Contains("INC-0042", r.Body, StringComparison.Ordinal));
        Assert.Equal(["incident"], Executing().Needs);
    }

    [Fact]
    public async Task Given_receivers_that_answer_500_when_notify_runs_then_the_step_still_succeeds_and_the_evidence_holds_each_failure()
    {
        _hooks.Status = HttpStatusCode.InternalServerError;

        var outcome = await _world.StartAsync(Finished(), [Executing()], Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var told = Assert.IsType<TeamNotified>(outcome.Steps[0].Result.Evidence);
        Assert.Equal((0, 2), (told.Delivered, told.Failed));
        Assert.All(told.Audiences, a => Assert.Equal(("500", false), (a.Status, a.Delivered)));
        Assert.StartsWith("HTTP 500", told.Audiences[0].Error, StringComparison.Ordinal);
        Assert.Contains("retry with 'rewind notify --retry --live'", outcome.Steps[0].Result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_plan_with_no_route_when_executed_then_nothing_is_sent_and_the_evidence_says_nobody()
    {
        var plan = new RollbackPlan(ProcessRun.Service, null, ProcessRun.Epoch,
            [StepPlan.Of("notify", StepStage.Announce, "nobody", [], true, 1, 120, new NotifyPlan(NotificationKinds.Finished, ProcessRun.Service, null, null, null, []), NotifyJson.Default.NotifyPlan)]);

        var outcome = await _world.StartAsync(plan, [Executing()], Ct);

        Assert.Equal(new TeamNotified([], 0, 0), outcome.Steps[0].Result.Evidence);
        Assert.Empty(_hooks.Requests);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Given_a_run_killed_as_a_message_arrived_when_resumed_then_only_the_route_that_drops_repeats_gets_it_again(int request)
    {
        _hooks.CrashOnRequest = request;
        var runId = await _world.StartKilledAsync(Finished(), [Executing()], _hooks.Kill.Token, Ct);

        var resumed = await _world.ResumeAsync(runId, [Executing()], Ct);

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        var told = Assert.IsType<TeamNotified>(resumed.Steps[0].Result.Evidence);
        var slack = _hooks.Requests.Where(r => r.Url.EndsWith("/slack", StringComparison.Ordinal)).ToList();
        var support = _hooks.Requests.Where(r => r.Url.EndsWith("/support", StringComparison.Ordinal)).ToList();
        Assert.Single(slack);
        if (request == 1)
        {
            // Slack may have it (its answer was lost) and cannot be asked: not sent again, said so.
            Assert.Equal(Delivery.UnconfirmedStatus, told.Audiences[0].Status);
            Assert.Single(support);
        }
        else
        {
            Assert.Equal(2, support.Count);
            Assert.Equal(support[0], support[1] with { Url = support[0].Url }); // same key, same bytes
            Assert.Equal((2, 0), (told.Delivered, told.Failed));
        }
    }

    [Fact]
    public async Task Given_a_plan_stored_by_418e7ad_when_resumed_then_its_encoded_routes_are_the_ones_told()
    {
        var stored = """
            {"service":"claude-proxy-api","target":null,"createdAt":"2026-12-03T09:00:00+00:00","steps":[
              {"step":"notify","stage":"Announce","summary":"tell team","changes":[],"nothingToDo":false,"expectedSeconds":1,"deadlineSeconds":120,
               "parameters":{"kind":"finished","service":"claude-proxy-api","from":"claude-proxy-api:42","to":"","impactSince":"","routes":"team slack TEAM_HOOK #releases"}}]}
            """;
        var run = new Run("run-20261203T090000Z-0001", ProcessRun.Service, ProcessRun.Epoch, RunStatus.Failed, null, stored);
        await _world.Ledger.CreateRunAsync(run, Ct);

        var outcome = await _world.ResumeAsync(run.Id, [Executing()], Ct);

        var told = Assert.IsType<TeamNotified>(outcome.Steps[0].Result.Evidence);
        Assert.Equal([("team", "slack:#releases", true)], told.Audiences.Select(a => (a.Audience, a.Target, a.Delivered)));
        Assert.Single(_hooks.Requests);
        var read = EngineJson.DeserializePlan(stored).Steps[0].Read(NotifyJson.Default.NotifyPlan, NotifyPlan.FromVersion1);
        Assert.Equal((NotificationKinds.Finished, "claude-proxy-api:42", (string?)null, (DateTimeOffset?)null), (read.Kind, read.From, read.To, read.ImpactSince));
        Assert.Equal([new NotifyRoute("team", "slack", "TEAM_HOOK", "#releases")], read.Routes);
    }
}
