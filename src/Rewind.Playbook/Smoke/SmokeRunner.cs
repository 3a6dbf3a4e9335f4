using System.Net.Sockets;
using System.Text;
using Polly;
using Polly.Retry;
using Rewind.Core.Configuration;

namespace Rewind.Playbook.Smoke;

/// <summary>Retries per check after the first attempt, the wait before the first retry (doubled after), and one request's timeout.</summary>
public sealed record SmokeOptions(int Retries, TimeSpan Timeout, TimeSpan Backoff)
{
    public static SmokeOptions From(SmokeSection section) =>
        new((section ?? throw new ArgumentNullException(nameof(section))).Retries, section.Timeout, section.Backoff);
}

/// <summary>
/// Runs smoke checks against a base URL over one HttpClient: each request bounded by the timeout, each check retried
/// with exponential backoff (Polly) until it passes or its retries are spent, each attempt written to the log.
/// </summary>
public sealed class SmokeRunner(HttpClient http, SmokeOptions options, TimeProvider time)
{
    private const int MaxBodyChars = 1024 * 1024;

    /// <summary>One HttpClient for smoke tests: no redirects followed (the status is the service's own), no proxy for loopback.</summary>
    public static HttpClient CreateHttpClient(Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        return new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = !baseUrl.IsLoopback,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        })
        { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    /// <summary>Runs the checks in order (their log reads as a story); <paramref name="progress"/> hears each attempt.</summary>
    public async Task<IReadOnlyList<SmokeCheckOutcome>> RunAsync(
        Uri baseUrl, IReadOnlyList<SmokeCheck> checks, ApiKey? key, SmokeLog log, Action<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(checks);
        ArgumentNullException.ThrowIfNull(log);
        var redact = key is null ? (Func<string, string>)(text => text) : key.Redact;
        log.RedactWith(redact);
        log.Write($"smoke tests against {baseUrl}: {checks.Count} check(s), {options.Retries} retries, timeout {options.Timeout.TotalSeconds:0.###} s, api key {(key is null ? "none" : key.Source)}");
        var results = new List<SmokeCheckOutcome>();
        foreach (var check in checks)
        {
            var result = await RunCheckAsync(baseUrl, check, key, redact, log, progress, cancellationToken);
            log.Write($"{check.Name}: {(result.Ok ? "PASS" : "FAIL")} after {result.Attempts} attempt(s){(result.Error is null ? "" : ": " + result.Error)}");
            results.Add(result);
        }
        log.Write($"{results.Count(r => r.Ok)}/{results.Count} checks passed");
        return results;
    }

    private async Task<SmokeCheckOutcome> RunCheckAsync(
        Uri baseUrl, SmokeCheck check, ApiKey? key, Func<string, string> redact, SmokeLog log, Action<string>? progress, CancellationToken cancellationToken)
    {
        var builder = new ResiliencePipelineBuilder<SmokeCheckOutcome> { TimeProvider = time };
        if (options.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<SmokeCheckOutcome>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Ok: false }),
                MaxRetryAttempts = options.Retries,
                Delay = options.Backoff,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                OnRetry = args =>
                {
                    progress?.Invoke($"{check.Name}: retry {args.AttemptNumber + 1} of {options.Retries} in {args.RetryDelay.TotalSeconds:0.#} s ({args.Outcome.Result?.Error})");
                    return default;
                },
            });
        }
        var attempts = 0;
        var result = await builder.Build().ExecuteAsync(
            async ct =>
            {
                attempts++;
                var attempt = await AttemptAsync(baseUrl, check, key, redact, ct);
                log.Write($"{check.Name}: {check.Method} {check.Path} attempt {attempts}: "
                    + $"{(attempt.Status is { } s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no answer")} in {attempt.LatencyMs} ms: {attempt.Error ?? "ok"}");
                return attempt;
            },
            cancellationToken);
        return result with { Attempts = attempts };
    }

    private async Task<SmokeCheckOutcome> AttemptAsync(Uri baseUrl, SmokeCheck check, ApiKey? key, Func<string, string> redact, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(new HttpMethod(check.Method), new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + check.Path));
        foreach (var header in check.Headers)
        {
            var value = key is null ? header.Value : key.Fill(header.Value);
            request.Headers.TryAddWithoutValidation(header.Name, value);
        }
        if (check.Body is { } body)
        {
            var json = body.TrimStart().StartsWith('{') || body.TrimStart().StartsWith('[');
            request.Content = new StringContent(key is null ? body : key.Fill(body), Encoding.UTF8, json ? "application/json" : "text/plain");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var started = time.GetTimestamp();
        long Elapsed() => (long)time.GetElapsedTime(started).TotalMilliseconds;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var text = await ReadBodyAsync(response, timeout.Token);
            var latency = Elapsed();
            var status = (int)response.StatusCode;
            string? problem = null;
            if (!check.Accepts(status))
                problem = $"status {status}, expected {string.Join(" or ", check.Status)}{Excerpt(text, redact)}";
            else if (BodyMatch.Problem(check, text) is { } bodyProblem)
                problem = bodyProblem + Excerpt(text, redact);
            else if (check.LatencyBudget is { } budget && latency > budget.TotalMilliseconds)
                problem = $"answered in {latency} ms, over its {budget.TotalMilliseconds:0} ms budget";
            return new SmokeCheckOutcome(check.Name, status, latency, 1, problem is null, problem, Unreachable: false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new SmokeCheckOutcome(check.Name, null, Elapsed(), 1, false, $"no answer within {options.Timeout.TotalSeconds:0.###} s (timeout)", Unreachable: false);
        }
        catch (HttpRequestException e)
        {
            var unreachable = e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NoData or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.TryAgain }
                || e.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError;
            return new SmokeCheckOutcome(check.Name, null, Elapsed(), 1, false, redact(Describe(e)), unreachable);
        }
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var buffer = new char[MaxBodyChars];
        var read = await reader.ReadBlockAsync(buffer.AsMemory(), cancellationToken);
        return new string(buffer, 0, read);
    }

    private static string Describe(HttpRequestException e) => e.InnerException switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused",
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } => "host not found",
        SocketException socket => $"connection failed ({socket.SocketErrorCode})",
        _ when e.HttpRequestError == HttpRequestError.NameResolutionError => "host not found",
        _ => $"request failed ({e.HttpRequestError}: {e.Message.TrimEnd('.')})",
    };

    // A short, one-line, redacted piece of the body helps the operator see what came back instead.
    private static string Excerpt(string body, Func<string, string> redact)
    {
        if (string.IsNullOrWhiteSpace(body))
            return "";
        // Redacted before it is cut, so no prefix of the key can survive the cut.
        var line = redact(string.Join(' ', body.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        return $" (body: {(line.Length > 120 ? line[..120] + "…" : line)})";
    }
}
