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
        Assert.Equal("acme/api#12", IncidentWorld.EvidenceOf(outcome)["ticket"]);
        Assert.Equal("true", IncidentWorld.EvidenceOf(outcome)["verified"]);
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
        Assert.Equal("acme/api#12", IncidentWorld.EvidenceOf(outcome)["ticket"]);
        Assert.Equal("true", IncidentWorld.EvidenceOf(outcome)["verified"]);
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
        Assert.Equal("acme/api#15", IncidentWorld.EvidenceOf(outcome)["ticket"]);
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
        Assert.Equal("acme/api#13", IncidentWorld.EvidenceOf(outcome)["ticket"]);
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
        Assert.Equal("INC-0001", IncidentWorld.EvidenceOf(outcome)["incident"]);
    }

    [Fact]
    public async Task Given_a_jira_create_was_sent_but_its_answer_lost_when_resumed_then_jql_finds_it_by_the_runs_label()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await IncidentWorld.CreateAsync(ct);
        world.Environment["JIRA_EMAIL_TEST"] = "ops@example.com";
        world.Environment["JIRA_TOKEN_TEST"] = "secret";
        string Yaml(LoopbackStub stub) => $"  jira:\n    url: {stub.Url}\n    project: OPS\n    email_env: JIRA_EMAIL_TEST\n    token_env: JIRA_TOKEN_TEST\n";
        string runId;
        await using (var first = LoopbackStub.Start(StubResponse.Json(200, "{}"), StubResponse.Stall()))
        {
            using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var running = world.RunAsync(world.Step(world.Config(Yaml(first))), interrupt.Token);
            await first.WaitForRequestsAsync(2, ct);
            await interrupt.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
            runId = (await world.Ledger.Runs.ListRunsAsync(null, 1, ct))[0].Id;
        }

        const string issue = """{"key":"OPS-7","fields":{"summary":"[INC-0001] Postmortem: api: incident","duedate":"2026-11-29","labels":["rewind"]}}""";
        await using var second = LoopbackStub.Start(StubResponse.Json(200, $$"""{"issues":[{{issue}}]}"""), StubResponse.Json(200, issue));

        var outcome = await world.ResumeAsync(world.Step(world.Config(Yaml(second))), runId, ct);

        Assert.True(outcome.Status == RunStatus.Succeeded, outcome.Steps[0].Result.Summary);
        Assert.DoesNotContain(second.Requests, r => r.Method == "POST");
        Assert.StartsWith("/rest/api/2/search?jql=", second.Requests[0].Path, StringComparison.Ordinal);
        Assert.Contains(Uri.EscapeDataString($"labels = \"rewind-{runId}\""), second.Requests[0].Path, StringComparison.Ordinal);
        Assert.Equal("OPS-7", IncidentWorld.EvidenceOf(outcome)["ticket"]);
    }
}
