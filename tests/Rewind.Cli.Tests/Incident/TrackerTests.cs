using System.Text.Json.Nodes;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Cli.Tests.Incident;

/// <summary>The incident step's trackers against loopback receivers: what is sent, field by field, and what is read back.</summary>
public sealed class TrackerTests
{
    private const string Token = "ghp_test_token_never_printed";

    internal static string Issue(int number, string title, string assignee = "octocat", string? body = null) => new JsonObject
    {
        ["number"] = number,
        ["html_url"] = $"https://github.example/acme/api/issues/{number}",
        ["title"] = title,
        ["body"] = body,
        ["assignees"] = new JsonArray(new JsonObject { ["login"] = assignee }),
        ["labels"] = new JsonArray(new JsonObject { ["name"] = "incident" }, new JsonObject { ["name"] = "postmortem" }),
    }.ToJsonString();

    [Fact]
    public async Task Given_a_github_tracker_when_planned_then_the_previewed_ticket_shows_the_times_as_if_opened_now()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var stub = LoopbackStub.Start(StubResponse.Json(200, """{"full_name":"acme/api"}"""));
        await using var world = await IncidentWorld.CreateAsync(ct);
        world.Environment["GH_TOKEN_TEST"] = Token;

        var plan = await world.Step(world.Config(GitHubYaml(stub, "GH_TOKEN_TEST"))).PlanAsync(new PlanningContext("api", null), ct);

        var github = Assert.Single(plan.Changes, c => c.StartsWith("github: POST ", StringComparison.Ordinal));
        Assert.Contains("| Opened | 2026-11-27T09:15:00Z |", github, StringComparison.Ordinal);
        Assert.Contains("| Postmortem due | 2026-11-29T09:15:00Z |", github, StringComparison.Ordinal);
        // Shown as a person reads it: the run marker's comment, not \u003C!-- … --\u003E.
        Assert.Contains("<!-- rewind-(this run) -->", github, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u003C", github, StringComparison.Ordinal);
        Assert.Equal(["GET /repos/acme/api"], stub.Requests.Select(r => $"{r.Method} {r.Path}"));
    }

    internal static string GitHubYaml(LoopbackStub stub, string tokenEnv) =>
        $"  github:\n    repository: acme/api\n    token_env: {tokenEnv}\n    labels: [incident, postmortem]\n    assignee: octocat\n    api_url: {stub.Url}\n";

    [Fact]
    public async Task Given_github_configured_when_the_step_runs_then_the_issue_is_created_once_with_every_field_and_read_back()
    {
        var ct = TestContext.Current.CancellationToken;
        const string title = "[INC-0001] Postmortem: api: incident";
        await using var stub = LoopbackStub.Start(
            StubResponse.Json(200, """{"full_name":"acme/api"}"""),
            StubResponse.Json(201, Issue(12, title)),
            StubResponse.Json(200, Issue(12, title)));
        await using var world = await IncidentWorld.CreateAsync(ct);
        world.Environment["GH_TOKEN_TEST"] = Token;

        var outcome = await world.RunAsync(world.Step(world.Config(GitHubYaml(stub, "GH_TOKEN_TEST"))), ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var requests = stub.Requests;
        Assert.Equal(["GET /repos/acme/api", "POST /repos/acme/api/issues", "GET /repos/acme/api/issues/12"], requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.All(requests, r => Assert.Equal($"Bearer {Token}", r.Header("Authorization")));
        Assert.All(requests, r => Assert.Equal("application/vnd.github+json", r.Header("Accept")));
        Assert.All(requests, r => Assert.Equal("2022-11-28", r.Header("X-GitHub-Api-Version")));
        var sent = JsonNode.Parse(requests[1].Body)!.AsObject();
        Assert.Equal(["title", "body", "labels", "assignees"], sent.Select(p => p.Key));
        Assert.Equal(title, sent["title"]!.GetValue<string>());
        Assert.Equal(["incident", "postmortem"], sent["labels"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal(["octocat"], sent["assignees"]!.AsArray().Select(l => l!.GetValue<string>()));
        var body = sent["body"]!.GetValue<string>();
        Assert.Contains("| Owner | operator-on-shift |", body, StringComparison.Ordinal);
        Assert.Contains("| Postmortem due | 2026-11-29T09:15:00Z |", body, StringComparison.Ordinal);
        Assert.Contains($"<!-- rewind-{outcome.RunId} -->", body, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, body, StringComparison.Ordinal);

        var evidence = IncidentWorld.EvidenceOf(outcome);
        Assert.Equal("INC-0001", evidence.Incident);
        Assert.Equal("acme/api#12", IncidentWorld.TicketOf(evidence));
        Assert.Equal("https://github.example/acme/api/issues/12", (evidence.Tickets.Count == 0 ? "none" : evidence.Tickets[0].Link));
        Assert.Equal("true", (evidence.Verified ? "true" : "false"));
        var item = await world.Ledger.Outbox.GetOutboxItemAsync($"{outcome.RunId}/incident/github", ct);
        Assert.Equal(OutboxStatus.Delivered, item!.Status);
        Assert.Equal("12", item.Receipt);
        Assert.Equal("https://github.example/acme/api/issues/12", (await world.Ledger.Incidents.GetIncidentAsync("INC-0001", ct))!.TrackerLink);
        Assert.Equal("INC-0001", (await world.Ledger.Runs.GetRunAsync(outcome.RunId, ct))!.IncidentId);
        var journal = await world.Ledger.Runs.ReadJournalAsync(outcome.RunId, ct);
        Assert.DoesNotContain(journal, e => e.Detail.Contains(Token, StringComparison.Ordinal));
        // The draft's checklist is the report's, judged with this step's own evidence (not journaled yet when it is written).
        var draft = await File.ReadAllTextAsync(evidence.Draft!, ct);
        // Whether it is ticked, and how, is the checklist's reading of the typed TicketOpened record (the checklist part).
        Assert.Contains("Postmortem ticket created", draft, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_the_tracker_answers_with_another_assignee_when_read_back_then_the_ticket_is_not_verified()
    {
        var ct = TestContext.Current.CancellationToken;
        const string title = "[INC-0001] Postmortem: api: incident";
        await using var stub = LoopbackStub.Start(
            StubResponse.Json(200, "{}"),
            StubResponse.Json(201, Issue(3, title)),
            StubResponse.Json(200, Issue(3, title, assignee: "someone-else")));
        await using var world = await IncidentWorld.CreateAsync(ct);
        world.Environment["GH_TOKEN_TEST"] = Token;

        var outcome = await world.RunAsync(world.Step(world.Config(GitHubYaml(stub, "GH_TOKEN_TEST"))), ct);

        Assert.Equal("false", (IncidentWorld.EvidenceOf(outcome).Verified ? "true" : "false"));
    }

    [Fact]
    public async Task Given_jira_configured_when_the_step_runs_then_the_issue_has_assignee_due_date_and_marker_label_and_is_read_back()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var stub = LoopbackStub.Start(
            StubResponse.Json(200, """{"key":"OPS"}"""),
            StubResponse.Json(201, """{"id":"10007","key":"OPS-7","self":"x"}"""),
            StubResponse.Json(200, """{"key":"OPS-7","fields":{"summary":"[INC-0001] Postmortem: api: incident","assignee":{"accountId":"acc-42"},"duedate":"2026-11-29","labels":["rewind"]}}"""));
        await using var world = await IncidentWorld.CreateAsync(ct);
        world.Environment["JIRA_EMAIL_TEST"] = "ops@example.com";
        world.Environment["JIRA_TOKEN_TEST"] = "jira-secret";
        var yaml = $"  jira:\n    url: {stub.Url}\n    project: OPS\n    issue_type: Incident\n    email_env: JIRA_EMAIL_TEST\n    token_env: JIRA_TOKEN_TEST\n    assignee: acc-42\n";

        var outcome = await world.RunAsync(world.Step(world.Config(yaml)), ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var requests = stub.Requests;
        Assert.Equal("GET /rest/api/2/project/OPS", $"{requests[0].Method} {requests[0].Path}");
        Assert.Equal("POST /rest/api/2/issue", $"{requests[1].Method} {requests[1].Path}");
        Assert.StartsWith("GET /rest/api/2/issue/OPS-7?fields=", $"{requests[2].Method} {requests[2].Path}", StringComparison.Ordinal);
        var basic = "Basic " + Convert.ToBase64String("ops@example.com:jira-secret"u8.ToArray());
        Assert.All(requests, r => Assert.Equal(basic, r.Header("Authorization")));
        var fields = JsonNode.Parse(requests[1].Body)!["fields"]!.AsObject();
        Assert.Equal("OPS", fields["project"]!["key"]!.GetValue<string>());
        Assert.Equal("[INC-0001] Postmortem: api: incident", fields["summary"]!.GetValue<string>());
        Assert.Equal("Incident", fields["issuetype"]!["name"]!.GetValue<string>());
        Assert.Equal("acc-42", fields["assignee"]!["accountId"]!.GetValue<string>());
        Assert.Equal("2026-11-29", fields["duedate"]!.GetValue<string>());
        Assert.Equal(["rewind", $"rewind-{outcome.RunId}"], fields["labels"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Contains("| Postmortem due | 2026-11-29T09:15:00Z |", fields["description"]!.GetValue<string>(), StringComparison.Ordinal);
        var evidence = IncidentWorld.EvidenceOf(outcome);
        Assert.Equal("OPS-7", IncidentWorld.TicketOf(evidence));
        Assert.Equal($"{stub.Url}browse/OPS-7", (evidence.Tickets.Count == 0 ? "none" : evidence.Tickets[0].Link));
        Assert.Equal("true", (evidence.Verified ? "true" : "false"));
    }

    [Fact]
    public async Task Given_a_webhook_configured_when_the_step_runs_then_it_receives_the_incident_with_an_idempotency_key()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var stub = LoopbackStub.Start(new StubResponse(202, "accepted"));
        await using var world = await IncidentWorld.CreateAsync(ct);
        world.Environment["INCIDENT_HOOK_TEST"] = stub.Url + "hooks/secret-path";

        var outcome = await world.RunAsync(world.Step(world.Config("  webhook_env: INCIDENT_HOOK_TEST\n  severity: SEV1\n")), ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var request = Assert.Single(stub.Requests);
        Assert.Equal("POST /hooks/secret-path", $"{request.Method} {request.Path}");
        Assert.Equal($"{outcome.RunId}/incident/webhook", request.Header("Idempotency-Key"));
        var payload = JsonNode.Parse(request.Body)!.AsObject();
        Assert.Equal("incident.opened", payload["event"]!.GetValue<string>());
        Assert.Equal("INC-0001", payload["incident"]!.GetValue<string>());
        Assert.Equal("SEV1", payload["severity"]!.GetValue<string>());
        Assert.Equal("operator-on-shift", payload["owner"]!.GetValue<string>());
        Assert.Equal("2026-11-27T09:15:00Z", payload["opened"]!.GetValue<string>());
        Assert.Equal("2026-11-29T09:15:00Z", payload["due"]!.GetValue<string>());
        Assert.Equal(outcome.RunId, payload["run"]!.GetValue<string>());
        var evidence = IncidentWorld.EvidenceOf(outcome);
        Assert.Equal("202", evidence.Webhook);
        Assert.Equal("ledger", IncidentWorld.TicketOf(evidence));
        Assert.Equal("none", (evidence.Tickets.Count == 0 ? "none" : evidence.Tickets[0].Link));
        Assert.Equal("false", (evidence.Verified ? "true" : "false"));
        var journal = await world.Ledger.Runs.ReadJournalAsync(outcome.RunId, ct);
        Assert.DoesNotContain(journal, e => e.Detail.Contains("secret-path", StringComparison.Ordinal));
    }
}
