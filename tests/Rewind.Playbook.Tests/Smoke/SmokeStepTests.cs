using System.Net;
using Rewind.Aws.SecretsManager;
using Rewind.Core;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Smoke;
using Rewind.Playbook.Tests.Edge;
using Rewind.Playbook.Tests.Fakes;
using Xunit;

namespace Rewind.Playbook.Tests.Smoke;

/// <summary>"Verify Stability" below the emulator: the checks from the stored plan against a fake service, the key read at execution and never stored.</summary>
public sealed class SmokeStepTests : IDisposable
{
    private const string Key = "k-0123456789";
    private const string Url = "http://alb.example/";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly EdgeRun _run = new();
    private readonly FakeHttp _service = new();
    private readonly HttpClient _http;
    private readonly DirectoryInfo _logs = Directory.CreateTempSubdirectory("rewind-smoke-unit-");

    public SmokeStepTests()
    {
        _http = _service.Client();
    }

    public void Dispose()
    {
        _http.Dispose();
        _service.Dispose();
        _logs.Delete(recursive: true);
    }

    private static string? Environment(string name) => name == PlaybookDefaults.SmokeApiKeyVariable ? Key : null;

    private static SmokeSection Settings(string url = Url, int retries = 1) =>
        new(url, null, null, retries, TimeSpan.FromSeconds(5)) { Backoff = TimeSpan.Zero };

    private SmokeStep Step(SmokeSection? settings = null, Func<string, string?>? environment = null) =>
        new(settings ?? Settings(), new NoSecrets(), environment ?? Environment, _logs.FullName, _http);

    private SmokeStep Resume() => SmokeStep.ForResume(new NoSecrets(), Environment, _logs.FullName, _http);

    [Fact]
    public async Task Given_the_playbooks_checks_when_planned_then_the_plan_holds_the_url_checks_and_key_source_but_never_the_key()
    {
        var plan = await _run.PlanAsync(Step(), Ct);

        var planned = Assert.Single(plan.Steps).Read(SmokeJson.Default.SmokePlan);
        Assert.Equal(Url, planned.Url);
        Assert.Equal(["health", "enqueue"], planned.Checks.Select(c => c.Name));
        Assert.Equal(("env:SMOKE_API_KEY", 1, TimeSpan.FromSeconds(5)), (planned.ApiKeySource, planned.Retries, planned.Timeout));
        Assert.DoesNotContain(Key, EngineJson.Serialize(plan), StringComparison.Ordinal);
        Assert.Empty(_service.Requests);
    }

    [Fact]
    public async Task Given_a_check_that_sends_the_key_and_no_key_in_the_environment_when_planned_then_it_is_bad_input()
    {
        var error = await Assert.ThrowsAsync<RewindException>(() => _run.PlanAsync(Step(environment: _ => null), Ct));

        Assert.Equal(FailureKind.BadInput, error.Kind);
        Assert.Contains("$SMOKE_API_KEY is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_healthy_service_when_executed_then_every_check_passes_once_with_the_key_sent_and_typed_results()
    {
        var plan = await _run.PlanAsync(Step(), Ct);

        var outcome = await _run.StartAsync(Step(), plan, Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var evidence = Assert.IsType<SmokePassed>(Assert.Single(outcome.Steps).Result.Evidence);
        Assert.Equal((Url, 2, 2, 0), (evidence.Url, evidence.Checks, evidence.Passed, evidence.Failed));
        Assert.Equal(
            [new SmokeCheckResult("health", 200, 0, 1, true, null), new SmokeCheckResult("enqueue", 200, 0, 1, true, null)],
            evidence.Results);
        Assert.Equal(["GET http://alb.example/health", "POST http://alb.example/api/enqueue"], _service.Requests);
        Assert.Equal([Key], _service.ApiKeys);
        Assert.DoesNotContain(Key, await File.ReadAllTextAsync(evidence.Log!, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_check_answering_500_when_executed_then_it_is_retried_and_the_step_fails_naming_the_check_and_status()
    {
        _service.Answers["/api/enqueue"] = (HttpStatusCode.InternalServerError, """{"error":"boom"}""");
        var plan = await _run.PlanAsync(Step(), Ct);

        var outcome = await _run.StartAsync(Step(), plan, Ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        var result = Assert.Single(outcome.Steps).Result;
        var evidence = Assert.IsType<SmokePassed>(result.Evidence);
        Assert.Equal((1, 1), (evidence.Passed, evidence.Failed));
        var failed = Assert.Single(evidence.Results, r => !r.Ok);
        Assert.Equal(("enqueue", 500, 2), (failed.Check, failed.Status, failed.Attempts));
        Assert.StartsWith("status 500", failed.Error, StringComparison.Ordinal);
        Assert.Contains("enqueue: status 500", result.Summary, StringComparison.Ordinal);
        Assert.Equal(2, _service.Requests.Count(r => r.EndsWith("/api/enqueue", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Given_a_step_built_for_resume_when_the_url_changed_in_the_configuration_then_it_checks_the_planned_url_and_the_drift_names_both()
    {
        var plan = await _run.PlanAsync(Step(), Ct);

        var outcome = await _run.StartAsync(Resume(), plan, Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.All(_service.Requests, r => Assert.Contains("http://alb.example/", r, StringComparison.Ordinal));
        Assert.Equal(["smoke.url is now http://new.example; the plan names http://alb.example/"], Step(Settings("http://new.example")).DriftFrom(plan.Steps[0]));
        Assert.Empty(Step(Settings("http://alb.example")).DriftFrom(plan.Steps[0]));
        Assert.Empty(Resume().DriftFrom(plan.Steps[0]));
    }

    [Fact]
    public async Task Given_a_run_stopped_during_its_checks_when_resumed_then_the_checks_run_again_and_nothing_is_journaled_as_a_change()
    {
        var plan = await _run.PlanAsync(Step(), Ct);
        using var crash = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        crash.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _run.StartAsync(Step(), plan, crash.Token));
        var outcome = await _run.ResumeAsync(Resume(), Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.DoesNotContain(await _run.JournalAsync(Ct), e => e.Kind == JournalKind.CallSent);
    }

    [Fact]
    public async Task Given_a_plan_stored_by_version_1_when_resumed_without_a_smoke_section_then_the_playbooks_checks_run_against_its_url()
    {
        var plan = EdgeRun.Version1("smoke", "Verification", new Dictionary<string, string> { ["url"] = Url, ["apiKey"] = "env:SMOKE_API_KEY" });

        var outcome = await _run.StartAsync(Resume(), plan, Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(["GET http://alb.example/health", "POST http://alb.example/api/enqueue"], _service.Requests);
        Assert.Equal([Key], _service.ApiKeys);
    }

    [Fact]
    public async Task Given_a_plan_stored_by_version_1_when_resumed_with_a_smoke_section_then_its_checks_are_the_configured_ones()
    {
        var plan = EdgeRun.Version1("smoke", "Verification", new Dictionary<string, string> { ["url"] = Url, ["apiKey"] = "env:SMOKE_API_KEY" });
        var health = SmokeCheck.Defaults[0];
        var settings = Settings() with { Checks = ValueList.Of(health) };

        var outcome = await _run.StartAsync(Step(settings), plan, Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(["GET http://alb.example/health"], _service.Requests);
    }

    // The key comes from the environment in these tests: Secrets Manager is never asked.
    private sealed class NoSecrets : ISecretsManagerClient
    {
        public Task<SecretDescription?> DescribeSecretAsync(string secretId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<SecretVersion>> ListSecretVersionIdsAsync(string secretId, bool includeDeprecated, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<SecretIdentity> UpdateSecretVersionStageAsync(SecretStageMove move, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<SecretVersionValue> GetSecretValueAsync(string secretId, SecretVersionSelector version, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
