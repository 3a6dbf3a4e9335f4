using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Cdn;
using Rewind.Playbook.Tests.Edge;
using Rewind.Playbook.Tests.Fakes;
using Xunit;

namespace Rewind.Playbook.Tests.Cdn;

/// <summary>The cache invalidation below the emulator: planned from settings, executed from the stored plan alone, created once per run.</summary>
public sealed class CdnStepTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly EdgeRun _run = new();

    private CdnStep Step(FakeCloudFront cloudFront, IReadOnlyList<string>? paths = null, bool wait = true) =>
        new(cloudFront, FakeCloudFront.DistributionId, paths ?? ["/*", "/index.html"], PollSchedule.Immediate, wait);

    [Fact]
    public async Task Given_the_configured_paths_when_planned_then_the_plan_names_the_distribution_and_exactly_those_paths_and_changes_nothing()
    {
        var cloudFront = new FakeCloudFront(_run.Time);

        var plan = Assert.Single((await _run.PlanAsync(Step(cloudFront), Ct)).Steps);

        var planned = plan.Read(CdnJson.Default.CdnPlan);
        Assert.Equal(new CdnPlan(FakeCloudFront.DistributionId, planned.Paths, Wait: true), planned);
        Assert.Equal(["/*", "/index.html"], planned.Paths);
        Assert.Equal(["GetDistribution E123ABC"], cloudFront.Calls);
        Assert.Contains("d111.cloudfront.net", plan.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("images/*", "path 'images/*' does not start with '/'")]
    [InlineData("/a*b", "path '/a*b' has a '*' before its end")]
    [InlineData("/a b", "path '/a b' contains a space")]
    public async Task Given_a_path_CloudFront_would_refuse_when_planned_then_it_is_bad_input_before_any_call(string path, string problem)
    {
        var cloudFront = new FakeCloudFront(_run.Time);

        var error = await Assert.ThrowsAsync<RewindException>(() => _run.PlanAsync(Step(cloudFront, [path]), Ct));

        Assert.Equal(FailureKind.BadInput, error.Kind);
        Assert.Equal(problem, error.Message);
        Assert.Empty(cloudFront.Calls);
    }

    [Fact]
    public async Task Given_a_distribution_that_does_not_exist_when_planned_then_it_is_bad_input()
    {
        var cloudFront = new FakeCloudFront(_run.Time);
        var step = new CdnStep(cloudFront, "E404", ["/*"], PollSchedule.Immediate);

        var error = await Assert.ThrowsAsync<RewindException>(() => _run.PlanAsync(step, Ct));

        Assert.Equal(FailureKind.BadInput, error.Kind);
        Assert.Contains("E404 does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_plan_when_executed_then_one_invalidation_of_the_planned_paths_is_created_with_the_runs_caller_reference_and_awaited()
    {
        var cloudFront = new FakeCloudFront(_run.Time) { PollsUntilCompleted = 2 };
        var plan = await _run.PlanAsync(Step(cloudFront), Ct);

        var outcome = await _run.StartAsync(Step(cloudFront), plan, Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var evidence = Assert.IsType<CacheInvalidated>(Assert.Single(outcome.Steps).Result.Evidence);
        Assert.Equal(new CacheInvalidated(FakeCloudFront.DistributionId, "I1", "Completed", evidence.Paths), evidence);
        Assert.Equal(["/*", "/index.html"], evidence.Paths);
        Assert.Equal(
            ["GetDistribution E123ABC", "CreateInvalidation E123ABC /* /index.html", "GetInvalidation E123ABC I1", "GetInvalidation E123ABC I1", "GetInvalidation E123ABC I1"],
            cloudFront.Calls);
        Assert.Equal([$"rewind-{outcome.RunId}"], cloudFront.CallerReferences);
    }

    [Fact]
    public async Task Given_a_step_built_for_resume_without_settings_when_it_executes_then_it_invalidates_what_the_plan_names_not_the_new_configuration()
    {
        var cloudFront = new FakeCloudFront(_run.Time);
        var plan = await _run.PlanAsync(Step(cloudFront, ["/old/*"]), Ct);

        var outcome = await _run.StartAsync(CdnStep.ForResume(cloudFront, PollSchedule.Immediate), plan, Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Contains("CreateInvalidation E123ABC /old/*", cloudFront.Calls);
        Assert.Equal(["cdn.paths are now /new/*; the plan names /old/*"], Step(cloudFront, ["/new/*"]).DriftFrom(plan.Steps[0]));
        Assert.Empty(Step(cloudFront, ["/old/*"]).DriftFrom(plan.Steps[0]));
        Assert.Empty(CdnStep.ForResume(cloudFront).DriftFrom(plan.Steps[0]));
        Assert.Throws<InvalidOperationException>(() => CdnStep.ForResume(cloudFront).PlanAsync(new PlanningContext("api", null), Ct).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task Given_another_distribution_in_the_configuration_when_compared_with_the_plan_then_the_drift_names_both()
    {
        var cloudFront = new FakeCloudFront(_run.Time);
        var plan = Assert.Single((await _run.PlanAsync(Step(cloudFront), Ct)).Steps);

        var drift = new CdnStep(cloudFront, "E999", ["/*", "/index.html"]).DriftFrom(plan);

        Assert.Equal(["cdn.distribution_id is now E999; the plan names E123ABC"], drift);
    }

    [Fact]
    public async Task Given_a_run_stopped_after_the_invalidation_was_journaled_when_resumed_then_it_is_not_created_again_only_awaited()
    {
        var cloudFront = new FakeCloudFront(_run.Time) { PollsUntilCompleted = 0 };
        var plan = await _run.PlanAsync(Step(cloudFront), Ct);
        using var crash = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cloudFront.OnRead = () =>
        {
            cloudFront.OnRead = null;
            crash.Cancel();
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _run.StartAsync(Step(cloudFront), plan, crash.Token));
        var outcome = await _run.ResumeAsync(Step(cloudFront), Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Single(cloudFront.Calls, c => c.StartsWith("CreateInvalidation", StringComparison.Ordinal));
        Assert.Equal(1, cloudFront.Invalidations);
        Assert.Single(await _run.JournalAsync(Ct), e => e.Kind == JournalKind.CallSent);
    }

    [Fact]
    public async Task Given_a_create_whose_answer_was_lost_when_resumed_then_it_is_sent_again_with_the_same_caller_reference_and_answers_the_same_invalidation()
    {
        var cloudFront = new FakeCloudFront(_run.Time) { LoseNextCreateAnswer = new HttpRequestException("connection reset") };
        var plan = await _run.PlanAsync(Step(cloudFront), Ct);

        var first = await _run.StartAsync(Step(cloudFront), plan, Ct);
        var outcome = await _run.ResumeAsync(Step(cloudFront), Ct);

        Assert.Equal(RunStatus.Failed, first.Status);
        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal([$"rewind-{first.RunId}", $"rewind-{first.RunId}"], cloudFront.CallerReferences);
        Assert.Equal(1, cloudFront.Invalidations);
        Assert.Equal("I1", Assert.IsType<CacheInvalidated>(Assert.Single(outcome.Steps).Result.Evidence).Invalidation);
    }

    [Fact]
    public async Task Given_an_invalidation_that_never_completes_when_the_deadline_passes_then_the_step_fails_with_the_deadline()
    {
        var cloudFront = new FakeCloudFront(_run.Time) { PollsUntilCompleted = null, ReadTakes = TimeSpan.FromMinutes(1) };
        var plan = await _run.PlanAsync(Step(cloudFront), Ct);

        var outcome = await _run.StartAsync(Step(cloudFront), plan, Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        var failed = Assert.IsType<StepFailed>(Assert.Single(outcome.Steps).Result.Evidence);
        Assert.Equal(900, failed.DeadlineSeconds);
        Assert.Single(cloudFront.Calls, c => c.StartsWith("CreateInvalidation", StringComparison.Ordinal));
        Assert.Equal(15, cloudFront.Calls.Count(c => c.StartsWith("GetInvalidation", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Given_no_wait_when_executed_then_the_invalidation_is_created_and_not_read_back()
    {
        var cloudFront = new FakeCloudFront(_run.Time);
        var plan = await _run.PlanAsync(Step(cloudFront, wait: false), Ct);

        var outcome = await _run.StartAsync(CdnStep.ForResume(cloudFront), plan, Ct);

        var evidence = Assert.IsType<CacheInvalidated>(Assert.Single(outcome.Steps).Result.Evidence);
        Assert.Equal("InProgress", evidence.Status);
        Assert.DoesNotContain(cloudFront.Calls, c => c.StartsWith("GetInvalidation", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Given_a_plan_stored_by_version_1_when_executed_then_its_distribution_and_new_line_joined_paths_are_used()
    {
        var cloudFront = new FakeCloudFront(_run.Time);
        var plan = EdgeRun.Version1("cdn", "Edge", new Dictionary<string, string> { ["distribution"] = FakeCloudFront.DistributionId, ["paths"] = "/*\n/index.html" });

        var outcome = await _run.StartAsync(CdnStep.ForResume(cloudFront, PollSchedule.Immediate), plan, Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(["CreateInvalidation E123ABC /* /index.html", "GetInvalidation E123ABC I1", "GetInvalidation E123ABC I1"], cloudFront.Calls);
    }
}
