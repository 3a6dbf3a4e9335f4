using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Rewind.Aws.Errors;
using Rewind.Aws.Signing;

namespace Rewind.Aws.Transport;

/// <summary>
/// Sends signed requests over one shared <see cref="HttpClient"/>: fresh credentials and signature per attempt,
/// bounded retries with full-jitter exponential backoff (Retry-After honoured), per-attempt and overall timeouts,
/// and errors parsed into <see cref="AwsServiceException"/>.
/// </summary>
public sealed class AwsTransport
{
    private static readonly ResiliencePropertyKey<AwsService> ServiceKey = new("rewind.service");

    private readonly HttpClient _http;
    private readonly AwsSession _session;
    private readonly AwsTransportOptions _options;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline<AwsResponse> _pipeline;

    public AwsTransport(HttpClient http, AwsSession session, AwsTransportOptions? options = null, TimeProvider? time = null)
    {
        _http = http;
        _session = session;
        _options = options ?? AwsTransportOptions.Default;
        _time = time ?? TimeProvider.System;
        var pipeline = new ResiliencePipelineBuilder<AwsResponse> { TimeProvider = _time }
            .AddTimeout(_options.OverallTimeout);
        // Polly rejects a retry strategy with zero retries, so a single attempt gets no retry strategy at all.
        if (_options.MaxAttempts > 1)
        {
            pipeline.AddRetry(new RetryStrategyOptions<AwsResponse>
            {
                MaxRetryAttempts = _options.MaxAttempts - 1,
                ShouldHandle = new PredicateBuilder<AwsResponse>()
                    .Handle<AwsServiceException>(e => e.IsRetryable)
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>(),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(BackoffBefore(args.AttemptNumber + 1, args.Outcome.Exception)),
                OnRetry = args =>
                {
                    Retrying?.Invoke(new AwsRetryEvent(
                        args.Context.Properties.GetValue(ServiceKey, AwsService.Sts), args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception));
                    return ValueTask.CompletedTask;
                },
            });
        }
        _pipeline = pipeline.AddTimeout(_options.AttemptTimeout).Build();
    }

    public AwsSession Session => _session;

    /// <summary>Raised before each retry wait, for --verbose logs and tests.</summary>
    public event Action<AwsRetryEvent>? Retrying;

    /// <summary>Raised before each attempt is sent, for --verbose logs and call counting.</summary>
    public event Action<AwsService, AwsRequest>? Sending;

    public async Task<AwsResponse> SendAsync(AwsService service, AwsRequest request, CancellationToken cancellationToken)
    {
        var endpoint = _session.Endpoints.Resolve(service, _session.Region);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(ServiceKey, service);
        try
        {
            return await _pipeline.ExecuteAsync(
                static (ctx, state) => new ValueTask<AwsResponse>(state.Transport.SendOnceAsync(state.Service, state.Endpoint, state.Request, ctx.CancellationToken)),
                context,
                (Transport: this, Service: service, Endpoint: endpoint, Request: request));
        }
        catch (TimeoutRejectedException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AwsUnavailableException(
                service, request.Operation,
                $"no answer from {endpoint.GetLeftPart(UriPartial.Authority)} within {Describe(e.Timeout)}",
                "check the network and --endpoint-url; the service may be degraded: try again", e);
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AwsUnavailableException(
                service, request.Operation,
                $"cannot reach {endpoint.GetLeftPart(UriPartial.Authority)}: {Reason(e)}",
                _session.Endpoints.IsOverridden(service)
                    ? "check --endpoint-url / AWS_ENDPOINT_URL and that the endpoint is running"
                    : "check the network connection, proxy settings and --region", e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async Task<AwsResponse> SendOnceAsync(AwsService service, Uri endpoint, AwsRequest request, CancellationToken cancellationToken)
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
            message.Content = new ReadOnlyMemoryContent(request.Body);
            if (request.ContentType is not null)
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        }
        foreach (var (name, value) in request.Headers ?? [])
            message.Headers.TryAddWithoutValidation(name, value);
        foreach (var (name, value) in signature.HeadersToAdd)
            message.Headers.TryAddWithoutValidation(name, value);
        message.Headers.UserAgent.Add(UserAgent);

        Sending?.Invoke(service, request);
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
