using Rewind.Core;
using Rewind.Core.Ledger;
using Rewind.Playbook.Ecs;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>Which revision a rollback returns to, and why: --to, the last known-good release, the next lower ACTIVE revision.</summary>
[Collection("rollout-emulator")]
public sealed class TargetSelectionTests(RolloutEmulatorFixture emulator)
{
    [Fact]
    public async Task Given_a_known_good_release_on_v2_when_selecting_then_it_wins_over_n_minus_1_with_its_snapshot()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await PlaybookHarness.SeedAsync(emulator, "known", ct);
        var now = DateTimeOffset.UtcNow;
        var good = Release(harness, "1.2.0", now.AddHours(-2), harness.World.TaskDefinitionArns[1], ReleaseStatus.KnownGood);
        await harness.Ledger.Releases.RecordReleaseAsync(good, ct);
        // The bad release itself, recorded by the pipeline but never verified, is not a target.
        await harness.Ledger.Releases.RecordReleaseAsync(Release(harness, "1.4.0", now.AddMinutes(-10), harness.World.DeployedTaskDefinitionArn, ReleaseStatus.Deployed), ct);

        var target = await harness.SelectAsync(pinned: null, ct);

        Assert.Equal("release", target.Kind);
        Assert.Equal(good.Id, target.ReleaseId);
        Assert.Equal(harness.World.TaskDefinitionArns[1], target.TaskDefinitionArn);
        Assert.Contains("last known-good release", target.Reason, StringComparison.Ordinal);
        Assert.Equal("100/0", target.Snapshot["canary"]);
        Assert.Equal(harness.World.PreviousSecretVersionId, target.Snapshot["secret:" + harness.Names.SecretName]);
    }

    [Fact]
    public async Task Given_v3_deregistered_when_selecting_without_a_release_then_the_next_lower_active_revision_v2_is_chosen()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await PlaybookHarness.SeedAsync(emulator, "inactive", ct);
        await harness.EcsSeeder.DeregisterTaskDefinitionAsync(harness.World.TaskDefinitionArns[2], ct);

        var target = await harness.SelectAsync(pinned: null, ct);

        Assert.Equal(("revision", $"{harness.Names.Family}:2"), (target.Kind, target.Label));
        Assert.Equal(harness.World.TaskDefinitionArns[1], target.TaskDefinitionArn);
        Assert.Contains("next lower ACTIVE revision", target.Reason, StringComparison.Ordinal);
        Assert.Null(target.ReleaseId);
    }

    [Fact]
    public async Task Given_to_1_when_selecting_then_revision_1_is_pinned_even_with_a_known_good_release_and_an_inactive_pin_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await PlaybookHarness.SeedAsync(emulator, "pinned", ct);
        await harness.Ledger.Releases.RecordReleaseAsync(
            Release(harness, "1.2.0", DateTimeOffset.UtcNow.AddHours(-1), harness.World.TaskDefinitionArns[1], ReleaseStatus.KnownGood), ct);

        var byNumber = await harness.SelectAsync("1", ct);
        var byName = await harness.SelectAsync($"{harness.Names.Family}:1", ct);

        Assert.Equal(harness.World.TaskDefinitionArns[0], byNumber.TaskDefinitionArn);
        Assert.Contains("pinned", byNumber.Reason, StringComparison.Ordinal);
        Assert.Equivalent(byNumber, byName, strict: true);

        await harness.EcsSeeder.DeregisterTaskDefinitionAsync(harness.World.TaskDefinitionArns[2], ct);
        await harness.ResetCallsAsync(ct);
        var inactive = await Assert.ThrowsAsync<RewindException>(() => harness.SelectAsync("3", ct));
        var missing = await Assert.ThrowsAsync<RewindException>(() => harness.SelectAsync("42", ct));

        Assert.Equal(FailureKind.BadInput, inactive.Kind);
        Assert.Contains("INACTIVE", inactive.Message, StringComparison.Ordinal);
        Assert.Contains($"{harness.Names.Family}:3", inactive.Message, StringComparison.Ordinal);
        Assert.Contains("ACTIVE revision", inactive.Hint, StringComparison.Ordinal);
        Assert.Equal(FailureKind.BadInput, missing.Kind);
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await harness.CallsAsync(ct)).MutatingTotal);
    }

    [Fact]
    public async Task Given_a_service_on_revision_1_when_selecting_then_no_target_is_a_bad_input_that_says_to_pin_one()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await PlaybookHarness.SeedAsync(emulator, "lowest", ct);
        var oldService = harness.Names.Service + "-v1";
        await harness.EcsSeeder.CreateServiceAsync(harness.Names.Cluster, oldService, harness.World.TaskDefinitionArns[0], 1, ct);
        var settings = harness.EcsSettings with { Service = oldService };

        var error = await Assert.ThrowsAsync<RewindException>(() => harness.Selector(settings).SelectAsync(harness.Names.Service, null, ct));

        Assert.Equal(FailureKind.BadInput, error.Kind);
        Assert.Equal(
            $"no rollback target for {oldService}: no known-good release in the ledger and no ACTIVE revision of {harness.Names.Family} below 1",
            error.Message);
        Assert.Contains("--to", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_the_service_already_back_on_its_known_good_release_when_selecting_again_then_it_stays_there_with_nothing_to_do()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await PlaybookHarness.SeedAsync(emulator, "again", ct);
        await harness.Ledger.Releases.RecordReleaseAsync(
            Release(harness, "1.2.0", DateTimeOffset.UtcNow.AddHours(-1), harness.World.TaskDefinitionArns[1], ReleaseStatus.KnownGood), ct);
        var (_, first) = await harness.RunAsync(await harness.SelectAsync(null, ct), [harness.EcsStep()], ct);
        Assert.Equal(RunStatus.Succeeded, first.Status);

        var again = await harness.SelectAsync(null, ct);
        var plan = await harness.PlanAsync(again, [harness.EcsStep()], ct);

        // Not the next older revision: a second 'rewind ecs --live' must not roll a healthy service further back.
        Assert.Equal(harness.World.TaskDefinitionArns[1], again.TaskDefinitionArn);
        Assert.Contains("which the service already runs", again.Reason, StringComparison.Ordinal);
        Assert.True(Assert.Single(plan.Steps).NothingToDo);
    }

    private static Release Release(PlaybookHarness harness, string version, DateTimeOffset at, string taskDefinitionArn, ReleaseStatus status) => new(
        LedgerIds.NewReleaseId(at),
        harness.Names.Service,
        version,
        at,
        new Dictionary<string, string> { [harness.Names.Service] = taskDefinitionArn },
        new CanaryWeights(100, 0),
        new Dictionary<string, string> { [harness.Names.SecretName] = harness.World.PreviousSecretVersionId },
        TerraformRevision: null,
        harness.World.DistributionId,
        status);
}
