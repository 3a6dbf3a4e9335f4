using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Rewind.Core;

namespace Rewind.Playbook.Notify;

/// <summary>How hard a delivery tries: per-attempt timeout, attempts, and the first retry delay (doubled, jittered).</summary>
public sealed record WebhookOptions(TimeSpan AttemptTimeout, int MaxAttempts, TimeSpan RetryDelay)
{
    /// <summary>5 s per attempt, 3 attempts: a dead receiver costs a rollback's announcement at most ~17 s, never the rollback.</summary>
    public static WebhookOptions Default { get; } = new(TimeSpan.FromSeconds(5), 3, TimeSpan.FromMilliseconds(500));
}

/// <summary>How one delivery ended: the receiver's HTTP status, or an error (timeout, refused) without the URL.</summary>
public sealed record DeliveryAttempt(int? HttpStatus, string? Error, int Attempts)
{
    public bool Ok => HttpStatus is >= 200 and < 300;

    /// <summary>The HTTP status code, or <c>error</c> when none came back (evidence <c>A.status</c>).</summary>
    public string Status => HttpStatus?.ToString(CultureInfo.InvariantCulture) ?? "error";
}

/// <summary>
/// POSTs one JSON payload to a webhook through one <see cref="HttpClient"/>, with a per-attempt timeout and a few
/// retries on 5xx, 429, connection failures and timeouts (Polly). The URL is a secret: no message it writes contains it.
/// </summary>
public sealed class WebhookSender(HttpClient http, WebhookOptions options, TimeProvider time)
{
    /// <summary>One client for every webhook of the process; timeouts are per attempt (Polly), not HttpClient's.</summary>
    public static HttpClient SharedHttp { get; } = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public static WebhookSender Default { get; } = new(SharedHttp, WebhookOptions.Default, TimeProvider.System);

    public WebhookOptions Options => options;

    /// <summary>Where a webhook's credential goes instead of <c>user:password@</c> in its URL.</summary>
    public const string CredentialsHint = "a webhook URL carries its token in its path or query (as Slack's do); give one without user:password@";

    /// <summary>Sends <paramref name="payload"/>; the outbox key goes along as <c>Idempotency-Key</c> so a receiver can drop a repeat.</summary>
    public async Task<DeliveryAttempt> PostAsync(string url, string idempotencyKey, JsonObject payload, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return new DeliveryAttempt(null, "the variable does not hold an http(s) URL", 0);
        if (UrlCredentials.In(uri))
            return new DeliveryAttempt(null, $"the variable holds a URL with a user name or password, so nothing was sent: {CredentialsHint}", 0);
        var body = payload.ToJsonString();
        var attempts = 0;
        try
        {
            var (status, answer) = await _pipeline.ExecuteAsync(async ct =>
            {
                attempts++;
                using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
                request.Headers.UserAgent.Add(new ProductInfoHeaderValue("rewind", "1"));
                using var response = await http.SendAsync(request, ct);
                var text = await response.Content.ReadAsStringAsync(ct);
                return ((int)response.StatusCode, OneLine(text));
            }, cancellationToken);
            return status is >= 200 and < 300
                ? new DeliveryAttempt(status, null, attempts)
                : new DeliveryAttempt(status, $"HTTP {status}{(answer.Length > 0 ? $" ({answer})" : "")} after {attempts} attempt(s)", attempts);
        }
        catch (Exception e) when (e is TimeoutRejectedException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            var reason = e is TimeoutRejectedException
                ? $"no answer within {options.AttemptTimeout.TotalSeconds:0.#} s"
                : $"connection failed ({((HttpRequestException)e).HttpRequestError})";
            return new DeliveryAttempt(null, $"{reason} after {attempts} attempt(s)", attempts);
        }
    }

    private readonly ResiliencePipeline<(int Status, string Answer)> _pipeline = Build(options, time);

    private static ResiliencePipeline<(int Status, string Answer)> Build(WebhookOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder<(int Status, string Answer)> { TimeProvider = time };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<(int Status, string Answer)>
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: TimeoutRejectedException or HttpRequestException } => true,
                    { Exception: null, Result.Status: >= 500 or 429 } => true,
                    _ => false,
                }),
            });
        }
        return builder.AddTimeout(options.AttemptTimeout).Build();
    }

    /// <summary>Why <paramref name="url"/> cannot be posted to ("does not hold an http(s) URL"), or null; never contains the URL.</summary>
    public static string? UrlProblem(string url) =>
        !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") ? "does not hold an http(s) URL"
        : UrlCredentials.In(uri) ? $"holds a URL with a user name or password (the URL is not shown): {CredentialsHint}"
        : null;

    private static string OneLine(string text)
    {
        var line = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return line.Length <= 120 ? line : line[..119] + "…";
    }
}
