using System.Text.Json;
using Rewind.Cli.Demo;
using Xunit;

namespace Rewind.Cli.Tests;

/// <summary>The demo's stand-in service answers the playbook's smoke checks, and refuses a wrong API key.</summary>
public sealed class DemoServiceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_the_demo_service_when_smoke_tested_with_its_key_then_both_checks_pass()
    {
        await using var service = DemoService.Start("demo-key-123");

        var result = await CliRunner.RunAsync(["smoke", "--url", service.Url, "--api-key", "demo-key-123", "--retries", "0", "--output", "json"], cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(2, json.RootElement.GetProperty("passed").GetInt32());
        Assert.StartsWith("http://127.0.0.1:", service.Url, StringComparison.Ordinal);
        Assert.Equal(2, service.Requests);
    }

    [Fact]
    public async Task Given_a_wrong_key_when_enqueuing_then_the_demo_service_answers_401_and_the_check_fails()
    {
        await using var service = DemoService.Start("demo-key-123");

        var result = await CliRunner.RunAsync(["smoke", "--url", service.Url, "--api-key", "wrong-key", "--retries", "0"], cancellationToken: Ct);

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("enqueue: status 401, expected 2xx or 429", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-key", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_an_unknown_route_then_the_demo_service_answers_404()
    {
        await using var service = DemoService.Start("k");
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(service.Url + "nope"), Ct);

        Assert.Equal(404, (int)response.StatusCode);
    }

    [Fact]
    public async Task Given_the_github_stand_in_when_an_issue_is_created_then_it_reads_back_is_listed_newest_first_and_is_found_by_its_marker_and_a_wrong_token_is_refused()
    {
        await using var service = DemoService.Start("k", gitHubToken: "tok-1");
        using var http = new HttpClient();
        async Task<(int Status, JsonDocument Body)> Send(HttpMethod method, string path, string token, string? body = null)
        {
            using var request = new HttpRequestMessage(method, new Uri($"{service.GitHubApiUrl}/{path}"));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            if (body is not null)
                request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            using var response = await http.SendAsync(request, Ct);
            return ((int)response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)));
        }

        var refused = await Send(HttpMethod.Get, $"repos/{DemoGitHub.Repository}", "wrong");
        var repo = await Send(HttpMethod.Get, $"repos/{DemoGitHub.Repository}", "tok-1");
        var created = await Send(HttpMethod.Post, $"repos/{DemoGitHub.Repository}/issues", "tok-1", """{"title":"t","body":"b <!-- mark-1 -->","labels":["postmortem"]}""");
        var read = await Send(HttpMethod.Get, $"repos/{DemoGitHub.Repository}/issues/1", "tok-1");
        var second = await Send(HttpMethod.Post, $"repos/{DemoGitHub.Repository}/issues", "tok-1", """{"title":"u","body":"c <!-- mark-2 -->"}""");
        var newest = await Send(HttpMethod.Get, $"repos/{DemoGitHub.Repository}/issues?state=all&sort=created&direction=desc&per_page=50", "tok-1");
        var newestOne = await Send(HttpMethod.Get, $"repos/{DemoGitHub.Repository}/issues?per_page=1", "tok-1");
        var found = await Send(HttpMethod.Get, "search/issues?q=" + Uri.EscapeDataString("\"mark-1\" in:body type:issue"), "tok-1");
        var missing = await Send(HttpMethod.Get, "search/issues?q=" + Uri.EscapeDataString("\"mark-3\" in:body"), "tok-1");

        Assert.Equal((401, 200, 201, 200, 201), (refused.Status, repo.Status, created.Status, read.Status, second.Status));
        Assert.Equal(1, read.Body.RootElement.GetProperty("number").GetInt32());
        Assert.Equal("postmortem", read.Body.RootElement.GetProperty("labels")[0].GetProperty("name").GetString());
        Assert.Equal((200, 200), (newest.Status, newestOne.Status));
        Assert.Equal([2, 1], newest.Body.RootElement.EnumerateArray().Select(i => i.GetProperty("number").GetInt32()));
        Assert.Equal(["c <!-- mark-2 -->", "b <!-- mark-1 -->"], newest.Body.RootElement.EnumerateArray().Select(i => i.GetProperty("body").GetString()));
        Assert.Equal([2], newestOne.Body.RootElement.EnumerateArray().Select(i => i.GetProperty("number").GetInt32()));
        Assert.Equal(1, found.Body.RootElement.GetProperty("total_count").GetInt32());
        Assert.Equal(0, missing.Body.RootElement.GetProperty("total_count").GetInt32());
        Assert.Equal(2, service.Issues);
    }

    [Fact]
    public async Task Given_the_webhooks_when_posted_then_they_record_the_payloads_and_other_paths_are_not_found()
    {
        await using var service = DemoService.Start("k");
        using var http = new HttpClient();

        using var slack = await http.PostAsync(new Uri(service.SlackWebhookUrl), new StringContent("""{"text":"rolled back"}"""), Ct);
        using var support = await http.PostAsync(new Uri(service.SupportWebhookUrl), new StringContent("""{"event":"rollback"}"""), Ct);
        using var guessed = await http.PostAsync(new Uri(service.Url + "slack/guess"), new StringContent("{}"), Ct);

        Assert.Equal((200, 200, 404), ((int)slack.StatusCode, (int)support.StatusCode, (int)guessed.StatusCode));
        Assert.Equal("rolled back", Assert.Single(service.SlackMessages)["text"]!.GetValue<string>());
        Assert.Equal("rollback", Assert.Single(service.SupportMessages)["event"]!.GetValue<string>());
    }
}
