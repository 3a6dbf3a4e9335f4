using System.Text.Json;
using Rewind.Aws;
using Rewind.Cli;
using Rewind.IntegrationTests.Clients.CloudWatch;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Emulator;
using Rewind.Playbook.Verify;
using Xunit;

namespace Rewind.IntegrationTests.Verification;

/// <summary>'rewind verify' end to end on the emulator: exit 0 normalized, 4 elevated, 2 for a metric that does not exist.</summary>
[Collection("signed-emulator")]
public sealed class VerifyCommandTests(SignedEmulatorFixture emulator) : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-verifycmd-");
    private readonly string _loadBalancer = $"app/{ClientFactory.Unique("alb")}/0123456789abcdef";
    private readonly string _targetGroup = $"targetgroup/{ClientFactory.Unique("main")}/0123456789abcdef";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Delete(recursive: true);

    private async Task TrafficAsync(double requests, double errors)
    {
        var seed = new CloudWatchSeeder(ClientFactory.Transport(emulator));
        (string, string)[] dimensions = [("LoadBalancer", _loadBalancer), ("TargetGroup", _targetGroup)];
        var now = DateTimeOffset.UtcNow;
        var minutes = Enumerable.Range(1, 4).Select(m => now.AddMinutes(-m)).ToList();
        await seed.PutMetricDataAsync(ErrorRateVerifier.Namespace, "RequestCount", dimensions, minutes.Select(at => (at, requests)), Ct);
        await seed.PutMetricDataAsync(ErrorRateVerifier.Namespace, "HTTPCode_Target_5XX_Count", dimensions, minutes.Select(at => (at, errors)), Ct);
    }

    private string Config()
    {
        var path = Path.Combine(_folder.FullName, "rewind.yaml");
        File.WriteAllText(path, $"""
            aws:
              region: us-east-1
            verify:
              load_balancer: {_loadBalancer}
              target_group: {_targetGroup}
              window: 5m
              max_5xx_percent: 1
            ledger:
              path: {Cli.ExistingLedger.At(Path.Combine(_folder.FullName, "ledger.db"))}
            """);
        return path;
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await RewindApp.RunAsync(args, stdout, stderr, Ct, _ => new AwsClients(ClientFactory.Session(emulator)));
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Given_a_normal_rate_then_verify_exits_0_with_the_evidence_as_json()
    {
        await TrafficAsync(requests: 500, errors: 1);

        var (code, stdout, stderr) = await RunAsync("verify", "--config", Config(), "--deadline", "0s", "--output", "json");

        Assert.True(code == ExitCodes.Ok, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("normalized", json.RootElement.GetProperty("verdict").GetString());
        Assert.Equal("0.20", json.RootElement.GetProperty("evidence").GetProperty("rate5xxPercent").GetString());
        Assert.Equal("none", json.RootElement.GetProperty("evidence").GetProperty("baselinePercent").GetString());
        Assert.Contains("no known-good release", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_an_elevated_rate_then_verify_exits_4_and_says_why_in_one_last_line()
    {
        await TrafficAsync(requests: 100, errors: 20);

        var (code, stdout, stderr) = await RunAsync("verify", "--config", Config(), "--deadline", "0s");

        Assert.Equal(ExitCodes.VerificationFailed, code);
        Assert.Contains("rate5xxPercent", stdout, StringComparison.Ordinal);
        Assert.StartsWith("rewind: error rates not normalized (elevated): 5XX 20.00%", stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_target_group_without_metrics_then_verify_is_bad_input_in_one_line()
    {
        var (code, _, stderr) = await RunAsync("verify", "--config", Config(), "--deadline", "0s");

        Assert.Equal(ExitCodes.BadInput, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"rewind: CloudWatch has no metric AWS/ApplicationELB RequestCount for LoadBalancer={_loadBalancer}", line, StringComparison.Ordinal);
    }
}
