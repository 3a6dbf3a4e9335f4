using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Rewind.Cli.Demo;

/// <summary>
/// A local stand-in for claude-proxy-api behind its load balancer, for <c>rewind demo</c>: an HTTP server on
/// 127.0.0.1 and a free port answering the playbook's smoke checks. <c>GET /health</c> answers
/// <c>{"status":"healthy",…}</c>; <c>POST /api/enqueue</c> checks <c>X-API-Key</c> and answers
/// <c>{"request_id":…,"queued":true}</c>, or 401 <c>{"error":…}</c> for a wrong key. Nothing leaves the machine.
/// </summary>
public sealed class DemoService : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly string _apiKey;
    private readonly string _version;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _serving;
    private int _enqueued;
    private int _requests;

    private DemoService(HttpListener listener, string url, string apiKey, string version)
    {
        _listener = listener;
        Url = url;
        _apiKey = apiKey;
        _version = version;
        _serving = ServeAsync();
    }

    /// <summary>The base URL, <c>http://127.0.0.1:PORT/</c>.</summary>
    public string Url { get; }

    /// <summary>How many requests were answered, for the demo's summary and tests.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Starts the service on a free loopback port; <paramref name="apiKey"/> is the key enqueue accepts.</summary>
    public static DemoService Start(string apiKey, string version = "v2")
    {
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        // HttpListener needs the port up front: ask the OS for a free one, and try again if another process takes it first.
        for (var attempt = 0; ; attempt++)
        {
            var url = $"http://127.0.0.1:{FreePort()}/";
            var listener = new HttpListener();
            listener.Prefixes.Add(url);
            try
            {
                listener.Start();
                return new DemoService(listener, url, apiKey, version);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Close();
        try
        {
            await _serving;
        }
        catch (Exception e) when (e is ObjectDisposedException or HttpListenerException or OperationCanceledException)
        {
            // the listener closing under a pending accept: expected on shutdown
        }
        _stopping.Dispose();
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task ServeAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().WaitAsync(_stopping.Token);
            }
            catch (Exception e) when (e is ObjectDisposedException or HttpListenerException or OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        Interlocked.Increment(ref _requests);
        var request = context.Request;
        var (status, body) = (request.HttpMethod, request.Url?.AbsolutePath) switch
        {
            ("GET", "/health") => (200, new JsonObject { ["status"] = "healthy", ["service"] = "claude-proxy-api", ["version"] = _version }),
            ("POST", "/api/enqueue") when request.Headers["X-API-Key"] == _apiKey => (200, new JsonObject
            {
                ["request_id"] = "req-" + Interlocked.Increment(ref _enqueued).ToString("D6", CultureInfo.InvariantCulture),
                ["queued"] = true,
            }),
            ("POST", "/api/enqueue") => (401, new JsonObject { ["error"] = "invalid or missing X-API-Key" }),
            _ => (404, new JsonObject { ["error"] = "not found" }),
        };
        try
        {
            var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes, _stopping.Token);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // the client went away or the service is stopping
        }
    }
}
