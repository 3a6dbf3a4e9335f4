using System.Net;
using System.Text.Json.Nodes;
using Rewind.Core;
using Rewind.Core.Configuration;
using Rewind.Playbook.Incident;
using Rewind.Playbook.Tests.Fakes;
using Xunit;

namespace Rewind.Playbook.Tests.Incident;

/// <summary>Jira issues over HTTP: the exact requests (basic auth, JQL on Cloud's and Server's search, JSON fields) and every answer path.</summary>
public sealed class JiraIssuesTests
{
    private const string Site = "https://acme.atlassian.example";
    private readonly ScriptedHttp _http = new();
    private readonly Dictionary<string, string> _environment = new() { ["JIRA_EMAIL"] = "ops@acme.example", ["JIRA_TOKEN"] = "tok" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // 23:30 at UTC+2 is 21:30 UTC: the due date is the UTC day.
    private static readonly TicketRequest Request = new(
        "INC-0001", "claude-proxy-api: postmortem", "What happened", "dana", new DateTimeOffset(2026, 12, 8, 1, 30, 0, TimeSpan.FromHours(2)), "rewind-run-abc");

    private JiraIssues Tracker(string? assignee = "5b10ac8d82e05b22cc7d4ef5", string project = "OPS") => new(
        _http.Client(), new JiraTrackerSection(Site, project, "Task", "JIRA_EMAIL", "JIRA_TOKEN", assignee),
        name => _environment.GetValueOrDefault(name));

    private static void AssertFailure(RewindException e, string message, string hint, FailureKind kind) =>
        Assert.Equal((message, hint, kind), (e.Message, e.Hint, e.Kind));

    private const string Found = """{"issues":[{"key":"OPS-7","fields":{"summary":"s","assignee":{"accountId":"acc"},"duedate":"2026-12-07","labels":["rewind","rewind-run-abc"]}},{"key":"OPS-6"}]}""";

    private const string Query = "jql=project%20%3D%20%22OPS%22%20AND%20labels%20%3D%20%22rewind-run-abc%22&fields=summary,assignee,duedate,labels&maxResults=1";

    [Fact]
    public void Given_settings_when_named_then_the_name_target_and_assignee_come_from_them()
    {
        var tracker = Tracker();

        Assert.Equal(("jira", "jira:OPS", "5b10ac8d82e05b22cc7d4ef5"), (tracker.Name, tracker.Target, tracker.Assignee));
    }

    [Fact]
    public async Task Given_credentials_when_access_is_checked_then_the_project_is_read_with_basic_auth_of_email_and_token()
    {
        await Tracker(project: "OPS X").CheckAccessAsync(Ct);

        var sent = Assert.Single(_http.Requests);
        Assert.Equal($"GET {Site}/rest/api/2/project/OPS%20X", sent.Line);
        Assert.Equal("Basic " + Convert.ToBase64String("ops@acme.example:tok"u8.ToArray()), sent.Header("Authorization"));
        Assert.Equal("application/json", sent.Header("Accept"));
        Assert.Null(sent.Body);
    }

    [Theory]
    [InlineData("JIRA_EMAIL", "JIRA_EMAIL is not set", "export JIRA_EMAIL with the Jira account's e-mail")]
    [InlineData("JIRA_TOKEN", "JIRA_TOKEN is not set", "export JIRA_TOKEN with a Jira API token of that account")]
    public async Task Given_a_credential_unset_when_checked_then_it_is_bad_input_naming_its_variable(string unset, string message, string hint)
    {
        _environment.Remove(unset);

        var e = await Assert.ThrowsAsync<RewindException>(() => Tracker().CheckAccessAsync(Ct));

        AssertFailure(e, message, hint, FailureKind.BadInput);
        Assert.Empty(_http.Requests);
    }

    [Fact]
    public void Given_an_assignee_when_described_then_the_fields_hold_project_type_labels_the_UTC_due_date_and_the_account()
    {
        var (line, body) = Tracker().Describe(Request);

        Assert.Equal($"POST {Site}/rest/api/2/issue", line);
        Assert.Equal(
            """{"fields":{"project":{"key":"OPS"},"summary":"claude-proxy-api: postmortem","description":"What happened","issuetype":{"name":"Task"},"labels":["rewind","rewind-run-abc"],"duedate":"2026-12-07","assignee":{"accountId":"5b10ac8d82e05b22cc7d4ef5"}}}""",
            body.ToJsonString());
    }

    [Fact]
    public void Given_no_assignee_when_described_then_the_fields_have_no_assignee()
    {
        var fields = Tracker(assignee: null).Describe(Request).Body["fields"]!.AsObject();

        Assert.False(fields.ContainsKey("assignee"));
        Assert.Equal(6, fields.Count);
    }

    [Fact]
    public async Task Given_Jira_creates_the_issue_when_created_then_the_fields_are_posted_and_the_ticket_is_the_key_and_its_browse_link()
    {
        _http.Then(HttpStatusCode.Created, """{"id":"10001","key":"OPS-7","self":"https://acme/rest/api/2/issue/10001"}""");

        var ticket = await Tracker().CreateAsync(Request, Ct);

        var sent = Assert.Single(_http.Requests);
        Assert.Equal($"POST {Site}/rest/api/2/issue", sent.Line);
        Assert.Equal("application/json; charset=utf-8", sent.Header("Content-Type"));
        Assert.True(JsonNode.DeepEquals(Tracker().Describe(Request).Body, JsonNode.Parse(sent.Body!)));
        Assert.Equal(("OPS-7", "OPS-7", $"{Site}/browse/OPS-7", "claude-proxy-api: postmortem", (string?)null, (string?)null),
            (ticket.Id, ticket.Display, ticket.Link, ticket.Title, ticket.Assignee, ticket.Due));
        Assert.Empty(ticket.Labels);
    }

    [Theory]
    [InlineData("""{"id":"10001"}""")]
    [InlineData("")]
    public async Task Given_an_answer_without_a_key_when_created_then_the_step_fails_saying_so(string answer)
    {
        _http.Then(HttpStatusCode.Created, answer);

        var e = await Assert.ThrowsAsync<RewindException>(() => Tracker().CreateAsync(Request, Ct));

        AssertFailure(e, "Jira's answer has no issue key", "check incident.jira.url", FailureKind.Failed);
    }

    [Fact]
    public async Task Given_Jira_Cloud_when_found_then_search_jql_is_asked_by_project_and_marker_label_and_the_first_issue_is_the_ticket()
    {
        _http.Then(HttpStatusCode.OK, Found);

        var ticket = await Tracker().FindAsync(Request, Ct);

        Assert.Equal($"GET {Site}/rest/api/2/search/jql?{Query}", Assert.Single(_http.Requests).Line);
        Assert.Equal(new Ticket("OPS-7", "OPS-7", $"{Site}/browse/OPS-7", "s", "acc", ticket!.Labels, "2026-12-07"), ticket);
        Assert.Equal(["rewind", "rewind-run-abc"], ticket.Labels);
    }

    [Fact]
    public async Task Given_Jira_Server_without_search_jql_when_found_then_the_classic_search_answers()
    {
        _http.Then(HttpStatusCode.NotFound, """{"errorMessages":["null for uri"]}""").Then(HttpStatusCode.OK, Found);

        var ticket = await Tracker().FindAsync(Request, Ct);

        Assert.Equal("OPS-7", ticket?.Id);
        Assert.Equal([$"GET {Site}/rest/api/2/search/jql?{Query}", $"GET {Site}/rest/api/2/search?{Query}"], _http.Requests.Select(r => r.Line));
    }

    [Theory]
    [InlineData("""{"issues":[]}""")]
    [InlineData("""{"total":0}""")]
    public async Task Given_no_issue_with_the_marker_when_found_then_there_is_no_ticket(string answer)
    {
        _http.Then(HttpStatusCode.OK, answer);

        Assert.Null(await Tracker().FindAsync(Request, Ct));
        Assert.Single(_http.Requests);
    }

    [Fact]
    public async Task Given_the_classic_search_gone_when_found_then_the_step_fails_instead_of_taking_it_for_not_created()
    {
        _http.Then(HttpStatusCode.NotFound, "").Then(HttpStatusCode.Gone, """{"errorMessages":["The requested API has been removed."]}""");

        var e = await Assert.ThrowsAsync<RewindException>(() => Tracker().FindAsync(Request, Ct));

        AssertFailure(e, "Jira answered 410 Gone to GET /rest/api/2/search (The requested API has been removed.)", "check the tracker's configuration in rewind.yaml", FailureKind.Failed);
    }

    [Fact]
    public async Task Given_both_searches_not_found_when_found_then_the_second_404_is_bad_input()
    {
        _http.Then(HttpStatusCode.NotFound, "");

        var e = await Assert.ThrowsAsync<RewindException>(() => Tracker().FindAsync(Request, Ct));

        AssertFailure(e, "Jira answered 404 NotFound to GET /rest/api/2/search", "check the tracker's configuration in rewind.yaml", FailureKind.BadInput);
    }

    [Fact]
    public async Task Given_an_issue_key_when_read_then_the_issue_is_read_with_its_fields_escaped_and_mapped()
    {
        _http.Then(HttpStatusCode.OK, """{"key":"OPS-7","fields":{"summary":"s","assignee":null,"labels":["a",null],"duedate":null}}""");

        var ticket = await Tracker().ReadAsync("OPS 7", Ct);

        Assert.Equal($"GET {Site}/rest/api/2/issue/OPS%207?fields=summary,assignee,duedate,labels", Assert.Single(_http.Requests).Line);
        Assert.Equal(("OPS-7", "s", (string?)null, (string?)null), (ticket.Id, ticket.Title, ticket.Assignee, ticket.Due));
        Assert.Equal(["a"], ticket.Labels);
    }

    [Fact]
    public async Task Given_an_issue_without_fields_when_read_then_the_title_is_empty_and_nothing_else_is_set()
    {
        _http.Then(HttpStatusCode.OK, """{"key":"OPS-7"}""");

        var ticket = await Tracker().ReadAsync("OPS-7", Ct);

        Assert.Equal(("", (string?)null, (string?)null), (ticket.Title, ticket.Assignee, ticket.Due));
        Assert.Empty(ticket.Labels);
    }

    [Fact]
    public async Task Given_an_answer_without_a_key_when_read_then_the_step_fails_saying_so()
    {
        _http.Then(HttpStatusCode.OK, """{"fields":{}}""");

        var e = await Assert.ThrowsAsync<RewindException>(() => Tracker().ReadAsync("OPS-7", Ct));

        AssertFailure(e, "Jira's answer has no issue key", "check incident.jira.url", FailureKind.Failed);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "Jira answered 401 Unauthorized: the credential in JIRA_EMAIL/JIRA_TOKEN was refused")]
    [InlineData(HttpStatusCode.Forbidden, "Jira answered 403 Forbidden: the credential in JIRA_EMAIL/JIRA_TOKEN was refused")]
    public async Task Given_the_credentials_refused_when_found_then_it_is_bad_input_even_on_the_search_that_may_be_missing(HttpStatusCode status, string message)
    {
        _http.Then(status, "");

        var e = await Assert.ThrowsAsync<RewindException>(() => Tracker().FindAsync(Request, Ct));

        AssertFailure(e, message, "set JIRA_EMAIL and JIRA_TOKEN to an account and API token that can create issues in OPS", FailureKind.BadInput);
        Assert.Single(_http.Requests);
    }

    [Fact]
    public async Task Given_a_validation_error_when_created_then_the_first_error_message_is_in_the_failure()
    {
        _http.Then(HttpStatusCode.BadRequest, """{"errorMessages":["Field 'duedate' cannot be set.","second"],"errors":{}}""");

        var e = await Assert.ThrowsAsync<RewindException>(() => Tracker().CreateAsync(Request, Ct));

        AssertFailure(e, "Jira answered 400 BadRequest to POST /rest/api/2/issue (Field 'duedate' cannot be set.)", "check the tracker's configuration in rewind.yaml", FailureKind.Failed);
    }

    [Fact]
    public async Task Given_an_error_answer_with_both_a_message_and_error_messages_when_created_then_the_message_is_shown()
    {
        _http.Then(HttpStatusCode.BadRequest, """{"message":"the message","errorMessages":["the first error"]}""");

        var e = await Assert.ThrowsAsync<RewindException>(() => Tracker().CreateAsync(Request, Ct));

        Assert.Equal("Jira answered 400 BadRequest to POST /rest/api/2/issue (the message)", e.Message);
    }

    [Fact]
    public async Task Given_an_error_answer_with_no_messages_when_created_then_the_failure_has_the_status_alone()
    {
        _http.Then(HttpStatusCode.BadRequest, """{"errorMessages":[],"errors":{"summary":"required"}}""");

        var e = await Assert.ThrowsAsync<RewindException>(() => Tracker().CreateAsync(Request, Ct));

        Assert.Equal("Jira answered 400 BadRequest to POST /rest/api/2/issue", e.Message);
    }

    [Fact]
    public async Task Given_the_run_cancelled_while_waiting_when_found_then_the_cancellation_propagates()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        _http.ThenThrow(new TaskCanceledException("cancelled", null, cancelled.Token));

        await Assert.ThrowsAsync<TaskCanceledException>(() => Tracker().FindAsync(Request, cancelled.Token));
    }
}
