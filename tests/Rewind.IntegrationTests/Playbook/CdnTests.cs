using Rewind.Aws.CloudFront;
using Rewind.Core.Engine;
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
        Assert.True(string.Equals("Completed", result.Evidence!.Facts()["status"], StringComparison.OrdinalIgnoreCase), result.Summary);
        Assert.Equal(1, (await world.CallsAsync(Ct)).Count("cloudfront:CreateInvalidation"));
        var invalidation = await new CloudFrontClient(world.Transport).GetInvalidationAsync(world.World.DistributionId, result.Evidence!.Facts()["invalidation"], Ct);
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

    [Theory]
    [InlineData("images/*", "does not start with '/'")]
    [InlineData("/a*b", "has a '*' before its end")]
    public void Paths_CloudFront_would_refuse_are_bad_input(string path, string message)
    {
        var error = Assert.Throws<Core.RewindException>(() => CdnStep.Validate([path]));

        Assert.Equal(Core.FailureKind.BadInput, error.Kind);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
