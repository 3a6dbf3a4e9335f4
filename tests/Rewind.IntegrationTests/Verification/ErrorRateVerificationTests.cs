using Microsoft.Extensions.Time.Testing;
using Rewind.Aws.CloudWatch;
using Rewind.Core;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Clients.CloudWatch;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Emulator;
using Rewind.Ledger.Sqlite;
using Rewind.Playbook.Verify;
using Xunit;

namespace Rewind.IntegrationTests.Verification;

/// <summary>
/// Error-rate verification against the emulator's CloudWatch with seeded series: normalized, still elevated, under the
/// threshold but above the baseline, no data, an alarm in ALARM, waiting until normalized; and bad input. The clock is
/// fake, so every window is derived from it and no test sleeps.
/// </summary>
[Collection("signed-emulator")]
public sealed class ErrorRateVerificationTests(SignedEmulatorFixture emulator)
{
    // Far from the real now, so no other test's series can fall into these windows.
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private readonly CloudWatchClient _cloudWatch = new(ClientFactory.Transport(emulator));
    private readonly string _loadBalancer = $"app/{ClientFactory.Unique("alb")}/0123456789abcdef";
    private readonly string _targetGroup = $"targetgroup/{ClientFactory.Unique("main")}/0123456789abcdef";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CloudWatchSeeder Seed => new(ClientFactory.Transport(emulator));

    private VerifySection Settings(params string[] alarms) =>
        new(_loadBalancer, _targetGroup, TimeSpan.FromMinutes(5), 1.0, new ValueList<string>(alarms)) { Deadline = TimeSpan.Zero };

    /// <summary>Requests and 5XX counts per minute over [from, to).</summary>
    private async Task TrafficAsync(DateTimeOffset from, DateTimeOffset to, double requests, double errors)
    {
        (string, string)[] dimensions = [("LoadBalancer", _loadBalancer), ("TargetGroup", _targetGroup)];
        var minutes = Enumerable.Range(0, (int)(to - from).TotalMinutes).Select(m => from.AddMinutes(m).AddSeconds(10)).ToList();
        await Seed.PutMetricDataAsync(ErrorRateVerifier.Namespace, "RequestCount", dimensions, minutes.Select(at => (at, requests)), Ct);
        if (errors > 0)
            await Seed.PutMetricDataAsync(ErrorRateVerifier.Namespace, "HTTPCode_Target_5XX_Count", dimensions, minutes.Select(at => (at, errors)), Ct);
    }

    private ErrorRateVerifier Verifier(VerifySection settings, TimeProvider time) => new(_cloudWatch, settings, time);

    [Fact]
    public async Task Given_a_low_5xx_rate_in_the_window_then_the_verdict_is_normalized_with_the_evidence()
    {
        await TrafficAsync(Now.AddMinutes(-5), Now, requests: 200, errors: 1);
        var verifier = Verifier(Settings(), new FakeTimeProvider(Now));
        await verifier.CheckInputsAsync(Ct);

        var reading = await verifier.WaitAsync(null, "none: no target release", TimeSpan.Zero, PollSchedule.Immediate, null, Ct);

        Assert.Equal(Verdicts.Normalized, reading.Verdict);
        var evidence = reading.Evidence();
        Assert.Equal(1000, evidence.Requests);
        Assert.Equal(5, evidence.Errors);
        Assert.Equal(0.50, evidence.Rate5xxPercent);
        Assert.Equal(1.00, evidence.ThresholdPercent);
        Assert.Null(evidence.BaselinePercent);
        Assert.Empty(evidence.Alarms);
        Assert.Equal(DateTimeOffset.Parse("2026-03-02T09:55:00Z", System.Globalization.CultureInfo.InvariantCulture), evidence.WindowStart);
        Assert.Equal(DateTimeOffset.Parse("2026-03-02T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), evidence.WindowEnd);
        Assert.Equal($"HTTPCode_Target_5XX_Count/RequestCount LoadBalancer={_loadBalancer} TargetGroup={_targetGroup}", evidence.Metric);
    }

    [Fact]
    public async Task Given_a_rate_still_above_the_threshold_when_the_deadline_passes_then_the_verdict_is_elevated()
    {
        await TrafficAsync(Now.AddMinutes(-10), Now.AddMinutes(10), requests: 100, errors: 7);
        var clock = new FakeTimeProvider(Now) { AutoAdvanceAmount = TimeSpan.FromSeconds(20) };
        var progress = new List<string>();

        var reading = await Verifier(Settings(), clock).WaitAsync(null, "none", TimeSpan.FromMinutes(2), PollSchedule.Immediate, progress.Add, Ct);

        Assert.Equal(Verdicts.Elevated, reading.Verdict);
        Assert.Equal(7.00, reading.Evidence().Rate5xxPercent);
        Assert.True(reading.Rate!.End > Now.AddMinutes(1), "it kept reading, each window ending at the fake clock's now, until the deadline");
        Assert.Single(progress); // the verdict never changed, so one progress line
    }

    [Fact]
    public async Task Given_a_spike_that_passes_then_it_waits_until_the_window_is_past_it_and_reports_normalized()
    {
        await TrafficAsync(Now.AddMinutes(-5), Now.AddMinutes(1), requests: 100, errors: 30);
        await TrafficAsync(Now.AddMinutes(1), Now.AddMinutes(15), requests: 100, errors: 0);
        var clock = new FakeTimeProvider(Now) { AutoAdvanceAmount = TimeSpan.FromSeconds(30) };
        var progress = new List<string>();
        var settings = Settings() with { Window = TimeSpan.FromMinutes(2) };

        var reading = await Verifier(settings, clock).WaitAsync(null, "none", TimeSpan.FromMinutes(10), PollSchedule.Immediate, progress.Add, Ct);

        Assert.Equal(Verdicts.Normalized, reading.Verdict);
        Assert.True(reading.Rate!.Start > Now.AddSeconds(10), $"the window {reading.Rate.Start:HH:mm:ss} starts after the spike's last minute");
        Assert.StartsWith("elevated", progress[0], StringComparison.Ordinal);
        Assert.StartsWith("normalized", progress[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_rate_under_the_threshold_but_above_the_target_releases_baseline_then_the_verdict_is_above_baseline()
    {
        var badRecordedAt = Now.AddHours(-1);
        await TrafficAsync(badRecordedAt.AddMinutes(-5), badRecordedAt, requests: 1000, errors: 1); // 0.1 % before the bad release
        await TrafficAsync(Now.AddMinutes(-5), Now, requests: 1000, errors: 9);                      // 0.9 % now
        Release[] releases = [Release("rel-good", "v2", badRecordedAt.AddDays(-1)), Release("rel-bad", "v3", badRecordedAt)];
        var baseline = Baseline.Of(releases[0], releases);
        var verifier = Verifier(Settings(), new FakeTimeProvider(Now));

        var (percent, note) = await baseline.MeasureAsync(verifier, Ct);
        var reading = await verifier.WaitAsync(percent, note, TimeSpan.Zero, PollSchedule.Immediate, null, Ct);

        Assert.Equal("rel-bad", baseline.BadReleaseId);
        Assert.Equal(Verdicts.AboveBaseline, reading.Verdict);
        Assert.Equal(0.10, reading.Evidence().BaselinePercent);
        Assert.Equal(0.90, reading.Evidence().Rate5xxPercent);
        Assert.Contains("rel-bad", reading.Evidence().Baseline, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_no_release_after_the_target_then_the_baseline_is_none_and_says_why()
    {
        var target = Release("rel-only", "v2", Now.AddDays(-1));

        var baseline = Baseline.Of(target, [target]);
        var (percent, note) = await baseline.MeasureAsync(Verifier(Settings(), new FakeTimeProvider(Now)), Ct);

        Assert.Null(percent);
        Assert.StartsWith("none: no release of api was recorded after v2", note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_no_data_in_the_window_then_the_verdict_is_insufficient_data_never_a_pass()
    {
        await TrafficAsync(Now.AddHours(-3), Now.AddHours(-3).AddMinutes(2), requests: 100, errors: 0); // the metric exists, but not now
        var verifier = Verifier(Settings(), new FakeTimeProvider(Now));
        await verifier.CheckInputsAsync(Ct);

        var reading = await verifier.WaitAsync(null, "none", TimeSpan.Zero, PollSchedule.Immediate, null, Ct);

        Assert.Equal(Verdicts.InsufficientData, reading.Verdict);
        Assert.False(reading.Normalized);
        Assert.Null(reading.Evidence().Rate5xxPercent);
    }

    [Fact]
    public async Task Given_an_alarm_in_ALARM_then_the_verdict_is_alarm_even_with_a_normal_rate()
    {
        await TrafficAsync(Now.AddMinutes(-5), Now, requests: 100, errors: 0);
        var ok = ClientFactory.Unique("api-latency");
        var firing = ClientFactory.Unique("api-5xx");
        await Seed.PutMetricAlarmAsync(ok, ErrorRateVerifier.Namespace, "TargetResponseTime", Ct);
        await Seed.PutMetricAlarmAsync(firing, ErrorRateVerifier.Namespace, "HTTPCode_Target_5XX_Count", Ct);
        await Seed.SetAlarmStateAsync(firing, "ALARM", "Threshold Crossed", Ct);
        var verifier = Verifier(Settings(ok, firing), new FakeTimeProvider(Now));
        await verifier.CheckInputsAsync(Ct);

        var reading = await verifier.WaitAsync(null, "none", TimeSpan.Zero, PollSchedule.Immediate, null, Ct);

        Assert.Equal(Verdicts.Alarm, reading.Verdict);
        Assert.Equal([new AlarmReading(ok, "OK"), new AlarmReading(firing, "ALARM")], reading.Evidence().Alarms);
    }

    [Fact]
    public async Task Given_a_metric_that_does_not_exist_then_it_is_bad_input_before_any_wait()
    {
        var error = await Assert.ThrowsAsync<RewindException>(() => Verifier(Settings(), new FakeTimeProvider(Now)).CheckInputsAsync(Ct));

        Assert.Equal(FailureKind.BadInput, error.Kind);
        Assert.Contains($"no metric AWS/ApplicationELB RequestCount for LoadBalancer={_loadBalancer}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_an_alarm_that_does_not_exist_then_it_is_bad_input()
    {
        await TrafficAsync(Now.AddMinutes(-2), Now, requests: 100, errors: 0);
        var missing = ClientFactory.Unique("no-such-alarm");

        var error = await Assert.ThrowsAsync<RewindException>(() => Verifier(Settings(missing), new FakeTimeProvider(Now)).CheckInputsAsync(Ct));

        Assert.Equal(FailureKind.BadInput, error.Kind);
        Assert.Equal($"CloudWatch has no alarm named {missing}", error.Message);
    }

    [Fact]
    public async Task The_verify_step_in_a_run_finds_the_bad_release_in_the_ledger_and_fails_when_not_normalized()
    {
        var badRecordedAt = Now.AddHours(-1);
        await TrafficAsync(badRecordedAt.AddMinutes(-5), badRecordedAt, requests: 1000, errors: 0);
        await TrafficAsync(Now.AddMinutes(-5), Now, requests: 100, errors: 5);
        var folder = Directory.CreateTempSubdirectory("rewind-verify-");
        await using var ledger = await SqliteLedger.OpenAsync(Path.Combine(folder.FullName, "ledger.db"), Ct);
        await ledger.Releases.RecordReleaseAsync(Release("rel-good", "v2", badRecordedAt.AddDays(-1)), Ct);
        await ledger.Releases.RecordReleaseAsync(Release("rel-bad", "v3", badRecordedAt), Ct);
        IStep[] steps = [new VerifyStep(_cloudWatch, Settings(), ledger.Releases, PollSchedule.Immediate)];
        var target = new RollbackTarget("release", "release v2", "test", "rel-good", "arn:aws:ecs:us-east-1:123456789012:task-definition/api:2");
        var clock = new FakeTimeProvider(Now);

        var plan = await new RollbackPlanner(steps, clock).PlanAsync("api", target, StepSelection.All, Ct);
        var outcome = await new RunExecutor(ledger, steps, new Playbook.RecordingObserver(), clock)
            .StartAsync(plan, EngineJson.Serialize(plan), new Operator("test", "host"), Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        var evidence = Assert.IsType<ErrorRatesNormalized>(Assert.Single(outcome.Steps).Result.Evidence);
        Assert.Equal(Verdicts.Elevated, evidence.Verdict);
        Assert.Equal(5.00, evidence.Rate5xxPercent);
        Assert.Equal(0.00, evidence.BaselinePercent);
        Assert.Contains("rel-bad", Assert.Single(plan.Steps).Changes[1], StringComparison.Ordinal);
    }

    private static Release Release(string id, string version, DateTimeOffset at) =>
        new(id, "api", version, at, new Dictionary<string, string> { ["api-service"] = $"arn:aws:ecs:us-east-1:123456789012:task-definition/api:{version[1..]}" },
            null, new Dictionary<string, string>(), null, null, ReleaseStatus.Deployed);
}
