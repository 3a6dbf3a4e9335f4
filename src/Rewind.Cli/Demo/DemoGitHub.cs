using System.Globalization;
using System.Text.Json.Nodes;

namespace Rewind.Cli.Demo;

/// <summary>
/// An in-memory stand-in for the part of GitHub's issues REST API the incident step calls (see
/// Rewind.Playbook/Incident/GitHubIssues.cs): <c>GET /repos/O/N</c>, <c>POST /repos/O/N/issues</c>,
/// <c>GET /repos/O/N/issues/NUMBER</c>, <c>GET /repos/O/N/issues?per_page=N</c> (the newest first; the stand-in has no
/// pull requests, and ignores state, sort and direction since its answer is already all issues, newest first) and
/// <c>GET /search/issues?q="MARKER" in:body …</c>. Every call needs <c>Authorization: Bearer TOKEN</c> (401
/// otherwise); only <see cref="Repository"/> exists (404 otherwise). Issues live as long as the process; search finds
/// a quoted marker in the body, as GitHub's does (without its index lag).
/// </summary>
public sealed class DemoGitHub(string apiUrl, string token)
{
    /// <summary>The one repository the stand-in has.</summary>
    public const string Repository = "acme/claude-proxy";

    private readonly Lock _gate = new();
    private readonly List<JsonObject> _issues = [];

    /// <summary>The API's base address, without a trailing slash.</summary>
    public string ApiUrl { get; } = apiUrl;

    /// <summary>How many issues were created.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
                return _issues.Count;
        }
    }

    /// <summary>Answers one request to <paramref name="path"/> (below the API's base) with a status and a JSON body.</summary>
    public (int Status, JsonNode Body) Answer(string method, string path, string query, string? authorization, JsonNode? payload)
    {
        if (authorization != "Bearer " + token)
            return (401, new JsonObject { ["message"] = "Bad credentials" });
        var repo = "/repos/" + Repository;
        lock (_gate)
        {
            return (method, path) switch
            {
                ("GET", var p) when p == repo => (200, new JsonObject
                {
                    ["full_name"] = Repository,
                    ["has_issues"] = true,
                    ["permissions"] = new JsonObject { ["push"] = true },
                }),
                ("POST", var p) when p == repo + "/issues" => Create(payload),
                ("GET", var p) when p == repo + "/issues" => List(query),
                ("GET", var p) when p.StartsWith(repo + "/issues/", StringComparison.Ordinal) => Read(p[(repo.Length + "/issues/".Length)..]),
                ("GET", "/search/issues") => Search(query),
                _ => (404, new JsonObject { ["message"] = "Not Found" }),
            };
        }
    }

    private (int, JsonNode) Create(JsonNode? payload)
    {
        if (payload?["title"]?.GetValue<string>() is not { Length: > 0 } title)
            return (422, new JsonObject { ["message"] = "Validation Failed: title is missing" });
        var number = _issues.Count + 1;
        var issue = new JsonObject
        {
            ["number"] = number,
            ["title"] = title,
            ["body"] = payload["body"]?.GetValue<string>() ?? "",
            ["state"] = "open",
            ["html_url"] = $"{ApiUrl}/{Repository}/issues/{number.ToString(CultureInfo.InvariantCulture)}",
            ["labels"] = new JsonArray([.. (payload["labels"] as JsonArray ?? []).Select(l => (JsonNode)new JsonObject { ["name"] = l?.GetValue<string>() })]),
            ["assignees"] = new JsonArray([.. (payload["assignees"] as JsonArray ?? []).Select(a => (JsonNode)new JsonObject { ["login"] = a?.GetValue<string>() })]),
            ["created_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        _issues.Add(issue);
        return (201, issue.DeepClone());
    }

    private (int, JsonNode) Read(string number) =>
        int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= _issues.Count
            ? (200, _issues[n - 1].DeepClone())
            : (404, new JsonObject { ["message"] = "Not Found" });

    private (int, JsonNode) List(string query)
    {
        // GitHub's default page is 30 issues and its largest 100.
        var perPage = Parameter(query, "per_page") is { } text && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? Math.Min(n, 100) : 30;
        return (200, new JsonArray([.. Enumerable.Reverse(_issues).Take(perPage).Select(i => i.DeepClone())]));
    }

    private static string? Parameter(string query, string name) =>
        query.TrimStart('?').Split('&').FirstOrDefault(p => p.StartsWith(name + "=", StringComparison.Ordinal)) is { } pair
            ? Uri.UnescapeDataString(pair[(name.Length + 1)..])
            : null;

    private (int, JsonNode) Search(string query)
    {
        var q = Parameter(query, "q") ?? "";
        var quoted = q.Split('"');
        if (quoted.Length < 3 || quoted[1].Length == 0)
            return (422, new JsonObject { ["message"] = "Validation Failed: the stand-in searches for one quoted phrase" });
        var found = _issues.Where(i => i["body"]!.GetValue<string>().Contains(quoted[1], StringComparison.Ordinal)).Select(i => i.DeepClone()).ToArray();
        return (200, new JsonObject { ["total_count"] = found.Length, ["incomplete_results"] = false, ["items"] = new JsonArray(found) });
    }
}
