using Rewind.Core.Ledger;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Cli.Tests.Incident;

/// <summary>After a crash or an interruption, resume leaves exactly one incident and one ticket per tracker.</summary>
public sealed class IncidentResumeTests
{
    private const string Title = "[INC-0001] Postmortem: api: incident";

    [Fact]
    public async Task Given_the_create_was_sent_but_its_answer_lost_when_resumed_then_github_is_searched_by_marker_and_nothing_is_created_again()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await IncidentWorld.CreateAsync(ct);
        world.Environment["GH_TOKEN_TEST"] = "t";
        string runId;
        await using (var first = LoopbackStub.Start(StubResponse.Json(200, "{}"), StubResponse.Stall()))
        {
            using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var running = world.RunAsync(world.Step(world.Config(TrackerTests.GitHubYaml(first, "GH_TOKEN_TEST"))), interrupt.Token);
            await first.WaitForRequestsAsync(2, ct);
            await interrupt.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
            runId = (await world.Ledger.Runs.ListRunsAsync(null, 1, ct))[0].Id;
            Assert.Equal("POST", first.Requests[1].Method);
        }

        Assert.Equal(OutboxStatus.Pending, (await world.Ledger.Outbox.GetOutboxItemAsync($"{runId}/incident/github", ct))!.Status);
        const string found = """{"total_count":1,"items":[ISSUE]}""";
        await using var second = LoopbackStub.Start(
            StubResponse.Json(200, found.Replace("ISSUE", TrackerTests.Issue(12, Title), StringComparison.Ordinal)),
            StubResponse.Json(200, TrackerTests.Issue(12, Title)));

        var outcome = await world.ResumeAsync(world.Step(world.Config(TrackerTests.GitHubYaml(second, "GH_TOKEN_TEST"))), runId, ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.DoesNotContain(second.Requests, r => r.Method == "POST");
        var search = second.Requests[0];
        Assert.StartsWith("/search/issues?q=", search.Path, StringComparison.Ordinal);
        Assert.Contains(Uri.EscapeDataString($"\"rewind-{runId}\""), search.Path, StringComparison.Ordinal);
        Assert.Contains(Uri.EscapeDataString("repo:acme/api"), search.Path, StringComparison.Ordinal);
        Assert.Equal("acme/api#12", IncidentWorld.EvidenceOf(outcome)["ticket"]);
        Assert.Equal("true", IncidentWorld.EvidenceOf(outcome)["verified"]);
        Assert.Single(await world.Ledger.Incidents.ListIncidentsAsync(ct));
        var item = await world.Ledger.Outbox.GetOutboxItemAsync($"{runId}/incident/github", ct);
        Assert.Equal((OutboxStatus.Delivered, "12"), (item!.Status, item.Receipt));
    }

    [Fact]
    public async Task Given_the_search_finds_nothing_when_resumed_then_the_issue_is_created_once()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var world = await IncidentWorld.CreateAsync(ct);
        world.Environment["GH_TOKEN_TEST"] = "t";
        string runId;
        await using (var first = LoopbackStub.Start(StubResponse.Json(200, "{}"), StubResponse.Stall()))
        {
            using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var running = world.RunAsync(world.Step(world.Config(TrackerTests.GitHubYaml(first, "GH_TOKEN_TEST"))), interrupt.Token);
            await first.WaitForRequestsAsync(2, ct);
            await interrupt.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
            runId = (await world.Ledger.Runs.ListRunsAsync(null, 1, ct))[0].Id;
        }

        await using var second = LoopbackStub.Start(
            StubResponse.Json(200, """{"total_count":0,"items":[]}"""),
            StubResponse.Json(201, TrackerTests.Issue(13, Title)),
            StubResponse.Json(200, TrackerTests.Issue(13, Title)));

        var outcome = await world.ResumeAsync(world.Step(world.Config(TrackerTests.GitHubYaml(second, "GH_TOKEN_TEST"))), runId, ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(["GET", "POST", "GET"], second.Requests.Select(r => r.Method));
        Assert.Equal("acme/api#13", IncidentWorld.EvidenceOf(outcome)["ticket"]);
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
