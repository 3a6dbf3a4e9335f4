using Rewind.Aws.Errors;
using Rewind.Core.Engine;

namespace Rewind.Playbook;

/// <summary>
/// During an incident AWS throttles hardest: a call whose transport attempts were all spent on throttling or
/// transient failures does not end the step. It is tried again, with backoff, until the step's own deadline (the
/// token the executor gives the step); only that deadline fails the step, naming the last failure.
/// </summary>
public static class StepRetries
{
    /// <summary>The waits between rounds: 0.5 s doubling to 10 s, each drawn at random below its ceiling.</summary>
    public static readonly PollSchedule Backoff = new(TimeSpan.FromMilliseconds(500), 2, TimeSpan.FromSeconds(10));

    /// <summary>
    /// Runs <paramref name="call"/> until it succeeds or fails for a reason other than AWS being busy or unreachable.
    /// Called for a not-idempotent call, <paramref name="call"/> must read live state before it sends again.
    /// </summary>
    public static async Task<T> UntilDeadlineAsync<T>(StepContext context, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        Exception? busy = null;
        for (var round = 0; ; round++)
        {
            try
            {
                return await call(cancellationToken);
            }
            catch (Exception e) when (IsBusy(e) && !cancellationToken.IsCancellationRequested)
            {
                busy = e;
                context.Report($"AWS busy, trying again until the step's deadline: {e.Message}");
            }
            catch (OperationCanceledException e) when (busy is not null && cancellationToken.IsCancellationRequested)
            {
                throw GaveUp(busy, e, cancellationToken);
            }
            try
            {
                var ceiling = Backoff.Delay(round);
                await Task.Delay(ceiling * Random.Shared.NextDouble(), context.Time, cancellationToken);
            }
            catch (OperationCanceledException e)
            {
                throw GaveUp(busy!, e, cancellationToken);
            }
        }
    }

    /// <summary>The same, for a call without a result.</summary>
    public static Task UntilDeadlineAsync(StepContext context, Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        UntilDeadlineAsync(context, async ct =>
        {
            await call(ct);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Reading that changes nothing (planning a run): tried again while AWS is busy, until <paramref name="deadline"/>
    /// has passed; then the last failure is thrown as it was (exit code 5 for the CLI).
    /// </summary>
    public static async Task<T> ReadingAsync<T>(
        TimeProvider time, Action<string> report, TimeSpan deadline, Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + deadline;
        for (var round = 0; ; round++)
        {
            try
            {
                return await read(cancellationToken);
            }
            catch (Exception e) when (IsBusy(e) && !cancellationToken.IsCancellationRequested && time.GetUtcNow() < until)
            {
                report($"rewind: AWS busy, planning again: {e.Message}");
            }
            var wait = Backoff.Delay(round) * Random.Shared.NextDouble();
            var left = until - time.GetUtcNow();
            await Task.Delay(wait < left ? wait : left > TimeSpan.Zero ? left : TimeSpan.Zero, time, cancellationToken);
        }
    }

    /// <summary>Throttled, a transient failure, or unreachable: worth another round. A lost answer is not: the step decides.</summary>
    public static bool IsBusy(Exception e) => e is AwsUnavailableException or AwsServiceException { IsRetryable: true };

    /// <summary>
    /// The step's deadline (or Ctrl-C) came while AWS was busy: still a cancellation, so the executor ends the step as
    /// it always does, carrying why (an <see cref="AwsUnavailableException"/>) for the one line and exit code 5.
    /// </summary>
    private static OperationCanceledException GaveUp(Exception busy, OperationCanceledException cancelled, CancellationToken cancellationToken)
    {
        var (service, operation) = busy switch
        {
            AwsServiceException s => (s.Service, s.Operation),
            AwsUnavailableException u => (u.Service, u.Operation),
            _ => (Rewind.Aws.AwsService.Sts, "?"),
        };
        var why = busy is AwsUnavailableException ? busy : new AwsUnavailableException(
            service, operation, $"still failing when the step's deadline came: {busy.Message}",
            "AWS is throttling or failing", busy);
        return new OperationCanceledException(why.Message, why, cancelled.CancellationToken == default ? cancellationToken : cancelled.CancellationToken);
    }
}
