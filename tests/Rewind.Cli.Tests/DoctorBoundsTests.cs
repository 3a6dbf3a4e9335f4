using Rewind.Aws;
using Rewind.Aws.Credentials;
using Rewind.Aws.Endpoints;
using Rewind.Aws.Transport;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Cli.Tests;

/// <summary><c>rewind doctor</c> uses the bounds of every other command: the same attempts, the same deadline.</summary>
public sealed class DoctorBoundsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_every_endpoint_answering_503_when_doctor_runs_then_each_service_the_SDK_ones_included_gets_the_standard_3_attempts()
    {
        await using var stub = LoopbackStub.Start(new StubResponse(503, ""));

        var result = await CliRunner.RunAsync(["doctor"], _ => Clients(stub.Url, AwsTransportOptions.Default with { Jitter = () => 0 }), Ct);

        Assert.NotEqual(ExitCodes.Ok, result.ExitCode);
        foreach (var service in new[] { "sts", "ssm", "dynamodb", "ecs" })
            Assert.True(AttemptsAt(stub, service) == 3, $"{service}: {AttemptsAt(stub, service)} attempts\n{result.Stderr}");
    }

    [Fact]
    public async Task Given_a_silent_endpoint_when_doctor_runs_then_the_SDK_probes_end_at_the_overall_deadline_like_the_others()
    {
        await using var stub = LoopbackStub.Start(StubResponse.Stall());
        var options = new AwsTransportOptions { AttemptTimeout = TimeSpan.FromSeconds(30), OverallTimeout = TimeSpan.FromMilliseconds(500) };

        var result = await CliRunner.RunAsync(["doctor", "--output", "json"], _ => Clients(stub.Url, options), Ct);

        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.Contains("STS GetCallerIdentity: no answer within 500 ms", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("SSM DescribeParameters: no answer within 500 ms", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("DynamoDB ListTables: no answer within 500 ms", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"ECS ListTaskDefinitions: no answer from http://127\.0\.0\.1:\d+ within 500 ms", result.Stdout);
    }

    private static int AttemptsAt(LoopbackStub stub, string service) =>
        stub.Requests.Count(r => r.Header("Authorization").Contains($"/{service}/aws4_request", StringComparison.Ordinal));

    private static AwsClients Clients(string url, AwsTransportOptions options) => new(
        new AwsSession("us-east-1", RegionSource.Flag, new StaticCredentialSource(new AwsCredentials("AKID", "SECRET")), new AwsEndpointResolver(url, null, _ => null)),
        options: options);
}
