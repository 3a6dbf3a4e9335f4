using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Rewind.Aws.Errors;
using Rewind.Aws.Signing;

namespace Rewind.Aws.Transport;

/// <summary>
/// Sends signed requests over one shared <see cref="HttpClient"/> as the AWS SDKs' standard retry mode does: fresh
/// credentials and signature per attempt, at most <see cref="AwsTransportOptions.MaxAttempts"/> attempts drawn from a
/// shared retry quota, full-jitter backoff (Retry-After honoured up to a cap), a per-attempt timeout and an overall
/// deadline. What may be resent depends on the call's <see cref="CallClass"/>: a throttled or never-delivered request
/// is resent whatever it is; one whose answer was lost after it was written is resent only when a second delivery
/// changes nothing, and otherwise surfaces as <see cref="AwsAnswerLostException"/>. In the adaptive mode (the default)
/// every attempt also passes the <see cref="ClientRateLimiter"/> of its API, which starts pacing once the API throttles.
/// </summary>
public sealed class AwsTransport
{
    private readonly HttpClient _http;
    private readonly AwsSession _session;
    private readonly AwsTransportOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string Service, string Operation), ClientRateLimiter> _limiters = new();

    public AwsTransport(HttpClient http, AwsSession session, AwsTransportOptions? options = null, TimeProvider? time = null)
    {
        _http = http;
        _session = session;
        _options = options ?? AwsTransportOptions.Default;
        _time = time ?? TimeProvider.System;
        Quota = new RetryQuotaBucket(_options.RetryQuota);
    }

    public AwsSession Session => _session;

    public AwsTransportOptions Options => _options;

    /// <summary>The retry quota every call of this transport draws from.</summary>
    public RetryQuotaBucket Quota { get; }

    /// <summary>
    /// The rate limiter of one API of this transport's account and region (ECS and ELBv2 throttle each action on its
    /// own), made on first use; null in the standard mode.
    /// </summary>
    public ClientRateLimiter? RateLimiterOf(AwsService service, string operation) =>
        _options.AdaptiveRateLimiting ? _limiters.GetOrAdd((service.SigningName, operation), _ => new ClientRateLimiter(_time)) : null;

    /// <summary>Raised before each retry wait, for --verbose logs and tests.</summary>
    public event Action<AwsRetryEvent>? Retrying;

    /// <summary>Raised before each attempt is sent, for --verbose logs and call counting.</summary>
    public event Action<AwsService, AwsRequest>? Sending;

    public async Task<AwsResponse> SendAsync(AwsService service, AwsRequest request, CancellationToken cancellationToken)
    {
        var endpoint = _session.Endpoints.Resolve(service, _session.Region);
        var callClass = CallClasses.Of(service, request);
        using var deadline = new CancellationTokenSource(_options.OverallTimeout, _time);
        using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var limiter = RateLimiterOf(service, request.Operation);
        var lastRetryCost = 0;
        for (var attempt = 1; ; attempt++)
        {
            if (limiter is not null)
            {
                try
                {
                    await limiter.AcquireAsync(call.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
                {
                    throw Unavailable(service, request, endpoint, new Attempt(null, FailureKind.Deadline, null, "", false, false), _options.OverallTimeout);
                }
            }
            var failure = await AttemptAsync(service, endpoint, request, call.Token, cancellationToken, deadline.Token);
            limiter?.Update(throttled: failure.Error is AwsServiceException { IsThrottling: true });
            if (failure.Response is { } response)
            {
                Quota.Succeeded(lastRetryCost);
                return response;
            }
            if (failure.Kind == FailureKind.Final)
                throw failure.Error!;
            if (failure.Kind == FailureKind.AnswerLost && !callClass.IsSafeToResend())
                throw new AwsAnswerLostException(service, request.Operation, failure.What, failure.Error);
            if (failure.Kind == FailureKind.Deadline || deadline.IsCancellationRequested)
                throw Unavailable(service, request, endpoint, failure with { Kind = FailureKind.Deadline }, _options.OverallTimeout);

            var cost = failure.IsTimeoutLike ? RetryQuotaBucket.TimeoutRetryCost : RetryQuotaBucket.RetryCost;
            if (attempt >= _options.MaxAttempts || !Quota.TryAcquire(cost))
                throw failure.Error is AwsServiceException serviceError ? serviceError : Unavailable(service, request, endpoint, failure, _options.AttemptTimeout);
            lastRetryCost = cost;

            var delay = BackoffBefore(attempt, failure.Error);
            Retrying?.Invoke(new AwsRetryEvent(service, attempt + 1, delay, failure.Error));
            try
            {
                await Task.Delay(delay, _time, call.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && deadline.IsCancellationRequested)
            {
                throw Unavailable(service, request, endpoint, failure with { Kind = FailureKind.Deadline }, _options.OverallTimeout);
            }
        }
    }

    /// <summary>How one attempt ended, unless it returned an answer.</summary>
    private enum FailureKind
    {
        /// <summary>Not worth another attempt (a 4xx other than throttling): thrown as is.</summary>
        Final,

        /// <summary>The request never reached the service, or was refused unprocessed (throttling): any call may be resent.</summary>
        NotActedOn,

        /// <summary>The request was written and the answer did not come back whole: it may have been applied.</summary>
        AnswerLost,

        /// <summary>The call's overall deadline passed.</summary>
        Deadline,
    }

    private sealed record Attempt(AwsResponse? Response, FailureKind Kind, Exception? Error, string What, bool IsTimeoutLike, bool Written);

    private async Task<Attempt> AttemptAsync(
        AwsService service, Uri endpoint, AwsRequest request, CancellationToken call, CancellationToken caller, CancellationToken deadline)
    {
        using var attemptTimer = new CancellationTokenSource(_options.AttemptTimeout, _time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(call, attemptTimer.Token);
        var written = new WriteTracker();
        try
        {
            var response = await SendOnceAsync(service, endpoint, request, written, attempt.Token);
            return new Attempt(response, FailureKind.Final, null, "", false, true);
        }
        catch (OperationCanceledException) when (caller.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested)
        {
            // The deadline passed mid-attempt: a request already written may have landed.
            return new Attempt(null, written.Started ? FailureKind.AnswerLost : FailureKind.Deadline, e,
                $"no answer within {Describe(_options.OverallTimeout)}", true, written.Started);
        }
        catch (OperationCanceledException e) when (attemptTimer.IsCancellationRequested)
        {
            return new Attempt(null, written.Started ? FailureKind.AnswerLost : FailureKind.NotActedOn, e,
                $"no answer within {Describe(_options.AttemptTimeout)}", true, written.Started);
        }
        catch (HttpRequestException e)
        {
            return new Attempt(null, written.Started ? FailureKind.AnswerLost : FailureKind.NotActedOn, e,
                written.Started ? $"the connection broke after the request was sent: {Reason(e)}" : Reason(e), true, written.Started);
        }
        catch (IOException e)
        {
            // The body of the answer was cut short: the request had been processed.
            return new Attempt(null, FailureKind.AnswerLost, e, $"the answer was cut short: {e.Message}", true, true);
        }
        catch (AwsServiceException e) when (e.IsThrottling && e.IsRetryable)
        {
            return new Attempt(null, FailureKind.NotActedOn, e, $"{e.Code} (HTTP {e.HttpStatus})", false, true);
        }
        catch (AwsServiceException e) when (e.IsRetryable)
        {
            // A 5xx (or a transient code) does not prove the service did nothing: for AWS a 500 after a write is
            // "unknown outcome". Only throttling is known to be refused unprocessed.
            return new Attempt(null, FailureKind.AnswerLost, e, $"{e.Code} (HTTP {e.HttpStatus})", false, true);
        }
        catch (AwsServiceException e)
        {
            return new Attempt(null, FailureKind.Final, e, e.Code, false, true);
        }
    }

    private AwsUnavailableException Unavailable(AwsService service, AwsRequest request, Uri endpoint, Attempt failure, TimeSpan bound)
    {
        var authority = endpoint.GetLeftPart(UriPartial.Authority);
        if (failure.Error is HttpRequestException http && failure.Kind != FailureKind.Deadline)
        {
            return new AwsUnavailableException(
                service, request.Operation,
                $"cannot reach {authority}: {Reason(http)}",
                _session.Endpoints.IsOverridden(service)
                    ? "check --endpoint-url / AWS_ENDPOINT_URL and that the endpoint is running"
                    : "check the network connection, proxy settings and --region", http);
        }
        return new AwsUnavailableException(
            service, request.Operation,
            $"no answer from {authority} within {Describe(bound)}",
            "check the network and --endpoint-url; the service may be degraded: try again", failure.Error);
    }

    /// <summary>Whether any byte of the request's body was handed to the connection.</summary>
    private sealed class WriteTracker
    {
        private int _started;

        public bool Started => Volatile.Read(ref _started) == 1;

        public void Start() => Volatile.Write(ref _started, 1);
    }

    /// <summary>The request body, noting when the handler starts writing it (so a failure before that proves nothing was sent).</summary>
    private sealed class TrackedContent(ReadOnlyMemory<byte> body, WriteTracker tracker) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            tracker.Start();
            await stream.WriteAsync(body, cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }

    private async Task<AwsResponse> SendOnceAsync(AwsService service, Uri endpoint, AwsRequest request, WriteTracker written, CancellationToken cancellationToken)
    {
        var credentials = await _session.Credentials.GetAsync(cancellationToken);
        var query = request.Query ?? [];
        var path = JoinPath(endpoint.AbsolutePath, request.Path);
        var uri = new Uri(
            endpoint.GetLeftPart(UriPartial.Authority) + path + QueryString.Encode(query),
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

        var headers = new List<KeyValuePair<string, string>>(8) { new("Host", uri.Authority) };
        if (request.ContentType is not null)
            headers.Add(new("Content-Type", request.ContentType));
        if (request.Headers is not null)
            headers.AddRange(request.Headers);

        var signature = SigV4Signer.Sign(new SigningRequest(
            request.Method.Method, path, query, headers, SigV4Signer.HashPayload(request.Body.Span),
            credentials, service.SigningRegion(_session.Region), service.SigningName, _time.GetUtcNow()));

        using var message = new HttpRequestMessage(request.Method, uri) { Version = HttpVersion.Version11 };
        if (request.Method != HttpMethod.Get || !request.Body.IsEmpty)
        {
            message.Content = new TrackedContent(request.Body, written);
            if (request.ContentType is not null)
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        }
        foreach (var (name, value) in request.Headers ?? [])
            message.Headers.TryAddWithoutValidation(name, value);
        foreach (var (name, value) in signature.HeadersToAdd)
            message.Headers.TryAddWithoutValidation(name, value);
        message.Headers.UserAgent.Add(UserAgent);

        Sending?.Invoke(service, request);
        if (message.Content is null)
            written.Start(); // no body to watch: once the request may be on the wire, count it as sent
        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var responseHeaders = Flatten(response);
        var requestId = RequestIdOf(responseHeaders);
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
            return new AwsResponse(status, body, requestId, responseHeaders);
        throw AwsErrorParser.Parse(service, request.Operation, status, body, responseHeaders, requestId, RetryAfterOf(response));
    }

    /// <summary>Full jitter: a random wait in [0, min(cap, base·2^(n-1))); Retry-After wins when the server sent one.</summary>
    internal TimeSpan BackoffBefore(int retry, Exception? failure)
    {
        if (failure is AwsServiceException { RetryAfter: { } retryAfter })
            return retryAfter < _options.MaxRetryAfter ? retryAfter : _options.MaxRetryAfter;
        var ceiling = Math.Min(_options.MaxBackoff.TotalMilliseconds, _options.BaseBackoff.TotalMilliseconds * Math.Pow(2, retry - 1));
        return TimeSpan.FromMilliseconds(_options.Jitter() * ceiling);
    }

    private TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        // x-amz-retry-after is in milliseconds; Retry-After in seconds or an HTTP date.
        if (response.Headers.TryGetValues("x-amz-retry-after", out var values)
            && long.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds))
            return TimeSpan.FromMilliseconds(milliseconds);
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
            return delta;
        if (header?.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    private static readonly ProductInfoHeaderValue UserAgent = new("rewind", typeof(AwsTransport).Assembly.GetName().Version?.ToString(3) ?? "0");

    private static string JoinPath(string basePath, string path) =>
        basePath == "/" ? path : basePath.TrimEnd('/') + (path.StartsWith('/') ? path : "/" + path);

    private static Dictionary<string, string> Flatten(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers)
            headers[name] = string.Join(',', values);
        foreach (var (name, values) in response.Content.Headers)
            headers[name] = string.Join(',', values);
        return headers;
    }

    private static string? RequestIdOf(IReadOnlyDictionary<string, string> headers) =>
        headers.TryGetValue("x-amzn-RequestId", out var id) || headers.TryGetValue("x-amz-request-id", out id) ? id : null;

    private static string Reason(HttpRequestException e) => e.InnerException switch
    {
        SocketException socket => socket.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.HostNotFound or SocketError.NoData => "host not found",
            SocketError.TimedOut => "connection timed out",
            _ => socket.Message,
        },
        { } inner => inner.Message,
        null => e.Message,
    };

    private static string Describe(TimeSpan span) =>
        span.TotalSeconds >= 1 ? $"{span.TotalSeconds:0.#} s" : $"{span.TotalMilliseconds:0} ms";
}

/// <summary>A retry about to wait: which attempt comes next, after how long, and why.</summary>
public sealed record AwsRetryEvent(AwsService Service, int NextAttempt, TimeSpan Delay, Exception? Failure);
