using Rewind.Aws.Errors;
using Rewind.Aws.Transport;
using Xunit;

namespace Rewind.Aws.Tests.Transport;

public sealed class BackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(20);

    private static AwsTransport TransportWith(Func<double> jitter, TimeSpan? maxRetryAfter = null) =>
        TestTransport.For("http://127.0.0.1:1/", new AwsTransportOptions
        {
            BaseBackoff = Base,
            MaxBackoff = Cap,
            MaxRetryAfter = maxRetryAfter ?? TimeSpan.FromSeconds(30),
            Jitter = jitter,
        }, TimeProvider.System);

    private static AwsServiceException Throttled(TimeSpan? retryAfter) =>
        new(AwsService.Ecs, "DescribeServices", "ThrottlingException", "Rate exceeded", 400, null, retryAfter);

    [Theory]
    [InlineData(1, 50)]
    [InlineData(2, 100)]
    [InlineData(3, 200)]
    [InlineData(8, 6_400)]
    [InlineData(9, 10_000)]
    [InlineData(30, 10_000)]
    public void Given_jitter_pinned_at_one_half_when_backing_off_then_the_wait_is_half_of_min_cap_and_base_times_2_to_the_n_minus_1(int retry, int expectedMs)
    {
        var transport = TransportWith(() => 0.5);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), transport.BackoffBefore(retry, Throttled(null)));
    }

    [Fact]
    public void Given_jitter_just_below_1_when_backing_off_for_many_retries_then_the_wait_never_exceeds_the_cap()
    {
        var transport = TransportWith(() => 0.999);

        var waits = Enumerable.Range(1, 64).Select(retry => transport.BackoffBefore(retry, null)).ToList();

        Assert.All(waits, wait => Assert.True(wait < Cap, $"{wait} is not below the {Cap} cap"));
        Assert.Equal(TimeSpan.FromMilliseconds(0.999 * 20_000), waits[^1]);
        Assert.Equal(waits.Order(), waits);
    }

    [Fact]
    public void Given_the_default_random_jitter_when_backing_off_many_times_then_the_waits_vary_within_zero_and_the_ceiling()
    {
        var transport = TestTransport.For("http://127.0.0.1:1/", new AwsTransportOptions(), TimeProvider.System);
        var defaults = AwsTransportOptions.Default;
        var ceiling = defaults.BaseBackoff * 4;

        var waits = Enumerable.Range(0, 1_000).Select(_ => transport.BackoffBefore(3, null)).ToList();

        Assert.All(waits, wait => Assert.InRange(wait, TimeSpan.Zero, ceiling));
        Assert.True(waits.Distinct().Count() > 500, "full jitter should spread the waits");
        Assert.True(waits.Min() < ceiling / 4 && waits.Max() > ceiling * 3 / 4, "full jitter should cover the whole range");
    }

    [Fact]
    public void Given_a_Retry_After_when_backing_off_then_it_wins_over_the_jitter()
    {
        var transport = TransportWith(() => 0.999);

        Assert.Equal(TimeSpan.FromSeconds(7), transport.BackoffBefore(1, Throttled(TimeSpan.FromSeconds(7))));
        Assert.Equal(TimeSpan.Zero, transport.BackoffBefore(5, Throttled(TimeSpan.Zero)));
    }

    [Fact]
    public void Given_a_Retry_After_beyond_MaxRetryAfter_when_backing_off_then_it_is_cut_to_MaxRetryAfter()
    {
        var transport = TransportWith(() => 0.5, maxRetryAfter: TimeSpan.FromSeconds(30));

        Assert.Equal(TimeSpan.FromSeconds(30), transport.BackoffBefore(1, Throttled(TimeSpan.FromHours(1))));
    }
}
