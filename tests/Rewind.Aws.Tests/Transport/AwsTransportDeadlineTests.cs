using Rewind.Aws.Errors;
using Rewind.Aws.Transport;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Aws.Tests.Transport;

public sealed class AwsTransportDeadlineTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_Retry_After_5_s_and_a_300_ms_deadline_when_called_then_it_gives_up_at_the_deadline()
    {
        var clock = new ManualClock(TestTransport.Start);
        await using var stub = LoopbackStub.Start(clock, new StubResponse(503, "", ("Retry-After", "5")));
        var options = new AwsTransportOptions { OverallTimeout = TimeSpan.FromMilliseconds(300), Jitter = () => 0 };
        var transport = TestTransport.For(stub.Url, options, clock);

        var call = transport.SendAsync(AwsService.Ecs, TestTransport.DescribeServices, Token);
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(5), Token);
        clock.Advance(TimeSpan.FromMilliseconds(300));
        var error = await Assert.ThrowsAsync<AwsUnavailableException>(() => call.WaitAsync(TimeSpan.FromSeconds(5), Token));

        Assert.Equal($"ECS DescribeServices: no answer from {stub.Url.TrimEnd('/')} within 300 ms", error.Message);
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task Given_a_server_that_never_answers_when_the_deadline_passes_then_the_call_fails_as_unavailable()
    {
        var clock = new ManualClock(TestTransport.Start);
        await using var stub = LoopbackStub.Start(clock, StubResponse.Stall());
        var options = new AwsTransportOptions { OverallTimeout = TimeSpan.FromMilliseconds(300), AttemptTimeout = TimeSpan.FromSeconds(10) };
        var transport = TestTransport.For(stub.Url, options, clock);

        var call = transport.SendAsync(AwsService.Ecs, TestTransport.DescribeServices, Token);
        await stub.WaitForRequestsAsync(1, Token);
        clock.Advance(TimeSpan.FromMilliseconds(300));
        var error = await Assert.ThrowsAsync<AwsUnavailableException>(() => call.WaitAsync(TimeSpan.FromSeconds(5), Token));

        Assert.Contains("within 300 ms", error.Message, StringComparison.Ordinal);
        Assert.Equal(AwsService.Ecs, error.Service);
        Assert.Equal("DescribeServices", error.Operation);
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task Given_one_attempt_that_stalls_past_AttemptTimeout_when_called_then_the_next_attempt_succeeds()
    {
        var clock = new ManualClock(TestTransport.Start);
        await using var stub = LoopbackStub.Start(clock, StubResponse.Stall(), StubResponse.Ok());
        var options = new AwsTransportOptions { AttemptTimeout = TimeSpan.FromSeconds(2), Jitter = () => 0 };
        var transport = TestTransport.For(stub.Url, options, clock);

        var call = transport.SendAsync(AwsService.Ecs, TestTransport.DescribeServices, Token);
        await stub.WaitForRequestsAsync(1, Token);
        clock.Advance(TimeSpan.FromSeconds(2));
        var response = await call.WaitAsync(TimeSpan.FromSeconds(5), Token);

        Assert.Equal(200, response.Status);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task Given_every_attempt_stalls_when_called_then_it_fails_as_unavailable_after_MaxAttempts()
    {
        var clock = new ManualClock(TestTransport.Start);
        await using var stub = LoopbackStub.Start(clock, StubResponse.Stall());
        var options = new AwsTransportOptions { MaxAttempts = 2, AttemptTimeout = TimeSpan.FromSeconds(2), Jitter = () => 0 };
        var transport = TestTransport.For(stub.Url, options, clock);

        var call = transport.SendAsync(AwsService.Ecs, TestTransport.DescribeServices, Token);
        await stub.WaitForRequestsAsync(1, Token);
        clock.Advance(TimeSpan.FromSeconds(2));
        await stub.WaitForRequestsAsync(2, Token);
        clock.Advance(TimeSpan.FromSeconds(2));
        var error = await Assert.ThrowsAsync<AwsUnavailableException>(() => call.WaitAsync(TimeSpan.FromSeconds(5), Token));

        Assert.Contains("within 2 s", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task Given_nothing_listening_when_called_then_it_fails_as_unavailable_with_connection_refused_after_MaxAttempts()
    {
        var endpoint = $"http://127.0.0.1:{LoopbackStub.UnusedPort()}/";
        var transport = TestTransport.For(endpoint, new AwsTransportOptions { MaxAttempts = 3, Jitter = () => 0 }, TimeProvider.System);
        var attempts = 0;
        transport.Sending += (_, _) => Interlocked.Increment(ref attempts);

        var error = await Assert.ThrowsAsync<AwsUnavailableException>(() => transport.SendAsync(AwsService.Ecs, TestTransport.DescribeServices, Token));

        Assert.Equal(3, attempts);
        Assert.Contains("cannot reach", error.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", error.Message, StringComparison.Ordinal);
        Assert.Contains("--endpoint-url", error.Hint, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task Given_a_call_in_flight_when_the_caller_cancels_then_OperationCanceledException_escapes_unwrapped()
    {
        await using var stub = LoopbackStub.Start(StubResponse.Stall());
        var transport = TestTransport.For(stub.Url, new AwsTransportOptions(), TimeProvider.System);
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(Token);

        var call = transport.SendAsync(AwsService.Ecs, TestTransport.DescribeServices, caller.Token);
        await stub.WaitForRequestsAsync(1, Token);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(5), Token));
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task Given_a_retry_wait_when_the_caller_cancels_then_no_further_attempt_is_made()
    {
        var clock = new ManualClock(TestTransport.Start);
        await using var stub = LoopbackStub.Start(clock, new StubResponse(503, "", ("Retry-After", "5")), StubResponse.Ok());
        var transport = TestTransport.For(stub.Url, new AwsTransportOptions(), clock);
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(Token);

        var call = transport.SendAsync(AwsService.Ecs, TestTransport.DescribeServices, caller.Token);
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(5), Token);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(5), Token));
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Single(stub.Requests);
    }
}
