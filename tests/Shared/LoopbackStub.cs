using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rewind.Tests.Support;

/// <summary>One scripted answer of the <see cref="LoopbackStub"/>.</summary>
public sealed record StubResponse(int Status, string Body = "", params (string Name, string Value)[] Headers)
{
    /// <summary>Never answer: hold the request until the client gives up or the stub is disposed.</summary>
    public bool Hang { get; init; }

    /// <summary>Answer only after this long (real time): a slow service.</summary>
    public TimeSpan Delay { get; init; }

    public static StubResponse Ok(string body = "{}") => new(200, body, ("Content-Type", "application/x-amz-json-1.1"));

    public static StubResponse Json(int status, string body) => new(status, body, ("Content-Type", "application/x-amz-json-1.1"));

    public static StubResponse Stall() => new(0) { Hang = true };
}

/// <summary>One request as the stub received it; <see cref="ArrivedAt"/> comes from the stub's clock.</summary>
public sealed record StubRequest(
    string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset ArrivedAt)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 and a free port. It answers with the script in order, repeating the last
/// answer once the script runs out, and records every request. One request per connection (Connection: close),
/// bounded sizes and counts; disposing it stops the listener and abandons held requests.
/// </summary>
public sealed class LoopbackStub : IAsyncDisposable
{
    private const int MaxRecorded = 64;
    private const int MaxHeaderBytes = 64 * 1024;
    private const int MaxBodyBytes = 1024 * 1024;

    private readonly TcpListener _listener;
    private readonly StubResponse[] _script;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly List<StubRequest> _requests = [];
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private TaskCompletionSource _arrived = NewSignal();

    private LoopbackStub(StubResponse[] script, TimeProvider clock)
    {
        if (script.Length == 0)
            throw new ArgumentException("the stub needs at least one answer", nameof(script));
        _script = script;
        _clock = clock;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";
        _acceptLoop = AcceptAsync();
    }

    public static LoopbackStub Start(params StubResponse[] script) => new(script, TimeProvider.System);

    /// <summary>Starts a stub that stamps arrivals with <paramref name="clock"/>, so a fake clock measures the waits.</summary>
    public static LoopbackStub Start(TimeProvider clock, params StubResponse[] script) => new(script, clock);

    public string Url { get; }

    public IReadOnlyList<StubRequest> Requests
    {
        get
        {
            lock (_gate)
                return [.. _requests];
        }
    }

    /// <summary>A port on 127.0.0.1 where nothing listens, for connection-refused tests.</summary>
    public static int UnusedPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>Completes once at least <paramref name="count"/> requests have arrived; fails after a few real seconds.</summary>
    public async Task WaitForRequestsAsync(int count, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(5));
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                if (_requests.Count >= count)
                    return;
                arrived = _arrived.Task;
            }
            try
            {
                await arrived.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"the stub received {Requests.Count} requests, not {count}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        Task[] pending;
        lock (_gate)
            pending = [_acceptLoop, .. _connections];
        try
        {
            await Task.WhenAll(pending);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // A client that gave up mid-answer, or the listener stopping under the accept: expected on shutdown.
        }
        _stopping.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_gate)
                _connections.Add(ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var connection = client;
        try
        {
            var stream = connection.GetStream();
            var request = await ReadRequestAsync(stream, _stopping.Token);
            if (request is null)
                return;

            StubResponse answer;
            lock (_gate)
            {
                var index = _requests.Count;
                if (index >= MaxRecorded)
                {
                    answer = new StubResponse(500, "stub: too many requests");
                }
                else
                {
                    _requests.Add(request);
                    answer = _script[Math.Min(index, _script.Length - 1)];
                    var signal = _arrived;
                    _arrived = NewSignal();
                    signal.TrySetResult();
                }
            }

            if (answer.Hang)
            {
                await Task.Delay(Timeout.Infinite, _stopping.Token);
                return;
            }
            if (answer.Delay > TimeSpan.Zero)
                await Task.Delay(answer.Delay, _stopping.Token);
            await stream.WriteAsync(Render(answer), _stopping.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // The client hung up (a timed-out attempt) or the stub is stopping.
        }
    }

    private async Task<StubRequest?> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new byte[MaxHeaderBytes];
        var filled = 0;
        var headerEnd = -1;
        while (headerEnd < 0)
        {
            if (filled == head.Length)
                return null;
            var read = await stream.ReadAsync(head.AsMemory(filled), cancellationToken);
            if (read == 0)
                return null;
            filled += read;
            headerEnd = head.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
        }

        var arrivedAt = _clock.GetUtcNow();
        var lines = Encoding.ASCII.GetString(head, 0, headerEnd).Split("\r\n");
        var requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var length = headers.TryGetValue("Content-Length", out var declared)
            ? int.Parse(declared, CultureInfo.InvariantCulture)
            : 0;
        if (length is < 0 or > MaxBodyBytes)
            return null;
        var body = new byte[length];
        var received = Math.Min(length, filled - (headerEnd + 4));
        head.AsSpan(headerEnd + 4, received).CopyTo(body);
        while (received < length)
        {
            var read = await stream.ReadAsync(body.AsMemory(received), cancellationToken);
            if (read == 0)
                return null;
            received += read;
        }
        return new StubRequest(
            requestLine[0], requestLine.Length > 1 ? requestLine[1] : "", headers, Encoding.UTF8.GetString(body), arrivedAt);
    }

    private static byte[] Render(StubResponse answer)
    {
        var body = Encoding.UTF8.GetBytes(answer.Body);
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {answer.Status} {Reason(answer.Status)}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n")
            .Append("Connection: close\r\n");
        foreach (var (name, value) in answer.Headers)
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        head.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
