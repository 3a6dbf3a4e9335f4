using Rewind.Aws.CloudWatch;
using Rewind.Core;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Tests.Edge;
using Rewind.Playbook.Tests.Fakes;
using Rewind.Playbook.Verify;
using Xunit;

namespace Rewind.Playbook.Tests.Verify;

/// <summary>"Error rates normalized" below the emulator: planned from settings, measured from the stored plan, never a pass without data.</summary>
public sealed class VerifyStepTests
{
    private const string LoadBalancer = "app/web/1";
    private const string TargetGroup = "targetgroup/main/2";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly EdgeRun _run = new();
    private readonly FakeCloudWatch _cloudWatch;

    public VerifyStepTests()
    {
        _cloudWatch = new FakeCloudWatch(_run.Time);
        _cloudWatch.Alarms["api-5xx"] = AlarmState.Ok;
    }

    private static VerifySection Settings(string loadBalancer = LoadBalancer, double max = 1.0) =>
        new(loadBalancer, TargetGroup, TimeSpan.FromMinutes(5), max, ValueList.Of("api-5xx")) { Deadline = TimeSpan.FromMinutes(2) };

    private VerifyStep Step(VerifySection? settings = null) => new(_cloudWatch, settings ?? Settings(), new NoReleases(), PollSchedule.Immediate);

    [Fact]
    public async Task Given_the_settings_when_planned_then_the_metric_and_the_alarm_are_checked_and_the_plan_holds_the_metric_threshold_alarms_and_deadline()
    {
        var plan = Assert.Single((await _run.PlanAsync(Step(), Ct)).Steps);

        var planned = plan.Read(VerifyJson.Default.VerifyPlan);
        Assert.Equal((LoadBalancer, TargetGroup, 1.0, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5)), (planned.LoadBalancer, planned.TargetGroup, planned.Max5xxPercent, planned.Deadline, planned.Window));
        Assert.Equal(["api-5xx"], planned.Alarms);
        Assert.Null(planned.BaselineEnd);
        Assert.Equal(["ListMetrics RequestCount", "DescribeAlarms api-5xx"], _cloudWatch.Calls);
    }

    [Fact]
    public async Task Given_a_metric_CloudWatch_does_not_list_when_planned_then_it_is_bad_input()
    {
        _cloudWatch.MetricListed = false;

        var error = await Assert.ThrowsAsync<RewindException>(() => _run.PlanAsync(Step(), Ct));

        Assert.Equal(FailureKind.BadInput, error.Kind);
        Assert.Contains("has no metric", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_rate_under_the_threshold_and_the_alarm_OK_when_executed_then_it_succeeds_with_the_measured_evidence()
    {
        var plan = await _run.PlanAsync(Step(), Ct);

        var outcome = await _run.StartAsync(Step(), plan, Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var evidence = Assert.IsType<ErrorRatesNormalized>(Assert.Single(outcome.Steps).Result.Evidence);
        Assert.Equal(Verdicts.Normalized, evidence.Verdict);
        Assert.Equal((1000L, 5L, 0.5, 1.0), (evidence.Requests, evidence.Errors, evidence.Rate5xxPercent, evidence.ThresholdPercent));
        Assert.Equal([new AlarmReading("api-5xx", "OK")], evidence.Alarms);
        Assert.Equal(evidence.WindowEnd - TimeSpan.FromMinutes(5), evidence.WindowStart);
        Assert.Null(evidence.BaselinePercent);
    }

    [Fact]
    public async Task Given_a_rate_above_the_threshold_until_the_deadline_when_executed_then_it_fails_as_elevated_after_reading_until_then()
    {
        _cloudWatch.Traffic = _ => (1000, 50);
        var plan = await _run.PlanAsync(Step(), Ct);
        var started = _run.Time.GetUtcNow();

        var outcome = await _run.StartAsync(Step(), plan, Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        var result = Assert.Single(outcome.Steps).Result;
        var evidence = Assert.IsType<ErrorRatesNormalized>(result.Evidence);
        Assert.Equal((Verdicts.Elevated, 5.0), (evidence.Verdict, evidence.Rate5xxPercent));
        Assert.Contains("by the 2m deadline", result.Summary, StringComparison.Ordinal);
        Assert.Equal(4, _cloudWatch.Calls.Count(c => c == "GetMetricData"));
        Assert.Equal(started + TimeSpan.FromMinutes(2), _run.Time.GetUtcNow());
    }

    [Fact]
    public async Task Given_an_alarm_in_ALARM_when_executed_then_it_fails_with_the_alarm_listed_even_with_a_normal_rate()
    {
        var plan = await _run.PlanAsync(Step(), Ct);
        _cloudWatch.Alarms["api-5xx"] = AlarmState.Alarm;

        var outcome = await _run.StartAsync(Step(), plan, Ct);

        var evidence = Assert.IsType<ErrorRatesNormalized>(Assert.Single(outcome.Steps).Result.Evidence);
        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal(Verdicts.Alarm, evidence.Verdict);
        Assert.Equal([new AlarmReading("api-5xx", "ALARM")], evidence.Alarms);
    }

    [Fact]
    public async Task Given_no_requests_in_the_window_when_executed_then_it_is_insufficient_data_never_a_pass()
    {
        _cloudWatch.Traffic = _ => null;
        var plan = await _run.PlanAsync(Step(), Ct);

        var outcome = await _run.StartAsync(Step(), plan, Ct);

        var evidence = Assert.IsType<ErrorRatesNormalized>(Assert.Single(outcome.Steps).Result.Evidence);
        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal(Verdicts.InsufficientData, evidence.Verdict);
        Assert.Null(evidence.Rate5xxPercent);
        Assert.Equal(0, evidence.Requests);
    }

    [Fact]
    public async Task Given_a_step_built_for_resume_when_the_configuration_changed_then_it_measures_the_planned_metric_and_the_drift_says_what_changed()
    {
        var plan = await _run.PlanAsync(Step(), Ct);
        _cloudWatch.Traffic = _ => (1000, 20); // 2 %: over the planned 1 %, under a new 5 %

        var outcome = await _run.StartAsync(VerifyStep.ForResume(_cloudWatch, PollSchedule.Immediate), plan, Ct);

        var evidence = Assert.IsType<ErrorRatesNormalized>(Assert.Single(outcome.Steps).Result.Evidence);
        Assert.Equal(Verdicts.Elevated, evidence.Verdict);
        Assert.Contains($"LoadBalancer={LoadBalancer}", evidence.Metric, StringComparison.Ordinal);
        Assert.Equal(
            ["verify.load_balancer/target_group are now app/other/9 targetgroup/main/2; the plan names app/web/1 targetgroup/main/2", "verify.max_5xx_percent is now 5.00; the plan names 1.00"],
            Step(Settings("app/other/9", max: 5)).DriftFrom(plan.Steps[0]));
        Assert.Empty(Step().DriftFrom(plan.Steps[0]));
    }

    [Fact]
    public async Task Given_a_run_stopped_during_its_first_read_when_resumed_then_it_reads_again_and_succeeds()
    {
        var plan = await _run.PlanAsync(Step(), Ct);
        using var crash = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        _cloudWatch.OnRead = () =>
        {
            _cloudWatch.OnRead = null;
            crash.Cancel();
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _run.StartAsync(Step(), plan, crash.Token));
        var outcome = await _run.ResumeAsync(VerifyStep.ForResume(_cloudWatch, PollSchedule.Immediate), Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.DoesNotContain(await _run.JournalAsync(Ct), e => e.Kind == JournalKind.CallSent);
    }

    [Fact]
    public async Task Given_a_plan_stored_by_version_1_when_executed_then_its_baseline_window_is_measured_with_the_configured_metric()
    {
        var plan = EdgeRun.Version1("verify", "Verification", new Dictionary<string, string>
        {
            ["baselineEnd"] = "2026-03-01T12:00:00.0000000Z",
            ["baselineNote"] = "v2 (rel-good) in the window before v3 (rel-bad)",
        });

        var outcome = await _run.StartAsync(Step(), plan, Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero), _cloudWatch.Windows[0].End);
        var evidence = Assert.IsType<ErrorRatesNormalized>(Assert.Single(outcome.Steps).Result.Evidence);
        Assert.Equal((0.5, "v2 (rel-good) in the window before v3 (rel-bad)"), (evidence.BaselinePercent, evidence.Baseline));
    }

    [Fact]
    public async Task Given_a_version_1_plan_and_no_verify_section_when_resumed_then_the_step_fails_as_bad_input_having_read_nothing()
    {
        var plan = EdgeRun.Version1("verify", "Verification", new Dictionary<string, string> { ["baselineEnd"] = "none", ["baselineNote"] = "none" });

        var outcome = await _run.StartAsync(VerifyStep.ForResume(_cloudWatch), plan, Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal(nameof(RewindException), Assert.IsType<StepFailed>(Assert.Single(outcome.Steps).Result.Evidence).Error);
        Assert.Empty(_cloudWatch.Calls);
    }

    private sealed class NoReleases : IReleaseStore
    {
        public Task RecordReleaseAsync(Release release, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Release?> GetReleaseAsync(string releaseId, CancellationToken cancellationToken) => Task.FromResult<Release?>(null);

        public Task<IReadOnlyList<Release>> ListReleasesAsync(string? service, int limit, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Release>>([]);

        public Task SetReleaseStatusAsync(string releaseId, ReleaseStatus status, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
