using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rewind.Tests.Support;

/// <summary>What the <see cref="FaultProxy"/> does with one request.</summary>
public enum FaultKind
{
    /// <summary>Pass it on and pass the answer back.</summary>
    Forward,

    /// <summary>Wait <see cref="Fault.Delay"/>, then forward.</summary>
    Delay,

    /// <summary>Forward it (it lands), then hold the answer until the client gives up: the answer is lost.</summary>
    ForwardAndHold,

    /// <summary>Forward it (it lands), then reset the connection instead of answering.</summary>
    ForwardAndReset,

    /// <summary>Forward it, then send the answer's head and only half its body before closing.</summary>
    ForwardAndTruncate,

    /// <summary>Answer 500 without forwarding.</summary>
    Answer500,

    /// <summary>Answer 503 without forwarding.</summary>
    Answer503,

    /// <summary>Answer the protocol's own throttling error without forwarding (JSON ThrottlingException, XML Throttling).</summary>
    Throttle,

    /// <summary>Answer 429 with Retry-After: 0 without forwarding.</summary>
    TooManyRequests,
}

/// <summary>One decision of the proxy.</summary>
public sealed record Fault(FaultKind Kind, TimeSpan Delay = default)
{
    public static Fault None { get; } = new(FaultKind.Forward);

    /// <summary>Whether the request reaches the emulator.</summary>
    public bool Forwards => Kind is FaultKind.Forward or FaultKind.Delay or FaultKind.ForwardAndHold or FaultKind.ForwardAndReset or FaultKind.ForwardAndTruncate;
}

/// <summary>
/// A fault-injecting HTTP/1.1 proxy on 127.0.0.1 between Rewind and the emulator. For each request it names the
/// operation (X-Amz-Target, Action=, or the CloudFront path), counts it per operation, asks the rule what to do with
/// that attempt (1 for the first request of an operation, 2 for the next…), and counts what it let reach the
/// emulator. The bytes of a forwarded request are passed on unchanged (the signature stays valid), with
/// <c>Connection: close</c> added so the answer ends with the upstream connection.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private const int MaxHeaderBytes = 64 * 1024;
    private const int MaxBodyBytes = 8 * 1024 * 1024;

    private readonly TcpListener _listener;
    private readonly Uri _upstream;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, int> _seen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _forwarded = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly Task _acceptLoop;

    private FaultProxy(Uri upstream, Func<string, int, Fault> rule)
    {
        _upstream = upstream;
        Rule = rule;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _acceptLoop = AcceptAsync(_stopping.Token);
    }

    /// <summary>Where Rewind should send its calls.</summary>
    public Uri Endpoint { get; }

    /// <summary>Decides each request's fate from its operation and its attempt number; may be replaced between runs.</summary>
    public Func<string, int, Fault> Rule { get; set; }

    /// <summary>How long a held answer is held at most (the client normally gives up first).</summary>
    public TimeSpan MaxHold { get; init; } = TimeSpan.FromSeconds(30);

    public static FaultProxy Start(Uri upstream, Func<string, int, Fault>? rule = null) => new(upstream, rule ?? ((_, _) => Fault.None));

    /// <summary>How many requests of <paramref name="operation"/> reached the proxy.</summary>
    public int Seen(string operation) => _seen.TryGetValue(operation, out var count) ? count : 0;

    /// <summary>How many requests of <paramref name="operation"/> the proxy passed on to the emulator.</summary>
    public int Forwarded(string operation) => _forwarded.TryGetValue(operation, out var count) ? count : 0;

    public IReadOnlyDictionary<string, int> SeenCounts => _seen;

    /// <summary>A rule that applies <paramref name="fault"/> to the first attempt of <paramref name="operation"/> only.</summary>
    public static Func<string, int, Fault> OnFirst(string operation, Fault fault) =>
        (op, attempt) => op == operation && attempt == 1 ? fault : Fault.None;

    /// <summary>
    /// Seeded faults on every operation at once: the fate of attempt n of an operation depends only on the seed, the
    /// operation and n, so a rerun with the same seed makes the same decisions whatever the threads do.
    /// </summary>
    public static Func<string, int, Fault> Random(int seed, double throttled, double unavailable, double lost) => (operation, attempt) =>
    {
        var draw = Draw(seed, operation, attempt);
        if (draw < throttled)
            return new Fault(FaultKind.Throttle);
        if (draw < throttled + unavailable)
            return new Fault(FaultKind.Answer503);
        if (draw < throttled + unavailable + lost)
            return new Fault(FaultKind.ForwardAndHold);
        return Fault.None;
    };

    /// <summary>
    /// An API's rate limit as AWS enforces it: a token bucket per operation of <paramref name="perSecond"/> tokens a
    /// second and as many in a burst; a request finding its operation's bucket empty is throttled (not forwarded).
    /// </summary>
    public static Func<string, int, Fault> RateLimit(double perSecond, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var gate = new Lock();
        var buckets = new Dictionary<string, (double Tokens, long At)>(StringComparer.Ordinal);
        return (operation, _) =>
        {
            lock (gate)
            {
                var now = time.GetTimestamp();
                var (tokens, at) = buckets.TryGetValue(operation, out var bucket) ? bucket : (perSecond, now);
                tokens = Math.Min(perSecond, tokens + time.GetElapsedTime(at, now).TotalSeconds * perSecond);
                var allowed = tokens >= 1;
                buckets[operation] = (allowed ? tokens - 1 : tokens, now);
                return allowed ? Fault.None : new Fault(FaultKind.Throttle);
            }
        };
    }

    /// <summary>A number in [0, 1) from the seed, the operation and the attempt (FNV-1a, then scaled).</summary>
    public static double Draw(int seed, string operation, int attempt)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes($"{seed}/{operation}/{attempt}"))
            hash = (hash ^ b) * 16777619u;
        hash ^= hash >> 15;
        hash *= 2246822519u;
        hash ^= hash >> 13;
        return hash / 4294967296.0;
    }

    private async Task AcceptAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _connections.Add(ServeAsync(client, stopping));
        }
    }

    /// <summary>One client connection: requests in turn (the client keeps connections alive) until it closes.</summary>
    private async Task ServeAsync(TcpClient client, CancellationToken stopping)
    {
        using var _ = client;
        var stream = client.GetStream();
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var request = await ReadRequestAsync(stream, stopping);
                if (request is null)
                    return;
                var operation = OperationOf(request);
                var attempt = _seen.AddOrUpdate(operation, 1, (_, n) => n + 1);
                var fault = Rule(operation, attempt);
                if (fault.Kind == FaultKind.Delay)
                    await Task.Delay(fault.Delay, stopping);
                if (!fault.Forwards)
                {
                    await stream.WriteAsync(Canned(fault.Kind, request), stopping);
                    continue;
                }
                _forwarded.AddOrUpdate(operation, 1, (_, n) => n + 1);
                var answer = await ForwardAsync(request, stopping);
                switch (fault.Kind)
                {
                    case FaultKind.ForwardAndHold:
                        await HoldAsync(stream, stopping);
                        return;
                    case FaultKind.ForwardAndReset:
                        client.Client.LingerState = new LingerOption(true, 0);
                        client.Client.Close();
                        return;
                    case FaultKind.ForwardAndTruncate:
                        var cut = answer.HeadLength + (answer.Bytes.Length - answer.HeadLength) / 2;
                        await stream.WriteAsync(answer.Bytes.AsMemory(0, cut), stopping);
                        await stream.FlushAsync(stopping);
                        return;
                    default:
                        await stream.WriteAsync(answer.Bytes, stopping);
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away (it gave up on a held answer) or the proxy is stopping.
        }
    }

    /// <summary>Waits, answering nothing, until the client closes the connection (its attempt timed out) or the hold ends.</summary>
    private async Task HoldAsync(NetworkStream stream, CancellationToken stopping)
    {
        using var hold = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        hold.CancelAfter(MaxHold);
        var sink = new byte[1024];
        try
        {
            while (await stream.ReadAsync(sink, hold.Token) > 0)
            {
                // Anything more on this connection is dropped: the answer stays lost.
            }
        }
        catch (OperationCanceledException)
        {
            // Held long enough.
        }
    }

    private sealed record ProxiedRequest(string Method, string Target, Dictionary<string, string> Headers, byte[] Head, byte[] Body);

    private sealed record UpstreamAnswer(byte[] Bytes, int HeadLength);

    private static async Task<ProxiedRequest?> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>(1024);
        var one = new byte[1];
        while (!EndsWithBlankLine(head))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
                return null;
            head.Add(one[0]);
            if (head.Count > MaxHeaderBytes)
                throw new IOException("request head too large");
        }
        var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n");
        var start = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        var length = headers.TryGetValue("Content-Length", out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : 0;
        if (length > MaxBodyBytes)
            throw new IOException("request body too large");
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, cancellationToken);
        return new ProxiedRequest(start[0], start.Length > 1 ? start[1] : "/", headers, [.. head], body);
    }

    private static bool EndsWithBlankLine(List<byte> bytes) =>
        bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n';

    /// <summary>The request as sent, plus Connection: close; the whole answer read to the end of the connection.</summary>
    private async Task<UpstreamAnswer> ForwardAsync(ProxiedRequest request, CancellationToken cancellationToken)
    {
        using var upstream = new TcpClient();
        await upstream.ConnectAsync(_upstream.Host, _upstream.Port, cancellationToken);
        var stream = upstream.GetStream();
        var head = Encoding.ASCII.GetString(request.Head);
        var withoutConnection = string.Join("\r\n", head.Split("\r\n").Where(l => !l.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase)));
        var rewritten = withoutConnection[..^4] + "\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(rewritten), cancellationToken);
        await stream.WriteAsync(request.Body, cancellationToken);
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer, cancellationToken);
        var bytes = answer.ToArray();
        var headEnd = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        // The client keeps its connection to the proxy: the answer must not tell it to close.
        var answerHead = Encoding.ASCII.GetString(bytes, 0, headEnd < 0 ? bytes.Length : headEnd);
        var kept = string.Join("\r\n", answerHead.Split("\r\n").Where(l => !l.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase)));
        var headBytes = Encoding.ASCII.GetBytes(kept + "\r\n\r\n");
        var bodyBytes = headEnd < 0 ? [] : bytes[(headEnd + 4)..];
        if (!answerHead.Contains("Content-Length:", StringComparison.OrdinalIgnoreCase))
        {
            headBytes = Encoding.ASCII.GetBytes(kept + $"\r\nContent-Length: {bodyBytes.Length}\r\n\r\n");
        }
        return new UpstreamAnswer([.. headBytes, .. bodyBytes], headBytes.Length);
    }

    /// <summary>"UpdateService", "ModifyListener", "CreateInvalidation"…: the name the rule and the counts use.</summary>
    public static string OperationOf(string method, string target, IReadOnlyDictionary<string, string> headers, byte[] body)
    {
        if (headers.TryGetValue("X-Amz-Target", out var amzTarget))
            return amzTarget[(amzTarget.LastIndexOf('.') + 1)..];
        var form = Encoding.UTF8.GetString(body);
        foreach (var pair in form.Split('&'))
        {
            if (pair.StartsWith("Action=", StringComparison.Ordinal))
                return Uri.UnescapeDataString(pair[7..]);
        }
        var path = target.Split('?')[0];
        if (path.Contains("/rewind-api/", StringComparison.Ordinal))
            return "rewind-api";
        if (path.Contains("/invalidation", StringComparison.Ordinal))
            return method == "POST" ? "CreateInvalidation" : path.EndsWith("/invalidation", StringComparison.Ordinal) ? "ListInvalidations" : "GetInvalidation";
        if (path.Contains("/distribution", StringComparison.Ordinal))
            return method == "POST" ? "CreateDistribution" : "GetDistribution";
        return $"{method} {path}";
    }

    private static string OperationOf(ProxiedRequest request) => OperationOf(request.Method, request.Target, request.Headers, request.Body);

    private static byte[] Canned(FaultKind kind, ProxiedRequest request)
    {
        var json = request.Headers.ContainsKey("X-Amz-Target");
        var (status, reason, contentType, body, extra) = kind switch
        {
            FaultKind.Throttle when json => (400, "Bad Request", "application/x-amz-json-1.1", """{"__type":"ThrottlingException","message":"Rate exceeded"}""", ""),
            FaultKind.Throttle => (400, "Bad Request", "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>", ""),
            FaultKind.TooManyRequests => (429, "Too Many Requests", "text/plain", "", "Retry-After: 0\r\n"),
            FaultKind.Answer500 => (500, "Internal Server Error", "text/plain", "", ""),
            _ => (503, "Service Unavailable", "text/plain", "", ""),
        };
        var bytes = Encoding.UTF8.GetBytes(body);
        return Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nx-amzn-RequestId: fault-proxy\r\n{extra}\r\n")
            .Concat(bytes).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
            await Task.WhenAll(_connections);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
        {
            // Stopping.
        }
        _stopping.Dispose();
    }
}
