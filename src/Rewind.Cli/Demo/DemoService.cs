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
/// <c>{"request_id":…,"queued":true}</c>, or 401 <c>{"error":…}</c> for a wrong key. It also stands in for the two
/// outside services the playbook tells: the GitHub issues API under <c>/github/</c> (see <see cref="DemoGitHub"/>) and
/// two incoming webhooks (Slack-style for the team, generic for support) whose URLs carry a random token and which
/// record every payload they accept. Nothing leaves the machine.
/// </summary>
public sealed class DemoService : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly string _apiKey;
    private readonly string _version;
    private readonly DemoGitHub _gitHub;
    private readonly string _slackPath = "/slack/" + Guid.NewGuid().ToString("N");
    private readonly string _supportPath = "/hooks/support/" + Guid.NewGuid().ToString("N");
    private readonly System.Collections.Concurrent.ConcurrentQueue<JsonNode> _slack = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<JsonNode> _support = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _serving;
    private int _enqueued;
    private int _requests;

    private DemoService(HttpListener listener, string url, string apiKey, string version, string gitHubToken)
    {
        _listener = listener;
        Url = url;
        _apiKey = apiKey;
        _version = version;
        _gitHub = new DemoGitHub(url + "github", gitHubToken);
        _serving = ServeAsync();
    }

    /// <summary>The base URL, <c>http://127.0.0.1:PORT/</c>.</summary>
    public string Url { get; }

    /// <summary>How many requests were answered, for the demo's summary and tests.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The GitHub issues API stand-in's base address (<c>incident.github.api_url</c>).</summary>
    public string GitHubApiUrl => _gitHub.ApiUrl;

    /// <summary>The team's Slack-style incoming webhook: a secret, like a real one (only ever put in an environment variable).</summary>
    public string SlackWebhookUrl => Url + _slackPath[1..];

    /// <summary>Support's generic JSON webhook: a secret, like a real one.</summary>
    public string SupportWebhookUrl => Url + _supportPath[1..];

    /// <summary>The payloads the team's webhook accepted, in order.</summary>
    public IReadOnlyList<JsonNode> SlackMessages => [.. _slack];

    /// <summary>The payloads support's webhook accepted, in order.</summary>
    public IReadOnlyList<JsonNode> SupportMessages => [.. _support];

    /// <summary>The issues created in the GitHub stand-in.</summary>
    public int Issues => _gitHub.Count;

    /// <summary>
    /// Starts the service on a free loopback port; <paramref name="apiKey"/> is the key enqueue accepts and
    /// <paramref name="gitHubToken"/> the bearer token the GitHub stand-in accepts (default: a random one).
    /// </summary>
    public static DemoService Start(string apiKey, string version = "v2", string? gitHubToken = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        gitHubToken ??= "demo-" + Guid.NewGuid().ToString("N");
        // HttpListener needs the port up front: ask the OS for a free one, and try again if another process takes it first.
        for (var attempt = 0; ; attempt++)
        {
            var url = $"http://127.0.0.1:{FreePort()}/";
            var listener = new HttpListener();
            listener.Prefixes.Add(url);
            try
            {
                listener.Start();
                return new DemoService(listener, url, apiKey, version, gitHubToken);
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

    private static (int Status, JsonNode Body) Accept(System.Collections.Concurrent.ConcurrentQueue<JsonNode> received, JsonNode? payload)
    {
        if (payload is null)
            return (400, new JsonObject { ["error"] = "the body is not JSON" });
        received.Enqueue(payload);
        return (200, new JsonObject { ["ok"] = true });
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        Interlocked.Increment(ref _requests);
        var request = context.Request;
        var path = request.Url?.AbsolutePath ?? "/";
        JsonNode? payload = null;
        if (request.HasEntityBody)
        {
            try
            {
                using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
                payload = JsonNode.Parse(await reader.ReadToEndAsync(_stopping.Token));
            }
            catch (System.Text.Json.JsonException)
            {
                payload = null;
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException or IOException)
            {
                return;
            }
        }
        var (status, body) = (request.HttpMethod, path) switch
        {
            (_, var p) when p.StartsWith("/github/", StringComparison.Ordinal) =>
                _gitHub.Answer(request.HttpMethod, p["/github".Length..], request.Url?.Query ?? "", request.Headers["Authorization"], payload),
            ("POST", var p) when p == _slackPath => Accept(_slack, payload),
            ("POST", var p) when p == _supportPath => Accept(_support, payload),
            ("GET", "/health") => (200, (JsonNode)new JsonObject { ["status"] = "healthy", ["service"] = "claude-proxy-api", ["version"] = _version }),
            ("POST", "/api/enqueue") when request.Headers["X-API-Key"] == _apiKey => (200, new JsonObject
            {
                ["request_id"] = "req-" + Interlocked.Increment(ref _enqueued).ToString("D6", CultureInfo.InvariantCulture),
                ["queued"] = true,
            }),
            ("POST", "/api/enqueue") => (401, new JsonObject { ["error"] = "invalid or missing X-API-Key" }),
            _ => (404, (JsonNode)new JsonObject { ["error"] = "not found" }),
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
