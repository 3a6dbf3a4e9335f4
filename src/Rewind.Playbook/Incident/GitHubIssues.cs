using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Rewind.Core.Configuration;

namespace Rewind.Playbook.Incident;

/// <summary>
/// GitHub issues over the REST API (create, find by marker, read back). Hand-written over HttpClient because
/// Octokit's reflection-based JSON does not publish under NativeAOT without warnings (see README.md).
/// </summary>
public sealed class GitHubIssues(HttpClient http, GitHubTrackerSection settings, Func<string, string?> environment) : ITicketTracker
{
    /// <summary>How many of the newest issues <see cref="FindAsync"/> reads before it falls back to search.</summary>
    public const int ListedIssues = 50;

    public string Name => "github";

    /// <summary>The account the ticket is assigned to, if configured.</summary>
    public string? Assignee => settings.Assignee;

    public string Target => $"github:{settings.Repository}";

    public async Task CheckAccessAsync(CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Get, $"repos/{settings.Repository}", null, cancellationToken);

    public (string Request, JsonObject Body) Describe(TicketRequest request)
    {
        var body = new JsonObject
        {
            ["title"] = request.Title,
            ["body"] = $"{request.Body}\n\n<!-- {request.Marker} -->",
            ["labels"] = new JsonArray([.. settings.Labels.Select(l => (JsonNode)JsonValue.Create(l)!)]),
        };
        if (settings.Assignee is { } assignee)
            body["assignees"] = new JsonArray(JsonValue.Create(assignee));
        return ($"POST {Url($"repos/{settings.Repository}/issues")}", body);
    }

    public async Task<Ticket> CreateAsync(TicketRequest request, CancellationToken cancellationToken) =>
        ToTicket(await SendAsync(HttpMethod.Post, $"repos/{settings.Repository}/issues", Describe(request).Body, cancellationToken));

    public async Task<Ticket?> FindAsync(TicketRequest request, CancellationToken cancellationToken)
    {
        // The marker is one token unique to the sending run. The newest issues come from the REST list, which is not
        // behind an index (search's lags creation by seconds to minutes); older ones only from search. An issue is
        // missed only if more than ListedIssues were created since and the index still lags: see README.md.
        var tag = $"<!-- {request.Marker} -->";
        var newest = await SendAsync(HttpMethod.Get,
            $"repos/{settings.Repository}/issues?state=all&sort=created&direction=desc&per_page={ListedIssues}", null, cancellationToken);
        if ((newest as JsonArray ?? []).FirstOrDefault(issue => IsIssueWith(issue, tag)) is { } listed)
            return ToTicket(listed);
        var query = Uri.EscapeDataString($"\"{request.Marker}\" in:body repo:{settings.Repository} type:issue");
        var found = await SendAsync(HttpMethod.Get, $"search/issues?q={query}", null, cancellationToken);
        return found?["items"] is JsonArray { Count: > 0 } items ? ToTicket(items[0]) : null;
    }

    public async Task<Ticket> ReadAsync(string id, CancellationToken cancellationToken) =>
        ToTicket(await SendAsync(HttpMethod.Get, $"repos/{settings.Repository}/issues/{id}", null, cancellationToken));

    // The list also holds pull requests (they carry "pull_request"); a body may be null.
    private static bool IsIssueWith(JsonNode? issue, string tag) =>
        issue?["pull_request"] is null && issue?["body"] is JsonValue body && body.TryGetValue<string>(out var text)
        && text.Contains(tag, StringComparison.Ordinal);

    private string Url(string path) => $"{settings.ApiUrl}/{path}";

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        var token = TrackerHttp.Secret(environment, settings.TokenEnv, $"a GitHub token that can write issues in {settings.Repository}");
        using var request = new HttpRequestMessage(method, Url(path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("rewind", "1"));
        request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
        if (body is not null)
            request.Content = TrackerHttp.JsonBody(body);
        return await TrackerHttp.SendAsync(http, request, "GitHub", settings.TokenEnv,
            $"set {settings.TokenEnv} to a token that can read and write issues in {settings.Repository}", cancellationToken);
    }

    private Ticket ToTicket(JsonNode? issue)
    {
        var number = issue?["number"]?.GetValue<long>() ?? throw new Core.RewindException("GitHub's answer has no issue number", "check incident.github.api_url", Core.FailureKind.Failed);
        return new Ticket(
            number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{settings.Repository}#{number}",
            issue["html_url"]?.GetValue<string>() ?? Url($"repos/{settings.Repository}/issues/{number}"),
            issue["title"]?.GetValue<string>() ?? "",
            (issue["assignees"] as JsonArray)?.Select(a => a?["login"]?.GetValue<string>()).FirstOrDefault(a => a is not null)
                ?? issue["assignee"]?["login"]?.GetValue<string>(),
            [.. (issue["labels"] as JsonArray ?? []).Select(l => l?["name"]?.GetValue<string>()).OfType<string>()],
            null);
    }
}
