namespace Rewind.Core.Engine;

/// <summary>How a wait polls: fast at first, backing off to a cap, so a quick change is seen at once and a slow one costs few calls.</summary>
public sealed record PollSchedule(TimeSpan First, double Factor, TimeSpan Cap)
{
    /// <summary>Capped at 1 s: a completed rollout is seen within a second, at one cheap read a second at most.</summary>
    public static PollSchedule Default { get; } = new(TimeSpan.FromMilliseconds(200), 1.5, TimeSpan.FromSeconds(1));

    /// <summary>Every poll at once: for tests that drive a fake clock.</summary>
    public static PollSchedule Immediate { get; } = new(TimeSpan.Zero, 1, TimeSpan.Zero);

    public TimeSpan Delay(int poll) =>
        TimeSpan.FromMilliseconds(Math.Min(Cap.TotalMilliseconds, First.TotalMilliseconds * Math.Pow(Factor, poll)));
}

/// <summary>Polls until a condition holds; the caller's token carries the deadline.</summary>
public static class Polling
{
    public static async Task<T> UntilAsync<T>(
        Func<CancellationToken, Task<T>> read, Func<T, bool> done, PollSchedule schedule, TimeProvider time, CancellationToken cancellationToken)
    {
        for (var poll = 0; ; poll++)
        {
            var value = await read(cancellationToken);
            if (done(value))
                return value;
            await Task.Delay(schedule.Delay(poll), time, cancellationToken);
        }
    }
}
