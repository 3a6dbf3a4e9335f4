using Rewind.Aws.CloudFront;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Cdn;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>The cache invalidation on the emulator (where invalidations are COMPLETED at once): created once, even across a crash.</summary>
[Collection("rollout-emulator")]
public sealed class CdnTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_invalidation_of_the_paths_is_created_and_awaited_until_completed()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "cdnok", Ct);
        var step = new CdnStep(new CloudFrontClient(world.Transport), world.World.DistributionId, ["/*", "/index.html"], PlaybookHarness.FastPolls);

        var (plan, outcome) = await world.RunAsync(null, [step], Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var result = Assert.Single(outcome.Steps).Result;
        var invalidated = Assert.IsType<CacheInvalidated>(result.Evidence);
        Assert.True(string.Equals("Completed", invalidated.Status, StringComparison.OrdinalIgnoreCase), result.Summary);
        Assert.Equal(["/*", "/index.html"], invalidated.Paths);
        Assert.Equal(1, (await world.CallsAsync(Ct)).Count("cloudfront:CreateInvalidation"));
        var invalidation = await new CloudFrontClient(world.Transport).GetInvalidationAsync(world.World.DistributionId, invalidated.Invalidation, Ct);
        Assert.Equal(["/*", "/index.html"], invalidation.Paths);
        Assert.StartsWith("rewind-run-", invalidation.CallerReference, StringComparison.Ordinal);
        Assert.Contains("/index.html", Assert.Single(plan.Steps).Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_stopped_after_the_invalidation_was_created_does_not_create_a_second_one_on_resume()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "cdnre", Ct);
        IStep[] steps = [new CdnStep(new CloudFrontClient(world.Transport), world.World.DistributionId, ["/*"], PlaybookHarness.FastPolls)];
        var plan = await world.PlanAsync(null, steps, Ct);
        using var crash = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var crashing = new CrashAfterJournalEntry(world.Ledger, "cdn", JournalKind.CallSucceeded, "CreateInvalidation", crash);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => world.Executor(steps, ledger: crashing).StartAsync(plan, PlaybookHarness.PlanJson(plan), PlaybookHarness.By, crash.Token));
        var outcome = await world.Executor(steps).ResumeAsync(await world.LatestRunAsync(Ct), plan, PlaybookHarness.By, Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(1, (await world.CallsAsync(Ct)).Count("cloudfront:CreateInvalidation"));
    }
}
