using System.Text.Json.Nodes;
using Rewind.Core.Ledger;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Cli.Tests.Incident;

/// <summary>After a crash or an interruption, resume leaves exactly one incident and one ticket per tracker.</summary>
public sealed class IncidentResumeTests
{
    private const string Title = "[INC-0001] Postmortem: api: incident";

    private const string Listed = "/repos/acme/api/issues?state=all&sort=created&direction=desc&per_page=50";
    private const string NoneFound = """{"total_count":0,"incomplete_results":false,"items":[]}""";

    /// <summary>Runs the step until GitHub has the create, then interrupts it before the answer: the outbox stays pending.</summary>
    private static async Task<string> InterruptAfterTheCreateAsync(IncidentWorld world, CancellationToken ct)
    {
        world.Environment["GH_TOKEN_TEST"] = "t";
        await using var first = LoopbackStub.Start(StubResponse.Json(200, "{}"), StubResponse.Stall());
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var running = world.RunAsync(world.Step(world.Config(TrackerTests.GitHubYaml(first, "GH_TOKEN_TEST"))), interrupt.Token);
        await first.WaitForRequestsAsync(2, ct);
        await interrupt.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal("POST", first.Requests[1].Method);
        var runId = (await world.Ledger.Runs.ListRunsAsync(null, 1, ct))[0].Id;
        Assert.Equal(OutboxStatus.Pending, (await world.Ledger.Outbox.GetOutboxItemAsync($"{runId}/incident/github", ct))!.Status);
        return runId;
    }

    private static string Body(string runId) => $"The incident.\n\n<!-- rewind-{runId} -->";

    private static string Search(string runId) =>
        "/search/issues?q=" + Uri.EscapeDataString($"\"rewind-{runId}\" in:body repo:acme/api type:issue");

    private static async Task AssertDeliveredOnceAsync(IncidentWorld world, string runId, string number, CancellationToken ct)
    {
        Assert.Single(await world.Ledger.Incidents.ListIncidentsAsync(ct));
        var item = await world.Ledger.Outbox.GetOutboxItemAsync($"{runId}/incident/github", ct);
        Assert.Equal((OutboxStatus.Delivered, number), (item!.Status, item.Receipt));
    }

    [Fact]
    public async Task Given_the_create_landed_but_the_search_index_lags_when_resumed_then_the_newest_issues_list_finds_it_and_search_is_not_called()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await IncidentWorld.CreateAsync(ct);
        var runId = await InterruptAfterTheCreateAsync(world, ct);
        var newest = $"[{TrackerTests.Issue(13, "another issue", body: "unrelated")},{TrackerTests.Issue(12, Title, body: Body(runId))},{TrackerTests.Issue(11, "older", body: null)}]";
        await using var second = LoopbackStub.Start(
            StubResponse.Json(200, newest),
            StubResponse.Json(200, TrackerTests.Issue(12, Title)),
            StubResponse.Json(200, NoneFound));

        var outcome = await world.ResumeAsync(world.Step(world.Config(TrackerTests.GitHubYaml(second, "GH_TOKEN_TEST"))), runId, ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal([$"GET {Listed}", "GET /repos/acme/api/issues/12"], second.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.Equal("acme/api#12", IncidentWorld.TicketOf(IncidentWorld.EvidenceOf(outcome)));
        Assert.Equal("true", (IncidentWorld.EvidenceOf(outcome).Verified ? "true" : "false"));
        await AssertDeliveredOnceAsync(world, runId, "12", ct);
    }

    [Fact]
    public async Task Given_fifty_newer_issues_without_the_marker_when_resumed_then_github_is_searched_by_marker_and_nothing_is_created_again()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await IncidentWorld.CreateAsync(ct);
        var runId = await InterruptAfterTheCreateAsync(world, ct);
        var others = string.Join(",", Enumerable.Range(0, 50).Select(i => TrackerTests.Issue(100 - i, $"issue {100 - i}", body: $"<!-- rewind-other-{i} -->")));
        const string found = """{"total_count":1,"incomplete_results":false,"items":[ISSUE]}""";
        await using var second = LoopbackStub.Start(
            StubResponse.Json(200, $"[{others}]"),
            StubResponse.Json(200, found.Replace("ISSUE", TrackerTests.Issue(12, Title, body: Body(runId)), StringComparison.Ordinal)),
            StubResponse.Json(200, TrackerTests.Issue(12, Title)));

        var outcome = await world.ResumeAsync(world.Step(world.Config(TrackerTests.GitHubYaml(second, "GH_TOKEN_TEST"))), runId, ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal([$"GET {Listed}", $"GET {Search(runId)}", "GET /repos/acme/api/issues/12"], second.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.Equal("acme/api#12", IncidentWorld.TicketOf(IncidentWorld.EvidenceOf(outcome)));
        Assert.Equal("true", (IncidentWorld.EvidenceOf(outcome).Verified ? "true" : "false"));
        await AssertDeliveredOnceAsync(world, runId, "12", ct);
    }

    [Fact]
    public async Task Given_only_a_pull_request_carries_the_marker_when_resumed_then_it_is_not_taken_as_the_ticket()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await IncidentWorld.CreateAsync(ct);
        var runId = await InterruptAfterTheCreateAsync(world, ct);
        var pullRequest = JsonNode.Parse(TrackerTests.Issue(14, "Quote the incident", body: Body(runId)))!.AsObject();
        pullRequest["pull_request"] = new JsonObject { ["url"] = "https://github.example/acme/api/pull/14" };
        await using var second = LoopbackStub.Start(
            StubResponse.Json(200, $"[{pullRequest.ToJsonString()}]"),
            StubResponse.Json(200, NoneFound),
            StubResponse.Json(201, TrackerTests.Issue(15, Title)),
            StubResponse.Json(200, TrackerTests.Issue(15, Title)));

        var outcome = await world.ResumeAsync(world.Step(world.Config(TrackerTests.GitHubYaml(second, "GH_TOKEN_TEST"))), runId, ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(
            [$"GET {Listed}", $"GET {Search(runId)}", "POST /repos/acme/api/issues", "GET /repos/acme/api/issues/15"],
            second.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.Equal("acme/api#15", IncidentWorld.TicketOf(IncidentWorld.EvidenceOf(outcome)));
        await AssertDeliveredOnceAsync(world, runId, "15", ct);
    }

    [Fact]
    public async Task Given_neither_the_list_nor_the_search_finds_it_when_resumed_then_the_issue_is_created_once()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await IncidentWorld.CreateAsync(ct);
        var runId = await InterruptAfterTheCreateAsync(world, ct);
        await using var second = LoopbackStub.Start(
            StubResponse.Json(200, "[]"),
            StubResponse.Json(200, NoneFound),
            StubResponse.Json(201, TrackerTests.Issue(13, Title)),
            StubResponse.Json(200, TrackerTests.Issue(13, Title)));

        var outcome = await world.ResumeAsync(world.Step(world.Config(TrackerTests.GitHubYaml(second, "GH_TOKEN_TEST"))), runId, ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(
            [$"GET {Listed}", $"GET {Search(runId)}", "POST /repos/acme/api/issues", "GET /repos/acme/api/issues/13"],
            second.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.Equal("acme/api#13", IncidentWorld.TicketOf(IncidentWorld.EvidenceOf(outcome)));
        await AssertDeliveredOnceAsync(world, runId, "13", ct);
    }

    [Fact]
    public async Task Given_the_ticket_was_delivered_and_the_run_then_failed_when_resumed_then_it_is_only_read_not_sent_again()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await IncidentWorld.CreateAsync(ct);
        world.Environment["GH_TOKEN_TEST"] = "t";
        await using var first = LoopbackStub.Start(
            StubResponse.Json(200, "{}"),
            StubResponse.Json(201, TrackerTests.Issue(12, Title)),
            StubResponse.Json(502, """{"message":"bad gateway"}"""));
        var failed = await world.RunAsync(world.Step(world.Config(TrackerTests.GitHubYaml(first, "GH_TOKEN_TEST"))), ct);
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Equal(OutboxStatus.Delivered, (await world.Ledger.Outbox.GetOutboxItemAsync($"{failed.RunId}/incident/github", ct))!.Status);

        await using var second = LoopbackStub.Start(StubResponse.Json(200, TrackerTests.Issue(12, Title)));
        var outcome = await world.ResumeAsync(world.Step(world.Config(TrackerTests.GitHubYaml(second, "GH_TOKEN_TEST"))), failed.RunId, ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.All(second.Requests, r => Assert.Equal("GET /repos/acme/api/issues/12", $"{r.Method} {r.Path}"));
        Assert.Single(first.Requests, r => r.Method == "POST");
        Assert.Single(await world.Ledger.Incidents.ListIncidentsAsync(ct));
        Assert.Equal("INC-0001", IncidentWorld.EvidenceOf(outcome).Incident);
    }

    private const string JiraIssue = """{"key":"OPS-7","fields":{"summary":"[INC-0001] Postmortem: api: incident","duedate":"2026-11-29","labels":["rewind"]}}""";
    private const string JiraFound = $$"""{"issues":[{{JiraIssue}}]}""";
    private const string JiraNoneFound = """{"issues":[]}""";
    private const string JiraNoSuchApi = """{"errorMessages":["null for uri: /rest/api/2/search/jql"]}""";

    private static string JiraYaml(LoopbackStub stub) => $"  jira:\n    url: {stub.Url}\n    project: OPS\n    email_env: JIRA_EMAIL_TEST\n    token_env: JIRA_TOKEN_TEST\n";

    /// <summary>The query both Jira searches get: the run's marker label in the project, the fields ToTicket reads, one issue.</summary>
    private static string JiraQuery(string runId) =>
        "?jql=" + Uri.EscapeDataString($"project = \"OPS\" AND labels = \"rewind-{runId}\"") + "&fields=summary,assignee,duedate,labels&maxResults=1";

    /// <summary>Runs the step until Jira has the create, then interrupts it before the answer: the outbox stays pending.</summary>
    private static async Task<string> InterruptTheJiraCreateAsync(IncidentWorld world, CancellationToken ct)
    {
        world.Environment["JIRA_EMAIL_TEST"] = "ops@example.com";
        world.Environment["JIRA_TOKEN_TEST"] = "secret";
        await using var first = LoopbackStub.Start(StubResponse.Json(200, "{}"), StubResponse.Stall());
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var running = world.RunAsync(world.Step(world.Config(JiraYaml(first))), interrupt.Token);
        await first.WaitForRequestsAsync(2, ct);
        await interrupt.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal("POST /rest/api/2/issue", $"{first.Requests[1].Method} {first.Requests[1].Path}");
        var runId = (await world.Ledger.Runs.ListRunsAsync(null, 1, ct))[0].Id;
        Assert.Equal(OutboxStatus.Pending, (await world.Ledger.Outbox.GetOutboxItemAsync($"{runId}/incident/jira", ct))!.Status);
        return runId;
    }

    private static async Task AssertJiraDeliveredOnceAsync(IncidentWorld world, string runId, string key, CancellationToken ct)
    {
        Assert.Single(await world.Ledger.Incidents.ListIncidentsAsync(ct));
        var item = await world.Ledger.Outbox.GetOutboxItemAsync($"{runId}/incident/jira", ct);
        Assert.Equal((OutboxStatus.Delivered, key), (item!.Status, item.Receipt));
    }

    [Fact]
    public async Task Given_a_jira_cloud_create_was_sent_but_its_answer_lost_when_resumed_then_search_jql_finds_it_by_the_runs_label()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await IncidentWorld.CreateAsync(ct);
        var runId = await InterruptTheJiraCreateAsync(world, ct);
        await using var second = LoopbackStub.Start(StubResponse.Json(200, JiraFound), StubResponse.Json(200, JiraIssue));

        var outcome = await world.ResumeAsync(world.Step(world.Config(JiraYaml(second))), runId, ct);

        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.Steps[0].Result.Summary);
        Assert.Equal(
            [$"GET /rest/api/2/search/jql{JiraQuery(runId)}", "GET /rest/api/2/issue/OPS-7?fields=summary,assignee,duedate,labels"],
            second.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.Equal("OPS-7", IncidentWorld.TicketOf(IncidentWorld.EvidenceOf(outcome)));
        await AssertJiraDeliveredOnceAsync(world, runId, "OPS-7", ct);
    }

    [Fact]
    public async Task Given_jira_server_without_search_jql_when_resumed_then_the_classic_search_finds_it_and_nothing_is_created_again()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await IncidentWorld.CreateAsync(ct);
        var runId = await InterruptTheJiraCreateAsync(world, ct);
        await using var second = LoopbackStub.Start(
            StubResponse.Json(404, JiraNoSuchApi),
            StubResponse.Json(200, JiraFound),
            StubResponse.Json(200, JiraIssue));

        var outcome = await world.ResumeAsync(world.Step(world.Config(JiraYaml(second))), runId, ct);

        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.Steps[0].Result.Summary);
        Assert.Equal(
            [$"GET /rest/api/2/search/jql{JiraQuery(runId)}", $"GET /rest/api/2/search{JiraQuery(runId)}", "GET /rest/api/2/issue/OPS-7?fields=summary,assignee,duedate,labels"],
            second.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.Equal("OPS-7", IncidentWorld.TicketOf(IncidentWorld.EvidenceOf(outcome)));
        await AssertJiraDeliveredOnceAsync(world, runId, "OPS-7", ct);
    }

    [Fact]
    public async Task Given_neither_jira_search_finds_the_label_when_resumed_then_the_issue_is_created_once()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await IncidentWorld.CreateAsync(ct);
        var runId = await InterruptTheJiraCreateAsync(world, ct);
        await using var second = LoopbackStub.Start(
            StubResponse.Json(404, JiraNoSuchApi),
            StubResponse.Json(200, JiraNoneFound),
            StubResponse.Json(201, """{"id":"10008","key":"OPS-8","self":"x"}"""),
            StubResponse.Json(200, JiraIssue.Replace("OPS-7", "OPS-8", StringComparison.Ordinal)));

        var outcome = await world.ResumeAsync(world.Step(world.Config(JiraYaml(second))), runId, ct);

        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.Steps[0].Result.Summary);
        Assert.Equal(
            [$"GET /rest/api/2/search/jql{JiraQuery(runId)}", $"GET /rest/api/2/search{JiraQuery(runId)}", "POST /rest/api/2/issue", "GET /rest/api/2/issue/OPS-8?fields=summary,assignee,duedate,labels"],
            second.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.Equal("OPS-8", IncidentWorld.TicketOf(IncidentWorld.EvidenceOf(outcome)));
        await AssertJiraDeliveredOnceAsync(world, runId, "OPS-8", ct);
    }

    [Fact]
    public async Task Given_jira_answers_410_gone_to_the_search_when_resumed_then_the_step_fails_naming_it_and_nothing_is_created()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await IncidentWorld.CreateAsync(ct);
        var runId = await InterruptTheJiraCreateAsync(world, ct);
        const string gone = """{"errorMessages":["The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."],"errors":{}}""";
        await using var second = LoopbackStub.Start(
            StubResponse.Json(410, gone),
            StubResponse.Json(201, """{"id":"10008","key":"OPS-8","self":"x"}"""));

        var outcome = await world.ResumeAsync(world.Step(world.Config(JiraYaml(second))), runId, ct);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal([$"GET /rest/api/2/search/jql{JiraQuery(runId)}"], second.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.Equal(
            "Jira answered 410 Gone to GET /rest/api/2/search/jql (The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.)",
            outcome.Steps[0].Result.Summary);
        // Still pending: the next resume searches again before creating anything.
        Assert.Equal(OutboxStatus.Pending, (await world.Ledger.Outbox.GetOutboxItemAsync($"{runId}/incident/jira", ct))!.Status);
    }
}
