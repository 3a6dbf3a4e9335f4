using System.Text.Json.Nodes;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Freeze;
using Rewind.Playbook.Tests.Fakes;
using Xunit;

namespace Rewind.Playbook.Tests.Freeze;

/// <summary>
/// <c>rewind record --override-freeze</c> as a run: the override is journaled before the release is recorded, the
/// stored plan holds the whole release, and a kill at either side of the record is resumed without a second release.
/// </summary>
public sealed class OverrideFreezeStepTests
{
    private const string Service = "claude-proxy-api";

    private static readonly Release Release = new(
        "rel-20261203-090000-ab12", Service, "v5", new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero),
        new Dictionary<string, string> { ["api-service"] = "arn:aws:ecs:us-east-1:123456789012:task-definition/claude-proxy-api:5" },
        new CanaryWeights(100, 0), new Dictionary<string, string> { ["claude-proxy/api-key"] = "v-current" }, "0123abc", "E2ABC", ReleaseStatus.Deployed);

    private static readonly Core.Ledger.Freeze Frozen = new(
        "frz-20261203-080000-0001", Service, "error spike after v4", "INC-0001", "bob@laptop-2", new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));

    private static readonly OverrideFreezePlan Wanted = OverrideFreezePlan.Of(
        new FreezeVerdict(Service, Frozen, null, "/rewind/claude-proxy-api/freeze"), Release, "security hotfix approved by the IC", "alice@laptop-1");

    private static readonly RollbackTarget Target = new("release", "release v5 (rel-20261203-090000-ab12)", "recorded despite the freeze", Release.Id, Release.TaskDefinitions["api-service"]);

    private readonly FakeReleaseStore _releases = new();
    private readonly CommandRun _run = new(Service);

    [Fact]
    public async Task Given_a_freeze_and_a_release_when_the_override_is_planned_then_the_stored_plan_holds_the_whole_release_and_the_freeze()
    {
        var plan = await _run.PlanAsync(new OverrideFreezeStep(_releases, Wanted), Target);

        var step = Assert.Single(plan.Steps);
        Assert.Equal(("record-override", StepStage.Announce), (step.Step, step.Stage));
        Assert.Equal("record v5 despite the freeze: security hotfix approved by the IC", step.Summary);
        Assert.Equal(["ledger: record release rel-20261203-090000-ab12 (v5, Deployed) although freeze frz-20261203-080000-0001 holds: error spike after v4"], step.Changes);
        var stored = EngineJson.DeserializePlan(EngineJson.Serialize(plan)).Steps[0].Read(OverrideFreezeJson.Default.OverrideFreezePlan);
        Assert.Equal((Release.Id, Release.Version, Release.RecordedAt, Release.Canary, Release.TerraformRevision, Release.DistributionId, Release.Status),
            (stored.Release.Id, stored.Release.Version, stored.Release.RecordedAt, stored.Release.Canary, stored.Release.TerraformRevision, stored.Release.DistributionId, stored.Release.Status));
        Assert.Equal(Release.TaskDefinitions, stored.Release.TaskDefinitions);
        Assert.Equal(Release.SecretVersions, stored.Release.SecretVersions);
        Assert.Equal(("security hotfix approved by the IC", "alice@laptop-1", Frozen.Id, Frozen.Reason), (stored.Reason, stored.By, stored.Freeze, stored.FreezeReason));
        Assert.Empty(_releases.Recorded);
    }

    [Fact]
    public async Task Given_an_override_planned_when_executed_then_the_override_is_journaled_before_the_release_is_recorded()
    {
        var plan = await _run.PlanAsync(new OverrideFreezeStep(_releases, Wanted), Target);
        var journaledFirst = false;
        _releases.BeforeWrite = () => journaledFirst = _run.JournalAsync().GetAwaiter().GetResult()
            .Any(e => e.Kind == JournalKind.CallSent && JsonNode.Parse(e.Detail)!["call"]!.GetValue<string>() == "OverrideFreeze");

        var outcome = await _run.ExecuteAsync(new OverrideFreezeStep(_releases), plan);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.True(journaledFirst, "the release was recorded before its override was journaled");
        Assert.Equal([Release.Id], _releases.Recorded.Select(r => r.Id));
        Assert.Empty(_releases.Reads);
        Assert.Equal(
            new FreezeOverridden(Release.Id, "v5", Frozen.Id, "error spike after v4", "security hotfix approved by the IC", "alice@laptop-1", RecordedEarlier: false),
            outcome.Steps[0].Result.Evidence);
        var run = Assert.Single(await _run.Ledger.ListRunsAsync(Service, 10, TestContext.Current.CancellationToken));
        Assert.Equal(Release.Id, run.TargetReleaseId);
        var journal = await _run.JournalAsync();
        Assert.Equal(
            [JournalKind.Planned, JournalKind.Started, JournalKind.CallSent, JournalKind.CallSucceeded, JournalKind.Completed],
            journal.Select(e => e.Kind));
        var done = JsonNode.Parse(journal[3].Detail)!;
        Assert.Equal(
            ("OverrideFreeze", Frozen.Id, "error spike after v4", "security hotfix approved by the IC", "alice@laptop-1", Release.Id, "v5", true),
            (done["call"]!.GetValue<string>(), done["freeze"]!.GetValue<string>(), done["freezeReason"]!.GetValue<string>(), done["reason"]!.GetValue<string>(),
                done["by"]!.GetValue<string>(), done["release"]!.GetValue<string>(), done["version"]!.GetValue<string>(), done["recorded"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Given_an_override_killed_after_the_release_was_recorded_but_before_it_was_journaled_when_resumed_then_no_second_release_is_recorded()
    {
        var plan = await _run.PlanAsync(new OverrideFreezeStep(_releases, Wanted), Target);
        _releases.AfterWrite = _run.Killing;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _run.ExecuteAsync(new OverrideFreezeStep(_releases), plan));

        var resumed = await _run.ResumeAsync(new OverrideFreezeStep(_releases));

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal([Release.Id], _releases.Recorded.Select(r => r.Id));
        Assert.Equal([Release.Id], _releases.Reads);
        var evidence = Assert.IsType<FreezeOverridden>(resumed.Steps[0].Result.Evidence);
        Assert.True(evidence.RecordedEarlier);
        Assert.Single(await _run.JournalAsync(), e => e.Kind == JournalKind.CallSent);
    }

    [Fact]
    public async Task Given_an_override_killed_after_it_was_journaled_but_before_the_release_was_recorded_when_resumed_then_the_release_is_recorded_once()
    {
        var plan = await _run.PlanAsync(new OverrideFreezeStep(_releases, Wanted), Target);
        _releases.BeforeWrite = _run.Killing;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _run.ExecuteAsync(new OverrideFreezeStep(_releases), plan));
        Assert.Empty(_releases.Recorded);

        var resumed = await _run.ResumeAsync(new OverrideFreezeStep(_releases));

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal([Release.Id], _releases.Recorded.Select(r => r.Id));
        Assert.False(Assert.IsType<FreezeOverridden>(resumed.Steps[0].Result.Evidence).RecordedEarlier);
    }

    [Fact]
    public async Task Given_the_ledger_refuses_the_release_when_executed_then_the_failure_is_journaled_and_the_step_fails()
    {
        var plan = await _run.PlanAsync(new OverrideFreezeStep(_releases, Wanted), Target);
        _releases.BeforeWrite = () => throw new LedgerException(LedgerFailureReason.Conflict, "release rel-20261203-090000-ab12 already exists");

        var outcome = await _run.ExecuteAsync(new OverrideFreezeStep(_releases), plan);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal("release rel-20261203-090000-ab12 already exists", outcome.Steps[0].Result.Summary);
        Assert.Empty(_releases.Recorded);
        Assert.Equal(
            [JournalKind.Planned, JournalKind.Started, JournalKind.CallSent, JournalKind.CallFailed, JournalKind.CallFailed],
            (await _run.JournalAsync()).Select(e => e.Kind));
    }

    [Fact]
    public async Task Given_an_override_plan_stored_by_418e7ad_when_executed_then_the_step_fails_saying_the_release_was_never_kept()
    {
        // 418e7ad journaled overrides by hand, with an empty version-1 plan: the release being recorded was not in it.
        var stored = EngineJson.DeserializePlan("""
            {"service":"claude-proxy-api","target":null,"createdAt":"2026-11-27T09:00:00+00:00","steps":[{"step":"record-override","stage":"Announce",
             "summary":"record v5 despite the freeze: hotfix","changes":[],"nothingToDo":false,"expectedSeconds":0,"deadlineSeconds":60,"parameters":{}}]}
            """);

        var outcome = await _run.ExecuteAsync(new OverrideFreezeStep(_releases), stored);

        Assert.Equal(1, stored.SchemaVersion);
        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal("this override was journaled by an older Rewind, which kept no copy of the release it was recording", outcome.Steps[0].Result.Summary);
        Assert.Equal(new StepFailed(nameof(RewindException), null, FailureKind.BadInput), outcome.Steps[0].Result.Evidence);
        Assert.Empty(_releases.Recorded);
    }

    [Fact]
    public async Task Given_a_step_built_for_resume_when_asked_to_plan_then_it_refuses() =>
        await Assert.ThrowsAsync<InvalidOperationException>(() => _run.PlanAsync(new OverrideFreezeStep(_releases)));
}
