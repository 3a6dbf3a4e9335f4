using Microsoft.Extensions.Time.Testing;
using Rewind.Aws.Errors;
using Rewind.Aws.Transport;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Aws.Tests.Transport;

public sealed class ClientRateLimiterTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Answers at <paramref name="perSecond"/> for <paramref name="seconds"/>, so the measured rate settles near it.</summary>
    private static void Answer(FakeTimeProvider clock, ClientRateLimiter limiter, double perSecond, double seconds)
    {
        var step = TimeSpan.FromSeconds(1 / perSecond);
        for (var n = 0; n < perSecond * seconds; n++)
        {
            clock.Advance(step);
            limiter.Update(throttled: false);
        }
    }

    [Fact]
    public async Task Given_no_throttle_yet_when_requests_are_sent_then_none_waits()
    {
        var clock = new FakeTimeProvider(TestTransport.Start);
        var limiter = new ClientRateLimiter(clock);

        for (var n = 0; n < 1000; n++)
        {
            var acquire = limiter.AcquireAsync(Token);
            Assert.True(acquire.IsCompletedSuccessfully, $"request {n} waited before any throttle");
            await acquire;
            limiter.Update(throttled: false);
        }

        Assert.False(limiter.IsEnabled);
    }

    [Fact]
    public void Given_a_measured_rate_when_a_throttle_arrives_then_the_fill_rate_is_cut_to_seventy_percent_of_it()
    {
        var clock = new FakeTimeProvider(TestTransport.Start);
        var limiter = new ClientRateLimiter(clock);
        Answer(clock, limiter, perSecond: 20, seconds: 5);
        var measured = limiter.MeasuredRate;
        Assert.InRange(measured, 19, 21);

        limiter.Update(throttled: true); // same half-second bucket: the measured rate stays

        Assert.True(limiter.IsEnabled);
        Assert.Equal(measured * ClientRateLimiter.Beta, limiter.FillRate, 6);
    }

    [Fact]
    public void Given_a_throttle_before_any_rate_was_measured_then_the_fill_rate_is_the_floor_of_half_a_request_per_second()
    {
        var clock = new FakeTimeProvider(TestTransport.Start);
        var limiter = new ClientRateLimiter(clock);

        limiter.Update(throttled: true);

        Assert.True(limiter.IsEnabled);
        Assert.Equal(ClientRateLimiter.MinFillRate, limiter.FillRate);
    }

    [Fact]
    public void Given_a_throttle_when_successes_follow_then_the_rate_grows_back_along_the_cubic_curve_to_the_rate_that_throttled()
    {
        var clock = new FakeTimeProvider(TestTransport.Start);
        var limiter = new ClientRateLimiter(clock);
        Answer(clock, limiter, perSecond: 40, seconds: 5);
        limiter.Update(throttled: true);
        var lastMax = limiter.FillRate / ClientRateLimiter.Beta;
        var k = Math.Cbrt(lastMax * (1 - ClientRateLimiter.Beta) / ClientRateLimiter.ScaleConstant);

        var rates = new List<double>();
        for (var n = 0; n < 8; n++)
        {
            Answer(clock, limiter, perSecond: 40, seconds: k / 8);
            rates.Add(limiter.FillRate);
        }

        Assert.True(rates.Zip(rates.Skip(1)).All(p => p.Second >= p.First - 1e-9), string.Join(", ", rates));
        Assert.True(rates[0] < lastMax, $"{rates[0]} should still be below {lastMax} right after the throttle");
        Assert.InRange(rates[^1], lastMax * 0.97, lastMax * 1.03); // at K the curve is back at the rate that throttled
    }

    [Fact]
    public void Given_a_long_quiet_time_after_a_throttle_then_the_rate_is_capped_at_twice_the_measured_send_rate()
    {
        var clock = new FakeTimeProvider(TestTransport.Start);
        var limiter = new ClientRateLimiter(clock);
        Answer(clock, limiter, perSecond: 10, seconds: 3);
        limiter.Update(throttled: true);

        Answer(clock, limiter, perSecond: 2, seconds: 60); // the cubic term alone would be in the tens of thousands

        Assert.InRange(limiter.FillRate, 0, ClientRateLimiter.MaxRateAdjustScale * limiter.MeasuredRate + 1e-9);
        Assert.InRange(limiter.MeasuredRate, 1.9, 2.1);
    }

    [Fact]
    public async Task Given_a_throttle_when_requests_queue_then_they_leave_at_the_fill_rate()
    {
        var clock = new FakeTimeProvider(TestTransport.Start);
        var limiter = new ClientRateLimiter(clock);
        Answer(clock, limiter, perSecond: 20, seconds: 5);
        limiter.Update(throttled: true);
        var rate = limiter.FillRate;

        // The bucket filled while nothing throttled: what is in it goes at once, then the queue forms.
        ValueTask first;
        while ((first = limiter.AcquireAsync(Token)).IsCompletedSuccessfully)
        {
        }
        var waiting = Enumerable.Range(0, 10).Select(_ => limiter.AcquireAsync(Token).AsTask()).Prepend(first.AsTask()).ToList();
        Assert.All(waiting, w => Assert.False(w.IsCompleted));

        var released = new List<int>();
        for (var tick = 1; tick <= 300 && (released.Count == 0 || released[^1] < waiting.Count); tick++)
        {
            clock.Advance(TimeSpan.FromSeconds(0.01));
            await Task.Yield();
            await Task.Delay(1, Token);
            released.Add(waiting.Count(w => w.IsCompletedSuccessfully));
        }
        Assert.True(waiting.All(w => w.IsCompletedSuccessfully), $"rate {rate}: released {string.Join(",", released.Where((_, i) => i % 10 == 9))}");

        // Eleven tokens (less what was left of one) at about 14 per second take about 0.75 s of the clock, not less.
        var elapsed = released.Count * 0.01;
        Assert.InRange(elapsed, 10 / rate, 11 / rate + 0.15);
    }

    [Fact]
    public async Task Given_a_cancelled_caller_when_it_waits_for_a_token_then_the_wait_ends()
    {
        var clock = new FakeTimeProvider(TestTransport.Start);
        var limiter = new ClientRateLimiter(clock);
        limiter.Update(throttled: true);
        using var cancel = new CancellationTokenSource();

        var wait = limiter.AcquireAsync(cancel.Token).AsTask();
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    [Fact]
    public async Task Given_an_API_that_throttles_when_the_transport_calls_it_then_only_that_API_s_limiter_is_enabled()
    {
        await using var stub = LoopbackStub.Start(
            StubResponse.Json(400, """{"__type":"ThrottlingException","message":"Rate exceeded"}"""),
            StubResponse.Ok("""{"services":[]}"""));
        var transport = TestTransport.For(stub.Url, new AwsTransportOptions { Jitter = () => 0 }, TimeProvider.System);

        await transport.SendAsync(AwsService.Ecs, TestTransport.DescribeServices, Token);

        Assert.True(transport.RateLimiterOf(AwsService.Ecs, "DescribeServices")!.IsEnabled);
        Assert.False(transport.RateLimiterOf(AwsService.Ecs, "UpdateService")!.IsEnabled);
        Assert.Same(transport.RateLimiterOf(AwsService.Ecs, "DescribeServices"), transport.RateLimiterOf(AwsService.Ecs, "DescribeServices"));
    }

    [Fact]
    public void Given_the_standard_retry_mode_then_the_transport_has_no_rate_limiter()
    {
        var transport = TestTransport.For("http://127.0.0.1:9/", new AwsTransportOptions { AdaptiveRateLimiting = false }, TimeProvider.System);

        Assert.Null(transport.RateLimiterOf(AwsService.Ecs, "DescribeServices"));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("adaptive", true)]
    [InlineData(" Adaptive ", true)]
    [InlineData("standard", false)]
    [InlineData("legacy", false)]
    public void Given_AWS_RETRY_MODE_when_options_are_read_then_the_rate_limiter_follows_it(string? mode, bool adaptive)
    {
        var options = AwsTransportOptions.FromEnvironment(name => name == "AWS_RETRY_MODE" ? mode : null);

        Assert.Equal(adaptive, options.AdaptiveRateLimiting);
        Assert.Equal(AwsTransportOptions.DefaultMaxAttempts, options.MaxAttempts);
    }

    [Fact]
    public void Given_an_unknown_AWS_RETRY_MODE_when_options_are_read_then_it_is_a_setup_error_naming_the_values()
    {
        var error = Assert.Throws<AwsConfigurationException>(() => AwsTransportOptions.FromEnvironment(name => name == "AWS_RETRY_MODE" ? "turbo" : null));

        Assert.Contains("AWS_RETRY_MODE is 'turbo'", error.Message, StringComparison.Ordinal);
        Assert.Contains("adaptive", error.Message, StringComparison.Ordinal);
    }
}
