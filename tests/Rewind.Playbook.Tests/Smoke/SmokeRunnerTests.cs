using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Rewind.Core.Configuration;
using Rewind.Playbook.Smoke;
using Rewind.Playbook.Tests.Fakes;
using Xunit;

namespace Rewind.Playbook.Tests.Smoke;

/// <summary>The smoke runner below any server: the exact requests, each way a check fails, retries, and a log that never holds the key.</summary>
public sealed class SmokeRunnerTests : IDisposable
{
    private const string Key = "k-0123456789";
    private static readonly Uri Base = new("http://svc.example/base/");

    private readonly ScriptedHttp _http = new();
    private readonly FakeTimeProvider _clock = new(ProcessRun.Epoch);
    private readonly DirectoryInfo _logs = Directory.CreateTempSubdirectory("rewind-smoke-runner-");
    private readonly List<string> _progress = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ApiKey TheKey => ApiKey.FromEnvironment("SMOKE_API_KEY", _ => Key)!;

    public void Dispose() => _logs.Delete(recursive: true);

    private static SmokeCheck Check(
        string name = "health", string method = "GET", string path = "/health", string? body = null, string[]? status = null, string? contains = null,
        string? regex = null, string[]? jsonPaths = null, TimeSpan? budget = null, params SmokeHeader[] headers) =>
        new(name, method, path, new(headers), body, new(status ?? ["200"]), contains, regex, new(jsonPaths ?? []), budget);

    private async Task<(IReadOnlyList<SmokeCheckOutcome> Results, string[] Log)> RunAsync(
        IReadOnlyList<SmokeCheck> checks, ApiKey? key = null, int retries = 0, TimeSpan? timeout = null, CancellationToken? cancellationToken = null)
    {
        var runner = new SmokeRunner(_http.Client(), new SmokeOptions(retries, timeout ?? TimeSpan.FromSeconds(5), TimeSpan.Zero), _clock);
        string path;
        IReadOnlyList<SmokeCheckOutcome> results;
        using (var log = SmokeLog.Create(_logs.FullName, "run-1", _clock))
        {
            path = log.Path;
            results = await runner.RunAsync(Base, checks, key, log, _progress.Add, cancellationToken ?? Ct);
        }
        return (results, [.. File.ReadAllLines(path).Select(l => l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..])]);
    }

    [Fact]
    public void Given_a_smoke_section_when_options_are_made_then_retries_timeout_and_backoff_come_from_it()
    {
        var section = new SmokeSection("http://x/", null, null, 4, TimeSpan.FromSeconds(9)) { Backoff = TimeSpan.FromSeconds(3) };

        Assert.Equal(new SmokeOptions(4, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(3)), SmokeOptions.From(section));
        Assert.Throws<ArgumentNullException>(() => SmokeOptions.From(null!));
    }

    [Fact]
    public async Task Given_checks_that_pass_when_run_then_each_request_is_exact_and_the_log_tells_the_story()
    {
        _http.Then(HttpStatusCode.OK, """{"status":"ok","request_id":"r-1"}""");
        var enqueue = Check("enqueue", "POST", "/api/enqueue", """  {"prompt":"x"}""", ["2xx"], jsonPaths: ["$.request_id"], headers: [new("X-API-Key", "{api_key}"), new("X-Trace", "t-1")]);

        var (results, log) = await RunAsync([Check(), enqueue], TheKey);

        Assert.Equal([new SmokeCheckOutcome("health", 200, 0, 1, true, null, false), new SmokeCheckOutcome("enqueue", 200, 0, 1, true, null, false)], results);
        Assert.Equal(["GET http://svc.example/base/health", "POST http://svc.example/base/api/enqueue"], _http.Requests.Select(r => r.Line));
        Assert.Null(_http.Requests[0].Body);
        var post = _http.Requests[1];
        Assert.Equal((Key, "t-1", "application/json; charset=utf-8", """  {"prompt":"x"}"""), (post.Header("X-API-Key"), post.Header("X-Trace"), post.Header("Content-Type"), post.Body));
        Assert.Equal(
            [
                "smoke tests against http://svc.example/base/: 2 check(s), 0 retries, timeout 5 s, api key env:SMOKE_API_KEY",
                "health: GET /health attempt 1: 200 in 0 ms: ok",
                "health: PASS after 1 attempt(s)",
                "enqueue: POST /api/enqueue attempt 1: 200 in 0 ms: ok",
                "enqueue: PASS after 1 attempt(s)",
                "2/2 checks passed",
            ],
            log);
        Assert.Empty(_progress);
    }

    [Theory]
    [InlineData("[1,2]", "application/json; charset=utf-8")]
    [InlineData("plain words", "text/plain; charset=utf-8")]
    [InlineData("key={api_key}", "text/plain; charset=utf-8")]
    public async Task Given_a_body_when_sent_then_its_type_follows_its_first_character_and_the_key_is_filled(string body, string type)
    {
        await RunAsync([Check(method: "PUT", body: body)], TheKey);

        var sent = Assert.Single(_http.Requests);
        Assert.Equal((type, body.Replace("{api_key}", Key, StringComparison.Ordinal)), (sent.Header("Content-Type"), sent.Body));
    }

    [Fact]
    public async Task Given_no_key_when_run_then_placeholders_go_as_written_and_the_log_says_none()
    {
        var (_, log) = await RunAsync([Check(body: "{api_key}", headers: new SmokeHeader("X-API-Key", "{api_key}"))], key: null, timeout: TimeSpan.FromMilliseconds(2500));

        var sent = Assert.Single(_http.Requests);
        Assert.Equal(("{api_key}", "{api_key}"), (sent.Header("X-API-Key"), sent.Body));
        Assert.Equal("smoke tests against http://svc.example/base/: 1 check(s), 0 retries, timeout 2.5 s, api key none", log[0]);
    }

    [Fact]
    public async Task Given_a_base_url_without_a_trailing_slash_when_run_then_the_path_is_joined_once()
    {
        var runner = new SmokeRunner(_http.Client(), new SmokeOptions(0, TimeSpan.FromSeconds(5), TimeSpan.Zero), _clock);
        using var log = SmokeLog.Create(_logs.FullName, "run-2", _clock);

        await runner.RunAsync(new Uri("http://svc.example"), [Check()], null, log, null, Ct);

        Assert.Equal("GET http://svc.example/health", Assert.Single(_http.Requests).Line);
    }

    [Fact]
    public async Task Given_an_unexpected_status_when_run_then_the_error_has_the_statuses_and_a_redacted_one_line_excerpt()
    {
        _http.Then(HttpStatusCode.InternalServerError, $"oops\r\n  key {Key} rejected  \n\nbye");

        var (results, log) = await RunAsync([Check(status: ["2xx", "429"])], TheKey);

        var failed = Assert.Single(results);
        Assert.Equal(new SmokeCheckOutcome("health", 500, 0, 1, false, "status 500, expected 2xx or 429 (body: oops key *** rejected bye)", false), failed);
        Assert.Equal("health: FAIL after 1 attempt(s): status 500, expected 2xx or 429 (body: oops key *** rejected bye)", log[^2]);
        Assert.Equal("0/1 checks passed", log[^1]);
        Assert.DoesNotContain(log, l => l.Contains(Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Given_a_long_body_when_it_fails_then_the_excerpt_is_cut_at_120_characters_after_redaction()
    {
        _http.Then(HttpStatusCode.BadRequest, new string('b', 118) + Key + new string('c', 50));

        var (results, _) = await RunAsync([Check()], TheKey);

        Assert.Equal($"status 400, expected 200 (body: {new string('b', 118)}**…)", results[0].Error);
    }

    [Fact]
    public async Task Given_a_body_of_exactly_120_characters_when_it_fails_then_it_is_shown_whole()
    {
        _http.Then(HttpStatusCode.BadRequest, new string('b', 120));

        var (results, _) = await RunAsync([Check()]);

        Assert.Equal($"status 400, expected 200 (body: {new string('b', 120)})", results[0].Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \r\n ")]
    public async Task Given_an_empty_body_when_it_fails_then_there_is_no_excerpt(string body)
    {
        _http.Then(HttpStatusCode.BadGateway, body);

        var (results, _) = await RunAsync([Check()]);

        Assert.Equal("status 502, expected 200", results[0].Error);
    }

    [Fact]
    public async Task Given_a_body_that_does_not_match_when_run_then_the_body_problem_and_excerpt_are_the_error()
    {
        _http.Then(HttpStatusCode.OK, """{"status":"down"}""");

        var (results, _) = await RunAsync([Check(contains: "\"ok\"")]);

        Assert.Equal("body does not contain '\"ok\"' (body: {\"status\":\"down\"})", results[0].Error);
        Assert.False(results[0].Ok);
    }

    [Fact]
    public async Task Given_a_slow_answer_when_run_then_a_check_over_its_latency_budget_fails()
    {
        _http.Answer = _ =>
        {
            _clock.Advance(TimeSpan.FromMilliseconds(1501));
            return new ScriptedAnswer(HttpStatusCode.OK, "{}");
        };

        var (results, log) = await RunAsync([Check(budget: TimeSpan.FromMilliseconds(1500)), Check("second", budget: TimeSpan.FromMilliseconds(1501))]);

        Assert.Equal(new SmokeCheckOutcome("health", 200, 1501, 1, false, "answered in 1501 ms, over its 1500 ms budget", false), results[0]);
        Assert.True(results[1].Ok);
        Assert.Equal("health: GET /health attempt 1: 200 in 1501 ms: answered in 1501 ms, over its 1500 ms budget", log[1]);
    }

    [Fact]
    public async Task Given_a_check_failing_then_passing_when_retried_then_it_passes_after_two_attempts_and_progress_hears_the_retry()
    {
        _http.Then(HttpStatusCode.ServiceUnavailable, "").Then(HttpStatusCode.OK, "{}");

        var (results, log) = await RunAsync([Check()], retries: 2);

        Assert.Equal(new SmokeCheckOutcome("health", 200, 0, 2, true, null, false), Assert.Single(results));
        Assert.Equal(["health: retry 1 of 2 in 0 s (status 503, expected 200)"], _progress);
        Assert.Equal(
            ["health: GET /health attempt 1: 503 in 0 ms: status 503, expected 200", "health: GET /health attempt 2: 200 in 0 ms: ok", "health: PASS after 2 attempt(s)"],
            log[1..4]);
    }

    [Fact]
    public async Task Given_a_check_failing_every_time_when_retried_then_every_retry_is_spent_and_the_last_error_stays()
    {
        _http.Then(HttpStatusCode.InternalServerError, "");

        var (results, _) = await RunAsync([Check()], retries: 2);

        Assert.Equal((3, false, "status 500, expected 200"), (results[0].Attempts, results[0].Ok, results[0].Error));
        Assert.Equal(3, _http.Requests.Count);
        Assert.Equal(["health: retry 1 of 2 in 0 s (status 500, expected 200)", "health: retry 2 of 2 in 0 s (status 500, expected 200)"], _progress);
    }

    [Fact]
    public async Task Given_a_backoff_when_retried_then_the_waits_double_on_the_runners_clock()
    {
        _http.Then(HttpStatusCode.InternalServerError, "");
        var runner = new SmokeRunner(_http.Client(), new SmokeOptions(2, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1.5)), _clock);
        using var log = SmokeLog.Create(_logs.FullName, "run-3", _clock);

        var running = runner.RunAsync(Base, [Check()], null, log, _progress.Add, Ct);
        while (!running.IsCompleted)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(1, Ct);
        }

        Assert.Equal(3, (await running)[0].Attempts);
        Assert.Equal(["health: retry 1 of 2 in 1.5 s (status 500, expected 200)", "health: retry 2 of 2 in 3 s (status 500, expected 200)"], _progress);
    }

    [Theory]
    [InlineData(SocketError.ConnectionRefused, "connection refused", true)]
    [InlineData(SocketError.HostNotFound, "host not found", true)]
    [InlineData(SocketError.NoData, "host not found", true)]
    [InlineData(SocketError.TryAgain, "host not found", true)]
    [InlineData(SocketError.HostUnreachable, "connection failed (HostUnreachable)", true)]
    [InlineData(SocketError.NetworkUnreachable, "connection failed (NetworkUnreachable)", true)]
    [InlineData(SocketError.TimedOut, "connection failed (TimedOut)", false)]
    public async Task Given_a_socket_failure_when_run_then_it_is_named_and_only_a_missing_service_is_unreachable(SocketError error, string message, bool unreachable)
    {
        _http.ThenThrow(new HttpRequestException("failed", new SocketException((int)error)));

        var (results, log) = await RunAsync([Check()]);

        Assert.Equal(new SmokeCheckOutcome("health", null, 0, 1, false, message, unreachable), results[0]);
        Assert.Equal($"health: GET /health attempt 1: no answer in 0 ms: {message}", log[1]);
    }

    [Theory]
    [InlineData(HttpRequestError.NameResolutionError, "host not found", true)]
    [InlineData(HttpRequestError.ConnectionError, "request failed (ConnectionError: refused by ***)", true)]
    [InlineData(HttpRequestError.SecureConnectionError, "request failed (SecureConnectionError: refused by ***)", false)]
    public async Task Given_a_request_failure_without_a_socket_error_when_run_then_its_kind_is_named_and_the_key_redacted(HttpRequestError error, string message, bool unreachable)
    {
        _http.ThenThrow(new HttpRequestException(error, $"refused by {Key}."));

        var (results, _) = await RunAsync([Check()], TheKey);

        Assert.Equal((message, unreachable), (results[0].Error, results[0].Unreachable));
    }

    [Fact]
    public async Task Given_no_answer_within_the_timeout_when_run_then_the_attempt_fails_as_a_timeout()
    {
        var runner = new SmokeRunner(new HttpClient(new HangingHttp()), new SmokeOptions(0, TimeSpan.FromMilliseconds(20), TimeSpan.Zero), _clock);
        using var log = SmokeLog.Create(_logs.FullName, "run-4", _clock);

        var results = await runner.RunAsync(Base, [Check()], null, log, null, Ct);

        Assert.Equal(new SmokeCheckOutcome("health", null, 0, 1, false, "no answer within 0.02 s (timeout)", false), results[0]);
    }

    [Fact]
    public async Task Given_the_run_cancelled_when_run_then_the_cancellation_propagates()
    {
        var runner = new SmokeRunner(new HttpClient(new HangingHttp()), new SmokeOptions(0, TimeSpan.FromSeconds(30), TimeSpan.Zero), _clock);
        using var log = SmokeLog.Create(_logs.FullName, "run-5", _clock);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.RunAsync(Base, [Check()], null, log, null, cancelled.Token));
    }

    [Fact]
    public async Task Given_a_body_beyond_one_mebibyte_when_checked_then_only_its_first_mebibyte_is_read()
    {
        _http.Then(HttpStatusCode.OK, new string('a', 1024 * 1024) + "tail");

        var (results, _) = await RunAsync([Check(contains: "tail"), Check("head", contains: new string('a', 1024 * 1024))]);

        Assert.False(results[0].Ok);
        Assert.StartsWith("body does not contain 'tail'", results[0].Error, StringComparison.Ordinal);
        Assert.True(results[1].Ok);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/")]
    [InlineData("https://alb.example/")]
    public void Given_a_base_url_when_a_client_is_made_then_it_has_no_overall_timeout(string url)
    {
        using var client = SmokeRunner.CreateHttpClient(new Uri(url));

        Assert.Equal(Timeout.InfiniteTimeSpan, client.Timeout);
    }
}
