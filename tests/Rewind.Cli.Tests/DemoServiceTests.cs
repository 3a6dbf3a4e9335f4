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
}
