using Rewind.Aws;
using Rewind.Aws.Credentials;
using Rewind.Aws.Ecs;
using Rewind.Aws.Endpoints;
using Rewind.Aws.Errors;
using Rewind.Aws.Transport;
using Rewind.IntegrationTests.Emulator;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.IntegrationTests.Faults;

/// <summary>
/// The adaptive mode's client-side rate limiter against an API that enforces a rate limit as AWS does (the
/// <see cref="FaultProxy.RateLimit"/> rule: 20 requests a second per operation, throttled beyond): many callers at
/// once, as a fleet rollback's poll loops are, all get their answers; the standard mode alone, same load, does not.
/// </summary>
[Collection("signed-emulator")]
public sealed class RateLimitTests(SignedEmulatorFixture emulator)
{
    private const int Callers = 50;
    private const int CallsEach = 2;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_an_API_limited_to_20_requests_a_second_when_50_callers_share_a_transport_then_every_call_succeeds()
    {
        await using var proxy = FaultProxy.Start(emulator.Endpoint, FaultProxy.RateLimit(perSecond: 20));
        var transport = TransportThrough(proxy, new AwsTransportOptions());

        var failures = await CallAllAsync(new EcsClient(transport));

        Assert.True(failures.Count == 0, $"{failures.Count} calls failed: {failures.FirstOrDefault()}");
        Assert.Equal(Callers * CallsEach, proxy.Forwarded("ListTaskDefinitions"));
        Assert.True(proxy.Seen("ListTaskDefinitions") > proxy.Forwarded("ListTaskDefinitions"), "the limit was never reached: the test proves nothing");
        Assert.True(transport.RateLimiterOf(AwsService.Ecs, "ListTaskDefinitions")!.IsEnabled);
    }

    [Fact]
    public async Task Given_the_same_load_in_the_standard_retry_mode_then_calls_fail_throttled()
    {
        await using var proxy = FaultProxy.Start(emulator.Endpoint, FaultProxy.RateLimit(perSecond: 20));
        var transport = TransportThrough(proxy, new AwsTransportOptions { AdaptiveRateLimiting = false });

        var failures = await CallAllAsync(new EcsClient(transport));

        Assert.NotEmpty(failures);
        Assert.All(failures, f => Assert.True(f is AwsServiceException { IsThrottling: true }, f.ToString()));
    }

    private static async Task<List<Exception>> CallAllAsync(EcsClient ecs)
    {
        var failures = new List<Exception>();
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(async n =>
        {
            for (var call = 0; call < CallsEach; call++)
            {
                try
                {
                    await ecs.ListTaskDefinitionsAsync($"ratelimit-{n}", TaskDefinitionStatus.Active, SortOrder.Desc, Ct);
                }
                catch (AwsException e)
                {
                    lock (failures)
                        failures.Add(e);
                }
            }
        }));
        return failures;
    }

    private AwsTransport TransportThrough(FaultProxy proxy, AwsTransportOptions options) => new(
        MotoServer.CreateHttpClient(),
        new AwsSession(
            EmulatorFixture.Region, RegionSource.Flag,
            new StaticCredentialSource(new AwsCredentials(emulator.AccessKeyId, emulator.SecretAccessKey)),
            new AwsEndpointResolver(proxy.Endpoint.ToString(), null, _ => null)),
        options);
}
