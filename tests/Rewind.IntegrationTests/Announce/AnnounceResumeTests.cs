using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Playbook;
using Rewind.Playbook.Freeze;
using Rewind.Playbook.Notify;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.IntegrationTests.Announce;

/// <summary>
/// The freeze and notify steps stopped right after each of their journaled calls, then resumed: every message reaches
/// its receiver once, the freeze exists once and SSM was written once.
/// </summary>
[Collection("rollout-emulator")]
public sealed class AnnounceResumeTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("notify", JournalKind.CallSent, "/notify/finished/team/slack")]
    [InlineData("notify", JournalKind.CallSucceeded, "/notify/finished/team/slack")]
    [InlineData("notify", JournalKind.CallSent, "/notify/finished/support/webhook")]
    [InlineData("notify", JournalKind.CallSucceeded, "/notify/finished/support/webhook")]
    public async Task Given_the_notify_step_killed_after_a_journaled_delivery_when_resumed_then_each_message_exists_once(string step, JournalKind kind, string call)
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, $"ntf{(int)kind}{call.Split('/')[3][..2]}", Ct);
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok"));
        await using var hook = LoopbackStub.Start(new StubResponse(200, "{}"));
        using var aws = new AwsClients(ClientFactory.Session(emulator));
        var (steps, _) = Steps(world, aws, slack, hook);
        IStep[] notifyOnly = [steps[1]];

        var run = await CrashThenResumeAsync(world, notifyOnly, step, kind, call);

        Assert.Equal(["run/notify/finished/team/slack"], slack.Requests.Select(r => Key(r, run)));
        Assert.Equal(["run/notify/finished/support/webhook"], hook.Requests.Select(r => Key(r, run)));
        Assert.All(await world.Ledger.Outbox.ListOutboxAsync(null, Ct), i => Assert.Equal(OutboxStatus.Delivered, i.Status));
        var evidence = await EvidenceAsync(world, run, "notify");
        Assert.Equal(("200", "200", "2", "0"), (evidence["team.status"], evidence["support.status"], evidence["delivered"], evidence["failed"]));
    }

    [Theory]
    [InlineData(JournalKind.CallSent, "Freeze")]
    [InlineData(JournalKind.CallSucceeded, "Freeze")]
    [InlineData(JournalKind.CallSent, "PutParameter")]
    [InlineData(JournalKind.CallSucceeded, "PutParameter")]
    [InlineData(JournalKind.CallSent, "/notify/freeze-on/team/slack")]
    public async Task Given_the_freeze_step_killed_after_a_journaled_call_when_resumed_then_one_freeze_one_publish_one_message(JournalKind kind, string call)
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, $"frz{(int)kind}{call[1]}", Ct);
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok"));
        await using var hook = LoopbackStub.Start(new StubResponse(200, "{}"));
        using var aws = new AwsClients(ClientFactory.Session(emulator));
        var (steps, parameter) = Steps(world, aws, slack, hook);
        IStep[] freezeOnly = [steps[0]];

        var run = await CrashThenResumeAsync(world, freezeOnly, "freeze", kind, call);

        var freeze = Assert.Single(await world.Ledger.Freezes.ListFreezesAsync(Ct));
        Assert.True(freeze.IsActive);
        Assert.Equal($"rewind run {run}", freeze.FrozenBy);
        var published = await parameter.ReadAsync(Ct);
        Assert.True(published is { Frozen: true } && published.FreezeId == freeze.Id, published?.ToJson());
        Assert.Equal(1, (await world.CallsAsync(Ct)).Count("ssm:PutParameter"));
        var message = Assert.Single(slack.Requests);
        Assert.Equal($"{freeze.Id}/notify/freeze-on/team/slack", message.Header("Idempotency-Key"));
        Assert.Empty(hook.Requests);
        var evidence = await EvidenceAsync(world, run, "freeze");
        Assert.Equal((freeze.Id, parameter.Name, "none"), (evidence["freeze"], evidence["parameter"], evidence["incident"]));
        Assert.Equal("200", evidence["announced.team.status"]);
    }

    [Fact]
    public async Task A_receiver_that_times_out_leaves_the_step_succeeded_with_the_reason_in_the_evidence()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "ntfstall", Ct);
        await using var slack = LoopbackStub.Start(StubResponse.Stall());
        await using var hook = LoopbackStub.Start(new StubResponse(500, "down"));
        using var aws = new AwsClients(ClientFactory.Session(emulator));
        var (steps, _) = Steps(world, aws, slack, hook);

        var (_, outcome) = await world.RunAsync(null, [steps[1]], Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var (_, result) = Assert.Single(outcome.Steps);
        Assert.Equal(StepStatus.Succeeded, result.Status);
        Assert.Contains("0 of 2 delivered", result.Summary, StringComparison.Ordinal);
        Assert.Equal("error", AnnouncedEvidence.Of(result.Evidence)["team.status"]);
        Assert.Equal("slack:#releases: no answer within 0.3 s after 3 attempt(s)", AnnouncedEvidence.Of(result.Evidence)["team.error"]);
        Assert.Equal("500", AnnouncedEvidence.Of(result.Evidence)["support.status"]);
        Assert.Equal(("0", "2"), (AnnouncedEvidence.Of(result.Evidence)["delivered"], AnnouncedEvidence.Of(result.Evidence)["failed"]));
        Assert.All(await world.Ledger.Outbox.ListOutboxAsync(null, Ct), i => Assert.Equal(OutboxStatus.Failed, i.Status));
    }

    private async Task<string> CrashThenResumeAsync(PlaybookHarness world, IStep[] steps, string step, JournalKind kind, string call)
    {
        var plan = await world.PlanAsync(null, steps, Ct);
        using var crash = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var crashing = new CrashAfterJournalEntry(world.Ledger, step, kind, name => name.EndsWith(call, StringComparison.Ordinal), crash);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => world.Executor(steps, ledger: crashing).StartAsync(plan, PlaybookHarness.PlanJson(plan), PlaybookHarness.By, crash.Token));

        Assert.NotNull(crashing.CrashedAfter);
        var run = await world.LatestRunAsync(Ct);
        var outcome = await world.Executor(steps).ResumeAsync(run, plan, PlaybookHarness.By, Ct);
        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.True((await LedgerVerifier.VerifyAsync(world.Ledger, run.Id, Ct)).IsIntact);
        return run.Id;
    }

    private static (IStep[] Steps, FreezeParameter Parameter) Steps(PlaybookHarness world, AwsClients aws, LoopbackStub slack, LoopbackStub hook)
    {
        var environment = new Dictionary<string, string> { ["TEAM_HOOK"] = slack.Url + "services/x", ["SUPPORT_HOOK"] = hook.Url + "hook" };
        var outbox = new NotificationOutbox(
            world.Ledger.Outbox, new WebhookSender(WebhookSender.SharedHttp, new WebhookOptions(TimeSpan.FromMilliseconds(300), 3, TimeSpan.FromMilliseconds(10)), TimeProvider.System),
            name => environment.GetValueOrDefault(name), TimeProvider.System);
        var notify = new NotifySection(new NotifyTarget("TEAM_HOOK", null, "#releases", true), new NotifyTarget(null, "SUPPORT_HOOK", null, true), null);
        var parameter = new FreezeParameter(aws.Ssm(), $"/rewind/{world.Names.Family}/freeze", world.Names.Family);
        return (
            [
                new FreezeStep(world.Ledger.Freezes, (_, _) => parameter, outbox, new FreezePlanning(parameter, NotificationOutbox.EnabledRoutes(notify, Audiences.Team))),
                new NotifyStep(world.Ledger.Runs, outbox, new NotifyPlanning(notify, world.Ecs, world.EcsSettings, world.Ledger.Releases)),
            ],
            parameter);
    }

    private static string Key(StubRequest request, string runId) => request.Header("Idempotency-Key").Replace(runId, "run", StringComparison.Ordinal);

    private static Task<Dictionary<string, string>> EvidenceAsync(PlaybookHarness world, string runId, string step) =>
        AnnouncedEvidence.ReadAsync(world.Ledger.Runs, runId, step, Ct);
}
