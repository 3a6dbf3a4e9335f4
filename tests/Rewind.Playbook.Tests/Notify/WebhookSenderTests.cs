using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Rewind.Playbook.Notify;
using Rewind.Playbook.Tests.Fakes;
using Xunit;

namespace Rewind.Playbook.Tests.Notify;

/// <summary>One webhook delivery: the exact POST, which answers are retried, and failures that never show the URL.</summary>
public sealed class WebhookSenderTests
{
    private const string Url = "https://hooks.example/T000/B000/secret-token";
    private readonly ScriptedHttp _http = new();
    private readonly FakeTimeProvider _clock = new(ProcessRun.Epoch);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly JsonObject Payload = new() { ["text"] = "hello", ["n"] = 1 };

    private WebhookSender Sender(int attempts = 3) => new(_http.Client(), new WebhookOptions(TimeSpan.FromSeconds(5), attempts, TimeSpan.Zero), _clock);

    [Fact]
    public void Given_the_defaults_when_read_then_they_are_5_s_3_attempts_and_half_a_second()
    {
        Assert.Equal(new WebhookOptions(TimeSpan.FromSeconds(5), 3, TimeSpan.FromMilliseconds(500)), WebhookOptions.Default);
        Assert.Equal(WebhookOptions.Default, WebhookSender.Default.Options);
        Assert.Equal(Timeout.InfiniteTimeSpan, WebhookSender.SharedHttp.Timeout);
    }

    [Fact]
    public async Task Given_a_receiver_that_accepts_when_posted_then_the_payload_goes_as_JSON_with_the_key_and_user_agent()
    {
        _http.Then(HttpStatusCode.OK, "ok");

        var attempt = await Sender().PostAsync(Url, "run-1/notify/finished/team/slack", Payload, Ct);

        Assert.Equal(new DeliveryAttempt(200, null, 1), attempt);
        Assert.True(attempt.Ok);
        Assert.Equal("200", attempt.Status);
        var sent = Assert.Single(_http.Requests);
        Assert.Equal($"POST {Url}", sent.Line);
        Assert.Equal("""{"text":"hello","n":1}""", sent.Body);
        Assert.Equal("application/json; charset=utf-8", sent.Header("Content-Type"));
        Assert.Equal("run-1/notify/finished/team/slack", sent.Header("Idempotency-Key"));
        Assert.Equal("rewind/1", sent.Header("User-Agent"));
    }

    [Theory]
    [InlineData(HttpStatusCode.NoContent, true)]
    [InlineData((HttpStatusCode)299, true)]
    [InlineData((HttpStatusCode)300, false)]
    [InlineData(HttpStatusCode.BadRequest, false)]
    public void Given_a_status_when_judged_then_only_2xx_is_ok(HttpStatusCode status, bool ok)
    {
        Assert.Equal(ok, new DeliveryAttempt((int)status, null, 1).Ok);
        Assert.False(new DeliveryAttempt(199, null, 1).Ok);
        Assert.Equal("error", new DeliveryAttempt(null, "x", 1).Status);
        Assert.False(new DeliveryAttempt(null, "x", 1).Ok);
    }

    [Fact]
    public async Task Given_a_receiver_that_refuses_when_posted_then_it_is_not_retried_and_the_answer_is_in_the_error()
    {
        _http.Then(HttpStatusCode.NotFound, "no_service\n\tgone");

        var attempt = await Sender().PostAsync(Url, "k", Payload, Ct);

        Assert.Equal(new DeliveryAttempt(404, "HTTP 404 (no_service gone) after 1 attempt(s)", 1), attempt);
        Assert.Single(_http.Requests);
    }

    [Fact]
    public async Task Given_an_empty_refusal_when_posted_then_the_error_has_no_parentheses()
    {
        _http.Then(HttpStatusCode.Forbidden, "");

        Assert.Equal("HTTP 403 after 1 attempt(s)", (await Sender().PostAsync(Url, "k", Payload, Ct)).Error);
    }

    [Fact]
    public async Task Given_a_long_answer_when_refused_then_the_error_keeps_its_first_119_characters_and_an_ellipsis()
    {
        _http.Then(HttpStatusCode.BadRequest, new string('a', 200));

        var error = (await Sender(attempts: 1).PostAsync(Url, "k", Payload, Ct)).Error;

        Assert.Equal($"HTTP 400 ({new string('a', 119)}…) after 1 attempt(s)", error);
    }

    [Fact]
    public async Task Given_an_answer_of_exactly_120_characters_when_refused_then_it_is_kept_whole()
    {
        _http.Then(HttpStatusCode.BadRequest, new string('a', 120));

        Assert.Equal($"HTTP 400 ({new string('a', 120)}) after 1 attempt(s)", (await Sender(attempts: 1).PostAsync(Url, "k", Payload, Ct)).Error);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task Given_a_receiver_failing_then_recovering_when_posted_then_it_is_retried_with_the_same_key_and_bytes(HttpStatusCode failure)
    {
        _http.Then(failure, "busy").Then(failure, "busy").Then(HttpStatusCode.OK, "ok");

        var attempt = await Sender().PostAsync(Url, "k", Payload, Ct);

        Assert.Equal(new DeliveryAttempt(200, null, 3), attempt);
        Assert.Equal(3, _http.Requests.Count);
        Assert.Single(_http.Requests.Select(r => (r.Body, r.Header("Idempotency-Key"))).Distinct());
    }

    [Fact]
    public async Task Given_a_receiver_failing_every_time_when_posted_then_the_last_answer_is_returned_after_every_attempt()
    {
        _http.Then(HttpStatusCode.BadGateway, "");

        var attempt = await Sender().PostAsync(Url, "k", Payload, Ct);

        Assert.Equal(new DeliveryAttempt(502, "HTTP 502 after 3 attempt(s)", 3), attempt);
        Assert.Equal(3, _http.Requests.Count);
    }

    [Fact]
    public async Task Given_one_attempt_allowed_when_the_receiver_fails_then_nothing_is_retried()
    {
        _http.Then(HttpStatusCode.InternalServerError, "");

        Assert.Equal(1, (await Sender(attempts: 1).PostAsync(Url, "k", Payload, Ct)).Attempts);
        Assert.Single(_http.Requests);
    }

    [Fact]
    public async Task Given_the_connection_refused_when_posted_then_it_is_retried_and_the_error_names_the_reason_not_the_url()
    {
        _http.ThenThrow(new HttpRequestException(HttpRequestError.ConnectionError, $"refused {Url}"));

        var attempt = await Sender().PostAsync(Url, "k", Payload, Ct);

        Assert.Equal(new DeliveryAttempt(null, "connection failed (ConnectionError) after 3 attempt(s)", 3), attempt);
        Assert.Equal(3, _http.Requests.Count);
    }

    [Fact]
    public async Task Given_no_answer_within_the_attempt_timeout_when_posted_then_the_delivery_fails_saying_how_long_it_waited()
    {
        var hanging = new HangingHttp();
        var sender = new WebhookSender(new HttpClient(hanging), new WebhookOptions(TimeSpan.FromSeconds(2.5), 1, TimeSpan.Zero), _clock);

        var posting = sender.PostAsync(Url, "k", Payload, Ct);
        await hanging.Arrived.Task;
        _clock.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(new DeliveryAttempt(null, "no answer within 2.5 s after 1 attempt(s)", 1), await posting);
    }

    [Fact]
    public async Task Given_the_run_cancelled_when_posting_then_the_cancellation_propagates()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Sender().PostAsync(Url, "k", Payload, cancelled.Token));
    }

    [Theory]
    [InlineData("not a url", "the variable does not hold an http(s) URL")]
    [InlineData("ftp://hooks.example/x", "the variable does not hold an http(s) URL")]
    [InlineData("/relative", "the variable does not hold an http(s) URL")]
    [InlineData("https://user:pass@hooks.example/x", "the variable holds a URL with a user name or password, so nothing was sent: " + WebhookSender.CredentialsHint)]
    public async Task Given_a_variable_that_is_no_usable_url_when_posted_then_nothing_is_sent(string url, string error)
    {
        var attempt = await Sender().PostAsync(url, "k", Payload, Ct);

        Assert.Equal(new DeliveryAttempt(null, error, 0), attempt);
        Assert.Empty(_http.Requests);
    }

    [Theory]
    [InlineData("https://hooks.example/x", null)]
    [InlineData(" http://hooks.example/x ", null)]
    [InlineData("ftp://hooks.example/x", "does not hold an http(s) URL")]
    [InlineData("hooks.example/x", "does not hold an http(s) URL")]
    [InlineData("https://u:p@hooks.example/x", "holds a URL with a user name or password (the URL is not shown): " + WebhookSender.CredentialsHint)]
    public void Given_a_url_when_checked_then_the_problem_is_named_without_the_url(string url, string? problem)
    {
        Assert.Equal(problem, WebhookSender.UrlProblem(url));
    }
}
