using System.Net;
using System.Text.Json.Nodes;
using Rewind.Core;
using Rewind.Playbook.Incident;
using Rewind.Playbook.Notify;
using Rewind.Playbook.Tests.Fakes;
using Xunit;

namespace Rewind.Playbook.Tests.Incident;

/// <summary>The incident webhook: its URL checked as a secret, one POST with the Idempotency-Key, each answer's failure.</summary>
public sealed class IncidentWebhookTests
{
    private const string Url = "https://hooks.example/incident?token=s3cret";
    private readonly ScriptedHttp _http = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IncidentWebhook Webhook(string? url = Url, TimeSpan? timeout = null) =>
        new(_http.Client(timeout), "INCIDENT_HOOK", name => name == "INCIDENT_HOOK" ? url : null);

    private static void AssertFailure(RewindException e, string message, string hint, FailureKind kind)
    {
        Assert.Equal((message, hint, kind), (e.Message, e.Hint, e.Kind));
        Assert.DoesNotContain("s3cret", e.Message + e.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_variable_when_named_then_the_target_names_the_variable_not_the_url()
    {
        Assert.Equal("webhook:$INCIDENT_HOOK", Webhook().Target);
    }

    [Fact]
    public async Task Given_a_receiver_that_accepts_when_sent_then_one_POST_carries_the_payload_and_key_and_the_status_is_returned()
    {
        _http.Then(HttpStatusCode.Accepted, "");

        var status = await Webhook().SendAsync(new JsonObject { ["incident"] = "INC-0001" }, "run-1/incident/webhook", Ct);

        Assert.Equal(202, status);
        var sent = Assert.Single(_http.Requests);
        Assert.Equal($"POST {Url}", sent.Line);
        Assert.Equal("""{"incident":"INC-0001"}""", sent.Body);
        Assert.Equal("run-1/incident/webhook", sent.Header("Idempotency-Key"));
        Assert.Equal("application/json; charset=utf-8", sent.Header("Content-Type"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Given_the_variable_unset_when_checked_then_it_is_bad_input(string? url)
    {
        var e = Assert.Throws<RewindException>(() => Webhook(url).Check());

        AssertFailure(e, "INCIDENT_HOOK is not set", "export INCIDENT_HOOK with the incident webhook's URL", FailureKind.BadInput);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://hooks.example/x")]
    [InlineData("file:///etc/passwd")]
    public async Task Given_a_value_that_is_not_an_http_url_when_sent_then_it_is_bad_input_and_nothing_is_sent(string url)
    {
        var e = await Assert.ThrowsAsync<RewindException>(() => Webhook(url).SendAsync([], "k", Ct));

        AssertFailure(e, "INCIDENT_HOOK does not hold an http(s) URL", "export INCIDENT_HOOK with the webhook's URL", FailureKind.BadInput);
        Assert.Empty(_http.Requests);
    }

    [Theory]
    [InlineData("http://hooks.example/x")]
    [InlineData("https://hooks.example/x")]
    public void Given_an_http_or_https_url_when_checked_then_it_passes(string url)
    {
        Webhook(url).Check();

        Assert.Empty(_http.Requests);
    }

    [Fact]
    public void Given_a_url_with_credentials_when_checked_then_it_is_bad_input_without_the_url()
    {
        var e = Assert.Throws<RewindException>(() => Webhook("https://user:s3cret@hooks.example/x").Check());

        AssertFailure(e, "the webhook URL in INCIDENT_HOOK (incident.webhook_env) has a user name or password in it (the URL is not shown)", WebhookSender.CredentialsHint, FailureKind.BadInput);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    public async Task Given_the_url_refused_when_sent_then_it_is_bad_input_naming_the_variable(HttpStatusCode status)
    {
        _http.Then(status, "");

        var e = await Assert.ThrowsAsync<RewindException>(() => Webhook().SendAsync([], "k", Ct));

        AssertFailure(e, $"the incident webhook answered {(int)status}: the URL in INCIDENT_HOOK was refused", "set INCIDENT_HOOK to the webhook's current URL", FailureKind.BadInput);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, "the incident webhook in INCIDENT_HOOK answered 404 NotFound")]
    [InlineData(HttpStatusCode.InternalServerError, "the incident webhook in INCIDENT_HOOK answered 500 InternalServerError")]
    [InlineData(HttpStatusCode.Redirect, "the incident webhook in INCIDENT_HOOK answered 302 Found")]
    public async Task Given_an_error_answer_when_sent_then_the_step_fails_with_the_status(HttpStatusCode status, string message)
    {
        _http.Then(status, "");

        var e = await Assert.ThrowsAsync<RewindException>(() => Webhook().SendAsync([], "k", Ct));

        AssertFailure(e, message, "check the receiver, then run again", FailureKind.Failed);
    }

    [Fact]
    public async Task Given_the_receiver_unreachable_when_sent_then_the_step_fails_with_the_error_kind_not_the_url()
    {
        _http.ThenThrow(new HttpRequestException(HttpRequestError.NameResolutionError, $"no host for {Url}"));

        var e = await Assert.ThrowsAsync<RewindException>(() => Webhook().SendAsync([], "k", Ct));

        AssertFailure(e, "the incident webhook in INCIDENT_HOOK could not be reached (NameResolutionError)", "check the URL and the network, then run again", FailureKind.Failed);
    }

    [Fact]
    public async Task Given_no_answer_in_time_when_sent_then_the_step_fails_with_the_timeout()
    {
        _http.ThenThrow(new TaskCanceledException("timeout"));

        var e = await Assert.ThrowsAsync<RewindException>(() => Webhook(timeout: TimeSpan.FromSeconds(10)).SendAsync([], "k", Ct));

        AssertFailure(e, "the incident webhook in INCIDENT_HOOK did not answer within 10 s", "run again", FailureKind.Failed);
    }

    [Fact]
    public async Task Given_the_run_cancelled_when_sent_then_the_cancellation_propagates()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        _http.ThenThrow(new TaskCanceledException("cancelled", null, cancelled.Token));

        await Assert.ThrowsAsync<TaskCanceledException>(() => Webhook().SendAsync([], "k", cancelled.Token));
    }
}
