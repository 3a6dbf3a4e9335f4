using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Rewind.Aws.Tests.Transport;

/// <summary>
/// A fake clock that also tells which timers were started on it, so a test advances time only once the transport
/// is really waiting (advancing earlier would push the wait's end further out instead of ending it).
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Channel<TimeSpan> _started = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _started.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits for the next timer due after exactly <paramref name="dueTime"/>, skipping others; fails after a few real seconds.</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            while (await _started.Reader.ReadAsync(limit.Token) != dueTime)
            {
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no timer of {dueTime} was started");
        }
    }

    /// <summary>Waits for a timer of <paramref name="dueTime"/>, then advances the clock by it.</summary>
    public async Task AdvanceWhenWaitingAsync(TimeSpan dueTime, CancellationToken cancellationToken)
    {
        await WaitForTimerAsync(dueTime, cancellationToken);
        Advance(dueTime);
    }
}
