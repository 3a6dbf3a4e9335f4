using Microsoft.Extensions.Time.Testing;
using Rewind.Aws.CloudWatch;
using Rewind.Cli.Demo;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Emulator;
using Rewind.Playbook.Verify;
using Xunit;

namespace Rewind.IntegrationTests.Verification;

/// <summary>The demo's seeded metrics tell the story verification reads: baseline, spike while the bad release served, normalized after.</summary>
[Collection("signed-emulator")]
public sealed class DemoMetricsTests(SignedEmulatorFixture emulator)
{
    private static readonly DateTimeOffset BadReleaseAt = new(2026, 4, 7, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset RollbackAt = BadReleaseAt.AddMinutes(20);

    [Fact]
    public async Task Verification_reads_the_spike_as_elevated_and_the_time_after_the_rollback_as_normalized_at_the_baseline()
    {
        var ct = TestContext.Current.CancellationToken;
        var loadBalancer = DemoMetrics.LoadBalancerDimension($"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/{ClientFactory.Unique("demo")}/0123456789abcdef");
        var targetGroup = DemoMetrics.TargetGroupDimension($"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/{ClientFactory.Unique("main")}/0123456789abcdef");
        await DemoMetrics.SeedAsync(ClientFactory.Transport(emulator), loadBalancer, targetGroup, BadReleaseAt, RollbackAt, RollbackAt.AddMinutes(30), ct);
        var settings = new VerifySection(loadBalancer, targetGroup, TimeSpan.FromMinutes(5), 1.0, ValueList<string>.Empty) { Deadline = TimeSpan.Zero };
        var cloudWatch = new CloudWatchClient(ClientFactory.Transport(emulator));
        Release[] releases = [Release("rel-v2", BadReleaseAt.AddDays(-1)), Release("rel-v3", BadReleaseAt)];
        var baseline = Baseline.Of(releases[0], releases);

        async Task<VerifyReading> ReadAt(DateTimeOffset now)
        {
            var verifier = new ErrorRateVerifier(cloudWatch, settings, new FakeTimeProvider(now));
            await verifier.CheckInputsAsync(ct);
            var (percent, note) = await baseline.MeasureAsync(verifier, ct);
            return await verifier.WaitAsync(percent, note, TimeSpan.Zero, PollSchedule.Immediate, null, ct);
        }

        var during = await ReadAt(RollbackAt);
        var after = await ReadAt(RollbackAt.AddMinutes(10));

        Assert.StartsWith("app/demo-", loadBalancer, StringComparison.Ordinal);
        Assert.StartsWith("targetgroup/main-", targetGroup, StringComparison.Ordinal);
        Assert.Equal(Verdicts.Elevated, during.Verdict);
        Assert.Equal(15.00, during.Evidence().Rate5xxPercent);
        Assert.Equal(Verdicts.Normalized, after.Verdict);
        Assert.Equal(0.10, after.Evidence().Rate5xxPercent);
        Assert.Equal(0.10, after.Evidence().BaselinePercent);
    }

    private static Release Release(string id, DateTimeOffset at) =>
        new(id, "claude-proxy-api", id[4..], at, new Dictionary<string, string>(), null, new Dictionary<string, string>(), null, null, ReleaseStatus.Deployed);
}
