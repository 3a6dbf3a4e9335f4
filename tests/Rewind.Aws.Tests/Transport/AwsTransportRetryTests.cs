using System.Globalization;
using System.Text;
using Rewind.Aws.Errors;
using Rewind.Aws.Transport;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Aws.Tests.Transport;

public sealed class AwsTransportRetryTests
{
    private const string Throttled = """{"__type":"ThrottlingException","message":"Rate exceeded"}""";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(400, Throttled, 3)]
    [InlineData(429, "", 2)]
    [InlineData(503, "", 2)]
    public async Task Given_a_service_that_throttles_n_times_when_called_then_attempt_n_plus_1_succeeds_each_signed_afresh(
        int status, string body, int throttles)
    {
        var clock = new ManualClock(TestTransport.Start);
        var script = Enumerable.Repeat(StubResponse.Json(status, body), throttles).Append(StubResponse.Ok("""{"services":[]}"""));
        await using var stub = LoopbackStub.Start(clock, [.. script]);
        // Jitter pinned at one half of a 2 s base: the waits are 1 s, 2 s, 4 s, so each attempt is signed in its own second.
        // The standard mode alone: the adaptive mode's rate limiter would add its own waits (ClientRateLimiterTests).
        var options = new AwsTransportOptions { MaxAttempts = 5, BaseBackoff = TimeSpan.FromSeconds(2), Jitter = () => 0.5, AdaptiveRateLimiting = false };
        var transport = TestTransport.For(stub.Url, options, clock);
        var retries = new List<AwsRetryEvent>();
        transport.Retrying += retries.Add;

        var call = transport.SendAsync(AwsService.Ecs, TestTransport.DescribeServices, Token);
        var expectedWaits = Enumerable.Range(0, throttles).Select(n => TimeSpan.FromSeconds(1 << n)).ToArray();
        foreach (var wait in expectedWaits)
            await clock.AdvanceWhenWaitingAsync(wait, Token);
        var response = await call.WaitAsync(TimeSpan.FromSeconds(5), Token);

        Assert.Equal(200, response.Status);
        Assert.Equal("""{"services":[]}""", Encoding.UTF8.GetString(response.Body));
        Assert.Equal(throttles + 1, stub.Requests.Count);
        Assert.Equal(expectedWaits, retries.Select(r => r.Delay));

        var sentAt = new List<DateTimeOffset> { TestTransport.Start };
        foreach (var wait in expectedWaits)
            sentAt.Add(sentAt[^1] + wait);
        Assert.Equal(sentAt.Select(TestTransport.AmzDate), stub.Requests.Select(r => r.Header("X-Amz-Date")));
        Assert.Equal(stub.Requests.Count, stub.Requests.Select(r => r.Header("Authorization")).Distinct().Count());
        Assert.All(stub.Requests, r =>
        {
            Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKID/20250314/us-east-1/ecs/aws4_request", r.Header("Authorization"), StringComparison.Ordinal);
            Assert.Equal("""{"cluster":"prod"}""", r.Body);
        });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Given_a_service_that_always_throttles_when_called_then_it_fails_with_ThrottlingException_after_exactly_MaxAttempts(int maxAttempts)
    {
        await using var stub = LoopbackStub.Start(StubResponse.Json(400, Throttled));
        var transport = TestTransport.For(stub.Url, new AwsTransportOptions { MaxAttempts = maxAttempts, Jitter = () => 0 }, TimeProvider.System);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => transport.SendAsync(AwsService.Ecs, TestTransport.DescribeServices, Token));

        Assert.Equal("ThrottlingException", error.Code);
        Assert.Equal("Rate exceeded", error.ErrorMessage);
        Assert.True(error.IsRetryable);
        Assert.Equal(maxAttempts, stub.Requests.Count);
    }

    [Fact]
    public async Task Given_a_400_ValidationException_when_called_then_it_fails_at_once_without_a_retry()
    {
        await using var stub = LoopbackStub.Start(
            new StubResponse(400, """{"__type":"ValidationException","message":"bad"}""", ("x-amzn-RequestId", "req-1")),
            StubResponse.Ok());
        var transport = TestTransport.For(stub.Url, new AwsTransportOptions { MaxAttempts = 5, Jitter = () => 0 }, TimeProvider.System);
        var retries = 0;
        transport.Retrying += _ => retries++;

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => transport.SendAsync(AwsService.Ecs, TestTransport.DescribeServices, Token));

        Assert.Equal("ValidationException", error.Code);
        Assert.Equal(400, error.HttpStatus);
        Assert.Equal("bad", error.ErrorMessage);
        Assert.Equal("req-1", error.RequestId);
        Assert.False(error.IsRetryable);
        Assert.Contains("ECS DescribeServices failed: ValidationException: bad (HTTP 400, request req-1)", error.Message, StringComparison.Ordinal);
        Assert.Single(stub.Requests);
        Assert.Equal(0, retries);
    }

    [Fact]
    public async Task Given_503_with_Retry_After_1_when_called_then_the_second_attempt_waits_one_second()
    {
        var clock = new ManualClock(TestTransport.Start);
        await using var stub = LoopbackStub.Start(clock, new StubResponse(503, "", ("Retry-After", "1")), StubResponse.Ok());
        // Without Retry-After the wait would be zero: the jitter is pinned at 0.
        var transport = TestTransport.For(stub.Url, new AwsTransportOptions { Jitter = () => 0 }, clock);

        var call = transport.SendAsync(AwsService.Ecs, TestTransport.DescribeServices, Token);
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1), Token);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Single(stub.Requests);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var response = await call.WaitAsync(TimeSpan.FromSeconds(5), Token);

        Assert.Equal(200, response.Status);
        Assert.Equal(2, stub.Requests.Count);
        Assert.Equal(TimeSpan.FromSeconds(1), stub.Requests[1].ArrivedAt - stub.Requests[0].ArrivedAt);
    }

    [Fact]
    public async Task Given_Retry_After_as_an_HTTP_date_when_called_then_the_retry_waits_until_that_date()
    {
        var clock = new ManualClock(TestTransport.Start);
        var at = TestTransport.Start.AddSeconds(5).ToString("R", CultureInfo.InvariantCulture);
        await using var stub = LoopbackStub.Start(clock, new StubResponse(503, "", ("Retry-After", at)), StubResponse.Ok());
        var transport = TestTransport.For(stub.Url, new AwsTransportOptions { Jitter = () => 0 }, clock);

        var call = transport.SendAsync(AwsService.Ecs, TestTransport.DescribeServices, Token);
        await clock.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(5), Token);
        var response = await call.WaitAsync(TimeSpan.FromSeconds(5), Token);

        Assert.Equal(200, response.Status);
        Assert.Equal(TimeSpan.FromSeconds(5), stub.Requests[1].ArrivedAt - stub.Requests[0].ArrivedAt);
    }

    [Fact]
    public async Task Given_Retry_After_longer_than_MaxRetryAfter_when_called_then_the_wait_is_cut_to_MaxRetryAfter()
    {
        var clock = new ManualClock(TestTransport.Start);
        await using var stub = LoopbackStub.Start(clock, new StubResponse(429, "", ("Retry-After", "3600")), StubResponse.Ok());
        var options = new AwsTransportOptions { MaxRetryAfter = TimeSpan.FromSeconds(2), Jitter = () => 0 };
        var transport = TestTransport.For(stub.Url, options, clock);
        var retries = new List<AwsRetryEvent>();
        transport.Retrying += retries.Add;

        var call = transport.SendAsync(AwsService.Ecs, TestTransport.DescribeServices, Token);
        await clock.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(2), Token);
        var response = await call.WaitAsync(TimeSpan.FromSeconds(5), Token);

        Assert.Equal(200, response.Status);
        Assert.Equal(TimeSpan.FromSeconds(2), Assert.Single(retries).Delay);
        Assert.Equal(TimeSpan.FromSeconds(2), stub.Requests[1].ArrivedAt - stub.Requests[0].ArrivedAt);
    }
}
