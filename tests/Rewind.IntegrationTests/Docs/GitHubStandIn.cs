using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Rewind.Tests.Support;

namespace Rewind.IntegrationTests.Docs;

/// <summary>
/// A loopback stand-in for the few GitHub REST calls the incident step makes: read the repository, create an issue,
/// read it back, list the newest issues, search by marker. It keeps what was created, so the read-back and the list
/// return what was sent, newest first; its search index never catches up (it finds nothing), as right after a create
/// on GitHub, so a resume must find its issue through the list (a scripted
/// <see cref="LoopbackStub"/> cannot, since the document's blocks make these calls in an order that depends on the run).
/// </summary>
internal sealed class GitHubStandIn : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<JsonObject> _issues = [];
    private readonly Lock _gate = new();
    private readonly Task _serving;

    public GitHubStandIn(string repository)
    {
        Repository = repository;
        var port = LoopbackStub.UnusedPort();
        ApiUrl = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(ApiUrl + "/");
        _listener.Start();
        _serving = ServeAsync();
    }

    /// <summary><c>owner/name</c> of the one repository it knows.</summary>
    public string Repository { get; }

    /// <summary>The REST API base, for <c>incident.github.api_url</c>.</summary>
    public string ApiUrl { get; }

    /// <summary>The issues created so far.</summary>
    public int Created
    {
        get
        {
            lock (_gate)
                return _issues.Count;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Close();
        try
        {
            await _serving;
        }
        catch (Exception e) when (e is ObjectDisposedException or HttpListenerException)
        {
            // closing under a pending accept
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is ObjectDisposedException or HttpListenerException)
            {
                return;
            }
            var (status, body) = await AnswerAsync(context.Request);
            var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private async Task<(int, JsonNode)> AnswerAsync(HttpListenerRequest request)
    {
        if (string.IsNullOrEmpty(request.Headers["Authorization"]))
            return (401, new JsonObject { ["message"] = "Requires authentication" });
        var path = request.Url!.AbsolutePath;
        var issues = $"/repos/{Repository}/issues";
        lock (_gate)
        {
            if (request.HttpMethod == "GET" && path == $"/repos/{Repository}")
                return (200, new JsonObject { ["full_name"] = Repository });
            if (request.HttpMethod == "GET" && path == "/search/issues")
                return (200, new JsonObject { ["total_count"] = 0, ["items"] = new JsonArray() });
            if (request.HttpMethod == "GET" && path == issues)
            {
                var perPage = int.TryParse(request.QueryString["per_page"], out var n) && n >= 1 ? Math.Min(n, 100) : 30;
                return (200, new JsonArray([.. Enumerable.Reverse(_issues).Take(perPage).Select(i => i.DeepClone())]));
            }
            if (request.HttpMethod == "GET" && path.StartsWith(issues + "/", StringComparison.Ordinal)
                && int.TryParse(path[(issues.Length + 1)..], out var number) && number >= 1 && number <= _issues.Count)
                return (200, _issues[number - 1].DeepClone());
        }
        if (request.HttpMethod == "POST" && path == issues)
        {
            using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
            var sent = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
            lock (_gate)
            {
                var number = _issues.Count + 1;
                var issue = new JsonObject
                {
                    ["number"] = number,
                    ["html_url"] = $"https://github.example/{Repository}/issues/{number}",
                    ["title"] = sent["title"]?.DeepClone(),
                    ["body"] = sent["body"]?.DeepClone(),
                    ["state"] = "open",
                    ["labels"] = new JsonArray([.. (sent["labels"] as JsonArray ?? []).Select(l => (JsonNode)new JsonObject { ["name"] = l!.GetValue<string>() })]),
                    ["assignees"] = new JsonArray([.. (sent["assignees"] as JsonArray ?? []).Select(a => (JsonNode)new JsonObject { ["login"] = a!.GetValue<string>() })]),
                };
                _issues.Add(issue);
                return (201, issue.DeepClone());
            }
        }
        return (404, new JsonObject { ["message"] = "Not Found" });
    }
}
