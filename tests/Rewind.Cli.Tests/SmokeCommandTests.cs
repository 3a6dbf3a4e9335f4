using System.Text.Json;
using Rewind.Aws.SecretsManager;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Ledger.Sqlite;
using Rewind.Playbook.Smoke;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Cli.Tests;

/// <summary>
/// 'rewind smoke' against a loopback service: pass, wrong status, wrong body, slow beyond budget, flaky then passing,
/// timeout, unreachable and bad input; the API key never appears in stdout, stderr, the log file or the ledger.
/// </summary>
public sealed class SmokeCommandTests : IDisposable
{
    private static readonly StubResponse Healthy = StubResponse.Json(200, """{"status":"healthy","version":"v2"}""");
    private static readonly StubResponse Queued = StubResponse.Json(200, """{"request_id":"req-1","queued":true}""");

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-smoke-");
    private readonly string _keyVariable = "REWIND_TEST_SMOKE_KEY_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private readonly string _key = "sk-smoke-" + Guid.NewGuid().ToString("N");

    public SmokeCommandTests() => Environment.SetEnvironmentVariable(_keyVariable, _key);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_keyVariable, null);
        _folder.Delete(recursive: true);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Config(string url, string extra = "")
    {
        var path = Path.Combine(_folder.FullName, $"rewind-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $"""
            smoke:
              url: {url}
              api_key_env: {_keyVariable}
              retries: 0
              backoff: 0s
            {extra}
            ledger:
              path: {Path.Combine(_folder.FullName, "ledger.db")}
            """);
        return path;
    }

    private string ChecksFile(string yaml)
    {
        var path = Path.Combine(_folder.FullName, $"checks-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private const string HealthOnly = "- name: health\n  path: /health\n  json_path: $.status\n";

    private async Task<CliResult> SmokeAsync(string url, params string[] more) =>
        await CliRunner.RunAsync(["smoke", "--config", Config(url), .. more], cancellationToken: Ct);

    private void AssertKeyNowhere(CliResult result)
    {
        Assert.DoesNotContain(_key, result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(_key, result.Stderr, StringComparison.Ordinal);
        foreach (var log in LogsNamedIn(result))
            Assert.DoesNotContain(_key, File.ReadAllText(log), StringComparison.Ordinal);
    }

    private static IEnumerable<string> LogsNamedIn(CliResult result) =>
        (result.Stdout + "\n" + result.Stderr).Split([' ', '\n', '"', '(', ')'], StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.Contains("smoke_tests", StringComparison.Ordinal) && w.EndsWith(".log", StringComparison.Ordinal)).Distinct();

    private static JsonElement Results(CliResult result) => JsonDocument.Parse(result.Stdout).RootElement;

    [Fact]
    public async Task Given_a_healthy_service_when_smoke_tested_then_both_playbook_checks_pass_with_the_key_sent_but_never_shown()
    {
        await using var service = LoopbackStub.Start(Healthy, Queued);

        var result = await SmokeAsync(service.Url, "--output", "json");

        Assert.Equal(0, result.ExitCode);
        var json = Results(result);
        Assert.Equal(2, json.GetProperty("passed").GetInt32());
        Assert.Equal(["health", "enqueue"], json.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("check").GetString()));
        Assert.All(json.GetProperty("results").EnumerateArray(), r => Assert.Equal(1, r.GetProperty("attempts").GetInt32()));
        Assert.Equal(["GET /health", "POST /api/enqueue"], service.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.Equal(_key, service.Requests[1].Header("X-API-Key"));
        var log = Assert.Single(LogsNamedIn(result));
        Assert.Equal(Path.Combine(_folder.FullName, "logs", "smoke_tests"), Path.GetDirectoryName(log));
        Assert.Contains("enqueue: PASS", File.ReadAllText(log), StringComparison.Ordinal);
        AssertKeyNowhere(result);
    }

    [Fact]
    public async Task Given_the_config_in_another_folder_than_the_working_directory_when_smoke_tested_then_the_log_is_beside_it_and_named_by_its_absolute_path()
    {
        await using var service = LoopbackStub.Start(Healthy);
        Assert.False(Environment.CurrentDirectory.StartsWith(_folder.FullName, StringComparison.Ordinal), Environment.CurrentDirectory);

        var result = await SmokeAsync(service.Url, "--checks", ChecksFile(HealthOnly));

        Assert.Equal(0, result.ExitCode);
        var log = Assert.Single(LogsNamedIn(result));
        Assert.True(Path.IsPathFullyQualified(log), log);
        Assert.Equal(Path.Combine(_folder.FullName, "logs", "smoke_tests"), Path.GetDirectoryName(log));
        Assert.Matches("^[0-9]{8}-[0-9]{6}(-[0-9]+)?\\.log$", Path.GetFileName(log));
        Assert.Contains("health: PASS", File.ReadAllText(log), StringComparison.Ordinal);
        // Nothing of this run in the working directory's logs. Other tests write there, maybe in the same second (so
        // under the same name): a log is this run's if it names this stub's address.
        var workingLogs = Path.Combine(Environment.CurrentDirectory, "logs", "smoke_tests");
        var address = new Uri(service.Url).Authority;
        Assert.DoesNotContain(
            Directory.Exists(workingLogs) ? Directory.GetFiles(workingLogs) : [],
            file => ReadShared(file).Contains(address, StringComparison.Ordinal));
    }

    private static string ReadShared(string path)
    {
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        return reader.ReadToEnd();
    }

    [Fact]
    public async Task Given_a_wrong_status_when_smoke_tested_then_the_check_fails_with_exit_4_and_one_line()
    {
        await using var service = LoopbackStub.Start(StubResponse.Json(503, $$"""{"error":"down","echo":"{{_key}}"}"""));

        var result = await SmokeAsync(service.Url, "--checks", ChecksFile(HealthOnly));

        Assert.Equal(4, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("rewind: 1 of 1 smoke checks failed (health: status 503, expected 2xx", line, StringComparison.Ordinal);
        Assert.Contains("FAIL", result.Stdout, StringComparison.Ordinal);
        AssertKeyNowhere(result); // the service echoed the key back: masked in the error and the log
    }

    [Fact]
    public async Task Given_a_body_without_the_status_field_when_smoke_tested_then_the_check_fails()
    {
        await using var service = LoopbackStub.Start(StubResponse.Json(200, """{"healthy":true}"""));

        var result = await SmokeAsync(service.Url, "--checks", ChecksFile(HealthOnly));

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("health: body has no $.status", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_an_answer_slower_than_the_budget_when_smoke_tested_then_the_check_fails_on_latency()
    {
        await using var service = LoopbackStub.Start(Healthy with { Delay = TimeSpan.FromMilliseconds(400) });

        var result = await SmokeAsync(service.Url, "--checks", ChecksFile(HealthOnly + "  latency_budget: 100ms\n"), "--output", "json");

        Assert.Equal(4, result.ExitCode);
        var health = Assert.Single(Results(result).GetProperty("results").EnumerateArray());
        Assert.Equal(200, health.GetProperty("status").GetInt32());
        Assert.True(health.GetProperty("latencyMs").GetInt64() >= 400);
        Assert.Contains("over its 100 ms budget", health.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_flaky_service_when_smoke_tested_with_retries_then_it_passes_on_the_third_attempt()
    {
        await using var service = LoopbackStub.Start(StubResponse.Json(502, "{}"), StubResponse.Json(500, "{}"), Healthy);

        var result = await SmokeAsync(service.Url, "--checks", ChecksFile(HealthOnly), "--retries", "2", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        var health = Assert.Single(Results(result).GetProperty("results").EnumerateArray());
        Assert.Equal(3, health.GetProperty("attempts").GetInt32());
        Assert.True(health.GetProperty("ok").GetBoolean());
        Assert.Equal(3, service.Requests.Count);
        Assert.Contains("health: retry 1 of 2", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_flaky_service_when_retries_run_out_then_it_fails_after_every_attempt()
    {
        await using var service = LoopbackStub.Start(StubResponse.Json(500, "{}"), StubResponse.Json(500, "{}"), Healthy);

        var result = await SmokeAsync(service.Url, "--checks", ChecksFile(HealthOnly), "--retries", "1", "--output", "json");

        Assert.Equal(4, result.ExitCode);
        Assert.Equal(2, Assert.Single(Results(result).GetProperty("results").EnumerateArray()).GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task Given_a_service_that_never_answers_when_smoke_tested_then_the_request_times_out()
    {
        await using var service = LoopbackStub.Start(StubResponse.Stall());

        var result = await SmokeAsync(service.Url, "--checks", ChecksFile(HealthOnly), "--timeout", "0.3");

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("health: no answer within 0.3 s (timeout)", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_an_unreachable_url_when_smoke_tested_then_exit_5_says_it_cannot_be_reached()
    {
        var result = await SmokeAsync($"http://127.0.0.1:{LoopbackStub.UnusedPort()}");

        Assert.Equal(5, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("cannot be reached (connection refused)", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-a-url", "'not-a-url' is not an http or https base URL")]
    [InlineData("ftp://127.0.0.1/", "is not an http or https base URL")]
    public async Task Given_an_invalid_url_when_smoke_tested_then_it_is_bad_input(string url, string named)
    {
        var result = await CliRunner.RunAsync(["smoke", "--config", Config("http://127.0.0.1:9"), "--url", url], cancellationToken: Ct);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(named, Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_check_file_with_an_unknown_field_when_smoke_tested_then_it_is_bad_input_naming_the_field()
    {
        var checks = ChecksFile("- name: health\n  path: /health\n  statuss: 200\n");

        var result = await SmokeAsync("http://127.0.0.1:9", "--checks", checks);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"rewind: {checks}:3:3: unknown key 'statuss' in checks[0] (did you mean 'status'?)", line);
    }

    [Fact]
    public async Task Given_no_api_key_in_the_environment_when_the_enqueue_check_needs_one_then_it_is_bad_input()
    {
        Environment.SetEnvironmentVariable(_keyVariable, null);
        await using var service = LoopbackStub.Start(Healthy);

        var result = await SmokeAsync(service.Url);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"smoke check 'enqueue' sends the API key but ${_keyVariable} is not set", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(service.Requests);
    }

    [Fact]
    public async Task Given_the_key_as_a_flag_when_smoke_tested_then_it_warns_and_still_never_prints_it()
    {
        await using var service = LoopbackStub.Start(Healthy, Queued);

        var result = await SmokeAsync(service.Url, "--api-key", _key);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--api-key is visible to anyone who can list processes", result.Stderr, StringComparison.Ordinal);
        AssertKeyNowhere(result);
    }

    [Fact]
    public async Task Given_the_smoke_step_in_a_run_then_its_evidence_is_journaled_and_the_ledger_never_holds_the_key()
    {
        await using var service = LoopbackStub.Start(Healthy, StubResponse.Json(200, $$"""{"request_id":"r","queued":true,"key":"{{_key}}"}"""));
        var config = RewindConfigLoader.Load(Config(service.Url), Environment.GetEnvironmentVariable);
        var step = new SmokeStep(config.Smoke!, new NoSecrets(), Environment.GetEnvironmentVariable, _folder.FullName);
        var ledgerPath = Path.Combine(_folder.FullName, "run-ledger.db");
        RunOutcome outcome;
        await using (var ledger = await SqliteLedger.OpenAsync(ledgerPath, Ct))
        {
            var plan = await new RollbackPlanner([step], TimeProvider.System).PlanAsync("api", null, StepSelection.All, Ct);
            outcome = await new RunExecutor(ledger, [step], new SilentObserver(), TimeProvider.System)
                .StartAsync(plan, EngineJson.Serialize(plan), new Operator("test", "host"), Ct);
        }

        var evidence = Assert.IsType<Core.Evidence.SmokePassed>(Assert.Single(outcome.Steps).Result.Evidence);
        Assert.Equal(2, evidence.Passed);
        Assert.EndsWith($"{outcome.RunId}.log", evidence.Log, StringComparison.Ordinal);
        Assert.Equal(2, evidence.Results.Count);
        foreach (var file in Directory.GetFiles(_folder.FullName, "run-ledger.db*").Append(evidence.Log!))
            Assert.DoesNotContain(_key, System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(file)), StringComparison.Ordinal);
    }

    private sealed class SilentObserver : IRunObserver
    {
        public void StepStarted(StepPlan step) { }

        public void StepProgress(string step, string message) { }

        public void StepFinished(StepPlan step, StepResult result, TimeSpan duration) { }
    }

    private sealed class NoSecrets : ISecretsManagerClient
    {
        public Task<SecretVersionValue> GetSecretValueAsync(string secretId, SecretVersionSelector version, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the key comes from the environment here");

        public Task<SecretDescription?> DescribeSecretAsync(string secretId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<SecretVersion>> ListSecretVersionIdsAsync(string secretId, bool includeDeprecated, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<SecretIdentity> UpdateSecretVersionStageAsync(SecretStageMove move, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
