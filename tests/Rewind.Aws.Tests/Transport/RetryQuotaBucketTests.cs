using Rewind.Aws.Errors;
using Rewind.Aws.Transport;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Aws.Tests.Transport;

public sealed class RetryQuotaBucketTests
{
    [Fact]
    public void Given_a_full_bucket_when_retries_are_taken_then_each_costs_5_and_a_timeout_10_until_it_cannot_pay()
    {
        var bucket = new RetryQuotaBucket();

        Assert.True(bucket.TryAcquire(RetryQuotaBucket.RetryCost));
        Assert.True(bucket.TryAcquire(RetryQuotaBucket.TimeoutRetryCost));

        Assert.Equal(500 - 5 - 10, bucket.Available);
        var more = 0;
        while (bucket.TryAcquire(RetryQuotaBucket.RetryCost))
            more++;
        Assert.Equal(97, more);
        Assert.Equal(0, bucket.Available);
        Assert.False(bucket.TryAcquire(1));
    }

    [Fact]
    public void Given_a_drained_bucket_when_calls_succeed_then_a_first_try_success_refunds_1_and_a_retried_one_its_retry_cost_never_above_500()
    {
        var bucket = new RetryQuotaBucket(20);
        Assert.True(bucket.TryAcquire(10));
        Assert.True(bucket.TryAcquire(10));

        bucket.Succeeded(lastRetryCost: 0);
        Assert.Equal(1, bucket.Available);
        bucket.Succeeded(lastRetryCost: 10);
        Assert.Equal(11, bucket.Available);
        for (var i = 0; i < 50; i++)
            bucket.Succeeded(0);
        Assert.Equal(20, bucket.Available);
    }

    [Fact]
    public async Task Given_an_empty_quota_when_a_call_is_throttled_then_it_fails_after_one_attempt()
    {
        await using var stub = LoopbackStub.Start(StubResponse.Json(400, """{"__type":"ThrottlingException","message":"Rate exceeded"}"""), StubResponse.Ok());
        var transport = TestTransport.For(stub.Url, new AwsTransportOptions { RetryQuota = 4, Jitter = () => 0 }, TimeProvider.System);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => transport.SendAsync(AwsService.Ecs, TestTransport.DescribeServices, TestContext.Current.CancellationToken));

        Assert.Equal("ThrottlingException", error.Code);
        Assert.Single(stub.Requests);
    }
}
