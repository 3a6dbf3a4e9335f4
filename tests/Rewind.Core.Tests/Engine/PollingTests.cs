using Microsoft.Extensions.Time.Testing;
using Rewind.Core.Engine;
using Xunit;

namespace Rewind.Core.Tests.Engine;

/// <summary>Waits poll fast at first, back off to a cap, and stop at once when cancelled; all on a fake clock.</summary>
public sealed class PollingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Given_the_default_schedule_then_delays_grow_by_the_factor_from_200_ms_until_the_one_second_cap()
    {
        var delays = Enumerable.Range(0, 7).Select(i => PollSchedule.Default.Delay(i).TotalMilliseconds);

        Assert.Equal([200, 300, 450, 675, 1000, 1000, 1000], delays);
    }

    [Fact]
    public void Given_the_immediate_schedule_then_every_delay_is_zero()
    {
        Assert.All(Enumerable.Range(0, 5), i => Assert.Equal(TimeSpan.Zero, PollSchedule.Immediate.Delay(i)));
    }

    [Fact]
    public void Given_a_schedule_whose_first_delay_is_above_its_cap_then_the_cap_wins()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), new PollSchedule(TimeSpan.FromSeconds(5), 2, TimeSpan.FromSeconds(2)).Delay(0));
    }

    [Fact]
    public async Task Given_a_condition_true_at_the_first_read_then_it_returns_without_waiting()
    {
        var clock = new FakeTimeProvider();
        var reads = 0;

        var value = await Polling.UntilAsync(_ => Task.FromResult(++reads), _ => true, PollSchedule.Default, clock, Ct);

        Assert.Equal((1, 1), (value, reads));
    }

    [Fact]
    public async Task Given_a_condition_that_holds_at_the_third_read_then_the_reads_follow_the_schedule_and_the_third_value_is_returned()
    {
        var clock = new FakeTimeProvider();
        var start = clock.GetUtcNow();
        var readAt = new List<TimeSpan>();
        using var read = new SemaphoreSlim(0);
        var polling = Polling.UntilAsync(_ =>
        {
            lock (readAt)
                readAt.Add(clock.GetUtcNow() - start);
            read.Release();
            return Task.FromResult(readAt.Count);
        }, n => n == 3, PollSchedule.Default, clock, Ct);

        await read.WaitAsync(Ct);
        clock.Advance(TimeSpan.FromMilliseconds(199));
        Assert.Single(readAt); // not before its delay
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await read.WaitAsync(TimeSpan.FromSeconds(5), Ct));
        clock.Advance(TimeSpan.FromMilliseconds(300));
        Assert.True(await read.WaitAsync(TimeSpan.FromSeconds(5), Ct));

        Assert.Equal(3, await polling.WaitAsync(TimeSpan.FromSeconds(5), Ct));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500)], readAt);
    }

    [Fact]
    public async Task Given_a_wait_cancelled_between_two_reads_then_it_stops_at_once_without_reading_again()
    {
        var clock = new FakeTimeProvider();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var reads = 0;
        var polling = Polling.UntilAsync(_ => Task.FromResult(++reads), _ => false, PollSchedule.Default, clock, cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => polling.WaitAsync(TimeSpan.FromSeconds(5), Ct));
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, reads);
    }

    [Fact]
    public async Task Given_a_read_that_throws_then_the_wait_ends_with_its_exception()
    {
        var clock = new FakeTimeProvider();

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Polling.UntilAsync<int>(_ => throw new InvalidOperationException("describe failed"), _ => true, PollSchedule.Immediate, clock, Ct));

        Assert.Equal("describe failed", thrown.Message);
    }
}
