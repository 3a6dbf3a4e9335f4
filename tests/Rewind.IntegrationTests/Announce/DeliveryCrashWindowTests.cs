using System.Text.Json.Nodes;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Playbook;
using Rewind.Playbook.Notify;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.IntegrationTests.Announce;

/// <summary>
/// The one window a journal cannot close: the receiver accepted a message and the process died before the outbox
/// recorded it. A resume never sends it again to Slack (which cannot be asked and drops no repeat) and says so;
/// a generic webhook gets it again with the same Idempotency-Key and bytes; 'notify --retry' sends it on purpose.
/// </summary>
[Collection("rollout-emulator")]
public sealed class DeliveryCrashWindowTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_a_crash_between_the_slack_send_and_its_record_when_resumed_then_slack_is_not_sent_again_and_the_step_says_so()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "cwslack", Ct);
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok"));
        await using var hook = LoopbackStub.Start(new StubResponse(200, "{}"));
        var receivers = new Receivers(world, slack, hook);

        var run = await CrashThenResumeAsync(world, receivers, "/notify/finished/team/slack");

        Assert.Single(slack.Requests);
        Assert.Single(hook.Requests);
        var key = $"{run}/notify/finished/team/slack";
        Assert.Equal(OutboxStatus.Sending, (await world.Ledger.Outbox.GetOutboxItemAsync(key, Ct))!.Status);
        var evidence = await EvidenceAsync(world, run);
        Assert.Equal(("unconfirmed", "200", "1", "1"), (evidence["team.status"], evidence["support.status"], evidence["delivered"], evidence["failed"]));
        Assert.Contains("may have arrived", evidence["team.error"], StringComparison.Ordinal);
        Assert.EndsWith("is not sent again (if it did not arrive: 'rewind notify --retry --live')", evidence["team.error"], StringComparison.Ordinal);

        // Only the operator's explicit retry sends it again: the same key, the same bytes.
        var facts = (await RunFacts.ReadAsync(world.Ledger.Runs, run, Ct))!;
        var route = facts.Routes.Single(r => r.Kind == NotifyRoute.Slack);
        var unasked = await receivers.Outbox().DeliverAsync(facts.Finished(facts.Incident), route, null, Ct);
        Assert.True(unasked.Unconfirmed);
        Assert.Single(slack.Requests);
        var retried = await receivers.Outbox().ResendingUnconfirmed().DeliverAsync(facts.Finished(facts.Incident), route, null, Ct);
        Assert.True(retried.Delivered);
        Assert.Equal(2, slack.Requests.Count);
        Assert.Equal((key, slack.Requests[0].Body), (slack.Requests[1].Header("Idempotency-Key"), slack.Requests[1].Body));
        Assert.Equal(OutboxStatus.Delivered, (await world.Ledger.Outbox.GetOutboxItemAsync(key, Ct))!.Status);
    }

    [Fact]
    public async Task Given_a_crash_between_the_webhook_send_and_its_record_when_resumed_then_it_is_sent_again_with_the_same_idempotency_key_and_bytes()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "cwhook", Ct);
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok"));
        await using var hook = LoopbackStub.Start(new StubResponse(200, "{}"));
        var receivers = new Receivers(world, slack, hook);

        var run = await CrashThenResumeAsync(world, receivers, "/notify/finished/support/webhook");

        Assert.Single(slack.Requests);
        Assert.Equal(2, hook.Requests.Count);
        Assert.Single(hook.Requests.Select(r => (r.Header("Idempotency-Key"), r.Body)).Distinct());
        Assert.Equal($"{run}/notify/finished/support/webhook", hook.Requests[0].Header("Idempotency-Key"));
        Assert.All(await world.Ledger.Outbox.ListOutboxAsync(null, Ct), i => Assert.Equal(OutboxStatus.Delivered, i.Status));
        var evidence = await EvidenceAsync(world, run);
        Assert.Equal(("200", "200", "2", "0"), (evidence["team.status"], evidence["support.status"], evidence["delivered"], evidence["failed"]));
    }

    private async Task<string> CrashThenResumeAsync(PlaybookHarness world, Receivers receivers, string keySuffix)
    {
        using var crash = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var crashing = new CrashBeforeDeliveredMark(world.Ledger.Outbox, key => key.EndsWith(keySuffix, StringComparison.Ordinal), crash);
        IStep[] dying = [receivers.Notify(receivers.Outbox(crashing))];
        var plan = await world.PlanAsync(null, dying, Ct);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => world.Executor(dying).StartAsync(plan, PlaybookHarness.PlanJson(plan), PlaybookHarness.By, crash.Token));

        Assert.True(crashing.Crashed);
        var run = await world.LatestRunAsync(Ct);
        var outcome = await world.Executor([receivers.Notify(receivers.Outbox())]).ResumeAsync(run, plan, PlaybookHarness.By, Ct);
        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.True((await LedgerVerifier.VerifyAsync(world.Ledger, run.Id, Ct)).IsIntact);
        return run.Id;
    }

    private static Task<Dictionary<string, string>> EvidenceAsync(PlaybookHarness world, string runId) =>
        AnnouncedEvidence.ReadAsync(world.Ledger.Runs, runId, "notify", Ct);

    /// <summary>A team Slack webhook and a support webhook on loopback stubs, and the notify step that tells them.</summary>
    private sealed class Receivers(PlaybookHarness world, LoopbackStub slack, LoopbackStub hook)
    {
        private readonly Dictionary<string, string> _environment = new() { ["TEAM_HOOK"] = slack.Url + "services/x", ["SUPPORT_HOOK"] = hook.Url + "hook" };

        public NotificationOutbox Outbox(IOutboxStore? store = null) => new(
            store ?? world.Ledger.Outbox,
            new WebhookSender(WebhookSender.SharedHttp, new WebhookOptions(TimeSpan.FromSeconds(5), 1, TimeSpan.FromMilliseconds(10)), TimeProvider.System),
            name => _environment.GetValueOrDefault(name), TimeProvider.System);

        public NotifyStep Notify(NotificationOutbox outbox) => new(world.Ledger.Runs, outbox, new NotifyPlanning(
            new NotifySection(new NotifyTarget("TEAM_HOOK", null, "#releases", true), new NotifyTarget(null, "SUPPORT_HOOK", null, true), null),
            world.Ecs, world.EcsSettings, world.Ledger.Releases));
    }
}

/// <summary>
/// An outbox that "kills the process" after a chosen message's request was answered and before its delivery is
/// recorded: it cancels the run's token and throws, so the receiver has the message and the ledger does not know.
/// </summary>
internal sealed class CrashBeforeDeliveredMark(IOutboxStore inner, Func<string, bool> isKey, CancellationTokenSource crash) : IOutboxStore
{
    public bool Crashed { get; private set; }

    public async Task<OutboxItem> MarkDeliveredAsync(string idempotencyKey, string receipt, CancellationToken cancellationToken)
    {
        if (!Crashed && isKey(idempotencyKey))
        {
            Crashed = true;
            await crash.CancelAsync();
            throw new OperationCanceledException(crash.Token);
        }
        return await inner.MarkDeliveredAsync(idempotencyKey, receipt, cancellationToken);
    }

    public Task<OutboxItem> EnqueueAsync(string idempotencyKey, string target, string payloadHash, CancellationToken cancellationToken) =>
        inner.EnqueueAsync(idempotencyKey, target, payloadHash, cancellationToken);

    public Task<OutboxItem> MarkSendingAsync(string idempotencyKey, CancellationToken cancellationToken) => inner.MarkSendingAsync(idempotencyKey, cancellationToken);

    public Task<OutboxItem> MarkFailedAsync(string idempotencyKey, string error, CancellationToken cancellationToken) =>
        inner.MarkFailedAsync(idempotencyKey, error, cancellationToken);

    public Task<OutboxItem?> GetOutboxItemAsync(string idempotencyKey, CancellationToken cancellationToken) => inner.GetOutboxItemAsync(idempotencyKey, cancellationToken);

    public Task<IReadOnlyList<OutboxItem>> ListOutboxAsync(OutboxStatus? status, CancellationToken cancellationToken) => inner.ListOutboxAsync(status, cancellationToken);
}
