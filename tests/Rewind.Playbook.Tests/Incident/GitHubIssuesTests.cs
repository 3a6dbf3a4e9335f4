using System.Net;
using System.Text.Json.Nodes;
using Rewind.Core;
using Rewind.Core.Configuration;
using Rewind.Playbook.Incident;
using Rewind.Playbook.Tests.Fakes;
using Xunit;

namespace Rewind.Playbook.Tests.Incident;

/// <summary>GitHub issues over HTTP: the exact requests (URL, headers, JSON body) and every answer path, below any server.</summary>
public sealed class GitHubIssuesTests
{
    private const string Api = "https://gh.example/api/v3";
    private readonly ScriptedHttp _http = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly TicketRequest Request = new(
        "INC-0001", "claude-proxy-api: postmortem", "What happened", "dana", new DateTimeOffset(2026, 12, 8, 9, 0, 0, TimeSpan.Zero), "rewind-run-abc");

    private GitHubIssues Tracker(string? assignee = "octo", string? token = "ghp_secret", TimeSpan? timeout = null) => new(
        _http.Client(timeout), new GitHubTrackerSection("acme/api", "GH_TOKEN", ValueList.Of("postmortem", "sev2"), assignee, Api),
        name => name == "GH_TOKEN" ? token : null);

    private static string Issue(long number = 12, string body = "x <!-- rewind-run-abc -->") => new JsonObject
    {
        ["number"] = number,
        ["html_url"] = $"https://gh.example/acme/api/issues/{number}",
        ["title"] = "claude-proxy-api: postmortem",
        ["body"] = body,
        ["assignees"] = new JsonArray(new JsonObject { ["login"] = "octo" }),
        ["labels"] = new JsonArray(new JsonObject { ["name"] = "postmortem" }, new JsonObject { ["name"] = "sev2" }),
    }.ToJsonString();

    private static void AssertFailure(RewindException e, string message, string hint, FailureKind kind) =>
        Assert.Equal((message, hint, kind), (e.Message, e.Hint, e.Kind));

    [Fact]
    public void Given_settings_when_named_then_the_name_target_and_assignee_come_from_them()
    {
        var tracker = Tracker();

        Assert.Equal(("github", "github:acme/api", "octo"), (tracker.Name, tracker.Target, tracker.Assignee));
        Assert.Equal(50, GitHubIssues.ListedIssues);
    }

    [Fact]
    public async Task Given_a_token_when_access_is_checked_then_one_authenticated_GET_of_the_repository_is_sent_with_GitHubs_headers()
    {
        _http.Then(HttpStatusCode.OK, """{"full_name":"acme/api"}""");

        await Tracker().CheckAccessAsync(Ct);

        var sent = Assert.Single(_http.Requests);
        Assert.Equal($"GET {Api}/repos/acme/api", sent.Line);
        Assert.Equal("Bearer ghp_secret", sent.Header("Authorization"));
        Assert.Equal("application/vnd.github+json", sent.Header("Accept"));
        Assert.Equal("rewind/1", sent.Header("User-Agent"));
        Assert.Equal("2022-11-28", sent.Header("X-GitHub-Api-Version"));
        Assert.Null(sent.Body);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Given_no_token_when_access_is_checked_then_it_is_bad_input_naming_the_variable_and_nothing_is_sent(string? token)
    {
        var e = await Assert.ThrowsAsync<RewindException>(() => Tracker(token: token).CheckAccessAsync(Ct));

        AssertFailure(e, "GH_TOKEN is not set", "export GH_TOKEN with a GitHub token that can write issues in acme/api", FailureKind.BadInput);
        Assert.Empty(_http.Requests);
    }

    [Fact]
    public void Given_an_assignee_when_described_then_the_body_holds_title_marked_body_labels_and_assignee()
    {
        var (line, body) = Tracker().Describe(Request);

        Assert.Equal($"POST {Api}/repos/acme/api/issues", line);
        Assert.Equal(
            """{"title":"claude-proxy-api: postmortem","body":"What happened\n\n\u003C!-- rewind-run-abc --\u003E","labels":["postmortem","sev2"],"assignees":["octo"]}""",
            body.ToJsonString());
        Assert.Equal("What happened\n\n<!-- rewind-run-abc -->", body["body"]!.GetValue<string>());
    }

    [Fact]
    public void Given_no_assignee_when_described_then_the_body_has_no_assignees()
    {
        var (_, body) = Tracker(assignee: null).Describe(Request);

        Assert.False(body.ContainsKey("assignees"));
        Assert.Equal(3, body.Count);
    }

    [Fact]
    public async Task Given_GitHub_creates_the_issue_when_created_then_the_described_body_is_posted_as_JSON_and_the_answer_is_the_ticket()
    {
        _http.Then(HttpStatusCode.Created, Issue());

        var ticket = await Tracker().CreateAsync(Request, Ct);

        var sent = Assert.Single(_http.Requests);
        Assert.Equal($"POST {Api}/repos/acme/api/issues", sent.Line);
        Assert.Equal("application/json; charset=utf-8", sent.Header("Content-Type"));
        Assert.True(JsonNode.DeepEquals(Tracker().Describe(Request).Body, JsonNode.Parse(sent.Body!)));
        Assert.Equal("Bearer ghp_secret", sent.Header("Authorization"));
        Assert.Equal(("12", "acme/api#12", "https://gh.example/acme/api/issues/12", "claude-proxy-api: postmortem", "octo", (string?)null),
            (ticket.Id, ticket.Display, ticket.Link, ticket.Title, ticket.Assignee, ticket.Due));
        Assert.Equal(["postmortem", "sev2"], ticket.Labels);
    }

    [Fact]
    public async Task Given_an_answer_with_only_a_number_when_created_then_the_link_is_built_and_the_rest_is_empty()
    {
        _http.Then(HttpStatusCode.Created, """{"number":7}""");

        var ticket = await Tracker().CreateAsync(Request, Ct);

        Assert.Equal(("7", "acme/api#7", $"{Api}/repos/acme/api/issues/7", "", (string?)null), (ticket.Id, ticket.Display, ticket.Link, ticket.Title, ticket.Assignee));
        Assert.Empty(ticket.Labels);
        Assert.Null(ticket.Due);
    }

    [Fact]
    public async Task Given_an_answer_with_the_old_single_assignee_when_read_then_that_login_is_the_assignee()
    {
        _http.Then(HttpStatusCode.OK, """{"number":7,"assignees":[{"id":1},{"login":"second"}],"assignee":{"login":"single"},"labels":[{"id":3},{"name":"a"}]}""");

        var ticket = await Tracker().ReadAsync("7", Ct);

        Assert.Equal($"GET {Api}/repos/acme/api/issues/7", Assert.Single(_http.Requests).Line);
        Assert.Equal("second", ticket.Assignee);
        Assert.Equal(["a"], ticket.Labels);
    }

    [Fact]
    public async Task Given_no_assignees_list_when_read_then_the_single_assignee_is_used()
    {
        _http.Then(HttpStatusCode.OK, """{"number":7,"assignees":[],"assignee":{"login":"single"}}""");

        Assert.Equal("single", (await Tracker().ReadAsync("7", Ct)).Assignee);
    }

    [Theory]
    [InlineData("""{"title":"no number"}""")]
    [InlineData("")]
    public async Task Given_an_answer_without_a_number_when_created_then_the_step_fails_saying_so(string answer)
    {
        _http.Then(HttpStatusCode.Created, answer);

        var e = await Assert.ThrowsAsync<RewindException>(() => Tracker().CreateAsync(Request, Ct));

        AssertFailure(e, "GitHub's answer has no issue number", "check incident.github.api_url", FailureKind.Failed);
    }

    [Fact]
    public async Task Given_the_issue_among_the_newest_when_found_then_pull_requests_other_bodies_and_null_bodies_are_skipped()
    {
        var list = new JsonArray(
            new JsonObject { ["number"] = 30, ["body"] = "<!-- rewind-run-abc -->", ["pull_request"] = new JsonObject() },
            new JsonObject { ["number"] = 29, ["body"] = null },
            new JsonObject { ["number"] = 28, ["body"] = 5 },
            new JsonObject { ["number"] = 27, ["body"] = "<!-- rewind-run-other -->" },
            new JsonObject { ["number"] = 26, ["body"] = "rewind-run-abc without the comment" },
            JsonNode.Parse(Issue(25)),
            JsonNode.Parse(Issue(24)));
        _http.Then(HttpStatusCode.OK, list.ToJsonString());

        var found = await Tracker().FindAsync(Request, Ct);

        Assert.Equal("25", found?.Id);
        var sent = Assert.Single(_http.Requests);
        Assert.Equal($"GET {Api}/repos/acme/api/issues?state=all&sort=created&direction=desc&per_page=50", sent.Line);
        Assert.Equal("Bearer ghp_secret", sent.Header("Authorization"));
    }

    [Fact]
    public async Task Given_the_issue_not_among_the_newest_when_found_then_search_is_asked_by_the_quoted_marker_and_its_first_item_is_the_ticket()
    {
        _http.Then(HttpStatusCode.OK, $"[{Issue(3, "other")}]").Then(HttpStatusCode.OK, $$"""{"total_count":2,"items":[{{Issue(9)}},{{Issue(8)}}]}""");

        var found = await Tracker().FindAsync(Request, Ct);

        Assert.Equal("9", found?.Id);
        Assert.Equal(2, _http.Requests.Count);
        Assert.Equal($"GET {Api}/search/issues?q=%22rewind-run-abc%22%20in%3Abody%20repo%3Aacme%2Fapi%20type%3Aissue", _http.Requests[1].Line);
    }

    [Theory]
    [InlineData("""{"total_count":0,"items":[]}""")]
    [InlineData("""{"total_count":0}""")]
    [InlineData("")]
    public async Task Given_search_finds_nothing_when_found_then_there_is_no_ticket(string search)
    {
        _http.Then(HttpStatusCode.OK, "[]").Then(HttpStatusCode.OK, search);

        Assert.Null(await Tracker().FindAsync(Request, Ct));
        Assert.Equal(2, _http.Requests.Count);
    }

    [Fact]
    public async Task Given_a_list_answer_that_is_not_an_array_when_found_then_search_still_decides()
    {
        _http.Then(HttpStatusCode.OK, """{"message":"odd"}""").Then(HttpStatusCode.OK, $$"""{"items":[{{Issue(4)}}]}""");

        Assert.Equal("4", (await Tracker().FindAsync(Request, Ct))?.Id);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "GitHub answered 401 Unauthorized: the credential in GH_TOKEN was refused")]
    [InlineData(HttpStatusCode.Forbidden, "GitHub answered 403 Forbidden: the credential in GH_TOKEN was refused")]
    public async Task Given_the_token_refused_when_sent_then_it_is_bad_input_naming_the_variable(HttpStatusCode status, string message)
    {
        _http.Then(status, """{"message":"Bad credentials"}""");

        var e = await Assert.ThrowsAsync<RewindException>(() => Tracker().CreateAsync(Request, Ct));

        AssertFailure(e, message, "set GH_TOKEN to a token that can read and write issues in acme/api", FailureKind.BadInput);
    }

    [Fact]
    public async Task Given_the_repository_not_found_when_checked_then_it_is_bad_input_with_GitHubs_message()
    {
        _http.Then(HttpStatusCode.NotFound, """{"message":"Not Found","documentation_url":"https://docs"}""");

        var e = await Assert.ThrowsAsync<RewindException>(() => Tracker().CheckAccessAsync(Ct));

        AssertFailure(e, "GitHub answered 404 NotFound to GET /api/v3/repos/acme/api (Not Found)", "check the tracker's configuration in rewind.yaml", FailureKind.BadInput);
    }

    [Theory]
    [InlineData(HttpStatusCode.UnprocessableEntity, """{"message":"Validation Failed"}""", "GitHub answered 422 UnprocessableEntity to POST /api/v3/repos/acme/api/issues (Validation Failed)")]
    [InlineData(HttpStatusCode.BadGateway, "<html>bad gateway</html>", "GitHub answered 502 BadGateway to POST /api/v3/repos/acme/api/issues")]
    [InlineData(HttpStatusCode.InternalServerError, """{"message":42}""", "GitHub answered 500 InternalServerError to POST /api/v3/repos/acme/api/issues")]
    [InlineData(HttpStatusCode.InternalServerError, "", "GitHub answered 500 InternalServerError to POST /api/v3/repos/acme/api/issues")]
    public async Task Given_an_error_answer_when_created_then_the_step_fails_with_the_status_and_any_message(HttpStatusCode status, string answer, string message)
    {
        _http.Then(status, answer);

        var e = await Assert.ThrowsAsync<RewindException>(() => Tracker().CreateAsync(Request, Ct));

        AssertFailure(e, message, "check the tracker's configuration in rewind.yaml", FailureKind.Failed);
    }

    [Fact]
    public async Task Given_a_success_answer_that_is_not_JSON_when_read_then_the_step_fails_saying_so()
    {
        _http.Then(HttpStatusCode.OK, "<html>login</html>");

        var e = await Assert.ThrowsAsync<RewindException>(() => Tracker().ReadAsync("1", Ct));

        AssertFailure(e, "GitHub answered 200 with a body that is not JSON", "check the tracker's URL in rewind.yaml", FailureKind.Failed);
    }

    [Fact]
    public async Task Given_GitHub_unreachable_when_created_then_the_step_fails_with_the_reason()
    {
        _http.ThenThrow(new HttpRequestException("Connection refused"));

        var e = await Assert.ThrowsAsync<RewindException>(() => Tracker().CreateAsync(Request, Ct));

        AssertFailure(e, "GitHub could not be reached (Connection refused)", "check the URL in rewind.yaml and the network, then run again", FailureKind.Failed);
    }

    [Fact]
    public async Task Given_no_answer_in_time_when_created_then_the_step_fails_with_the_client_timeout()
    {
        _http.ThenThrow(new TaskCanceledException("timeout"));

        var e = await Assert.ThrowsAsync<RewindException>(() => Tracker(timeout: TimeSpan.FromSeconds(30)).CreateAsync(Request, Ct));

        AssertFailure(e, "GitHub did not answer within 30 s", "run again; a resumed run does not create a second ticket", FailureKind.Failed);
    }

    [Fact]
    public async Task Given_the_run_cancelled_when_created_then_the_cancellation_is_not_turned_into_a_failure()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        _http.ThenThrow(new TaskCanceledException("cancelled", null, cancelled.Token));

        await Assert.ThrowsAsync<TaskCanceledException>(() => Tracker().CreateAsync(Request, cancelled.Token));
    }
}
