using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Rewind.Core.Configuration;

namespace Rewind.Playbook.Incident;

/// <summary>Jira issues over the REST API v2 (create with assignee and due date, JQL search by marker label on Cloud's search/jql or Server's search, read back).</summary>
public sealed class JiraIssues(HttpClient http, JiraTrackerSection settings, Func<string, string?> environment) : ITicketTracker
{
    private const string Fields = "summary,assignee,duedate,labels";

    public string Name => "jira";

    /// <summary>The account the ticket is assigned to, if configured.</summary>
    public string? Assignee => settings.Assignee;

    public string Target => $"jira:{settings.Project}";

    public async Task CheckAccessAsync(CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Get, $"rest/api/2/project/{Uri.EscapeDataString(settings.Project)}", null, cancellationToken);

    public (string Request, JsonObject Body) Describe(TicketRequest request)
    {
        var fields = new JsonObject
        {
            ["project"] = new JsonObject { ["key"] = settings.Project },
            ["summary"] = request.Title,
            ["description"] = request.Body,
            ["issuetype"] = new JsonObject { ["name"] = settings.IssueType },
            ["labels"] = new JsonArray("rewind", request.Marker),
            // Jira keeps a date only; the exact due time is in the description.
            ["duedate"] = request.Due.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        if (settings.Assignee is { } assignee)
            fields["assignee"] = new JsonObject { ["accountId"] = assignee };
        return ($"POST {settings.Url}/rest/api/2/issue", new JsonObject { ["fields"] = fields });
    }

    public async Task<Ticket> CreateAsync(TicketRequest request, CancellationToken cancellationToken)
    {
        var created = await SendAsync(HttpMethod.Post, "rest/api/2/issue", Describe(request).Body, cancellationToken);
        var key = created?["key"]?.GetValue<string>() ?? throw new Core.RewindException("Jira's answer has no issue key", "check incident.jira.url", Core.FailureKind.Failed);
        // The create answer carries only id, key and self: the fields come from the read-back.
        return new Ticket(key, key, Browse(key), request.Title, null, [], null);
    }

    public async Task<Ticket?> FindAsync(TicketRequest request, CancellationToken cancellationToken)
    {
        // Jira Cloud answers search/jql only (rest/api/2/search is 410 Gone there, CHANGE-2046); Server and Data Center
        // have no search/jql (404) and answer rest/api/2/search. Both list issues[].key/fields. Any other error,
        // 410 included, fails the step: an unanswered search is never taken for "not created".
        var query = $"jql={Uri.EscapeDataString($"project = \"{settings.Project}\" AND labels = \"{request.Marker}\"")}&fields={Fields}&maxResults=1";
        var found = await SendAsync(HttpMethod.Get, $"rest/api/2/search/jql?{query}", null, cancellationToken, notFoundIsNull: true)
            ?? await SendAsync(HttpMethod.Get, $"rest/api/2/search?{query}", null, cancellationToken);
        return found?["issues"] is JsonArray { Count: > 0 } issues ? ToTicket(issues[0]) : null;
    }

    public async Task<Ticket> ReadAsync(string id, CancellationToken cancellationToken) =>
        ToTicket(await SendAsync(HttpMethod.Get, $"rest/api/2/issue/{Uri.EscapeDataString(id)}?fields={Fields}", null, cancellationToken));

    private string Browse(string key) => $"{settings.Url}/browse/{key}";

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken, bool notFoundIsNull = false)
    {
        var email = TrackerHttp.Secret(environment, settings.EmailEnv, "the Jira account's e-mail");
        var token = TrackerHttp.Secret(environment, settings.TokenEnv, "a Jira API token of that account");
        using var request = new HttpRequestMessage(method, $"{settings.Url}/{path}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{email}:{token}")));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
            request.Content = TrackerHttp.JsonBody(body);
        return await TrackerHttp.SendAsync(http, request, "Jira", $"{settings.EmailEnv}/{settings.TokenEnv}",
            $"set {settings.EmailEnv} and {settings.TokenEnv} to an account and API token that can create issues in {settings.Project}", cancellationToken, notFoundIsNull);
    }

    private Ticket ToTicket(JsonNode? issue)
    {
        var key = issue?["key"]?.GetValue<string>() ?? throw new Core.RewindException("Jira's answer has no issue key", "check incident.jira.url", Core.FailureKind.Failed);
        var fields = issue["fields"];
        return new Ticket(
            key, key, Browse(key),
            fields?["summary"]?.GetValue<string>() ?? "",
            fields?["assignee"]?["accountId"]?.GetValue<string>(),
            [.. (fields?["labels"] as JsonArray ?? []).Select(l => l?.GetValue<string>()).OfType<string>()],
            fields?["duedate"]?.GetValue<string>());
    }
}
