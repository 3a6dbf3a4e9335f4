using Rewind.Core.Ledger;

namespace Rewind.Core.Engine;

/// <summary>
/// The lock a run holds, as its journal writes see it: every write is fenced by the lease's generation, and once the
/// lease is known lost (a refused fenced write, a failed renewal) no further write is tried and the run is stopped.
/// </summary>
internal sealed class HeldLease(IRunStore runs, Lease lease) : IDisposable
{
    private readonly CancellationTokenSource _lost = new();
    private LeaseLostException? _lostBecause;

    public LeaseFence Fence { get; } = lease.Fence;

    /// <summary>Cancelled when the lease is lost, so waits stop at once rather than at their next journal write.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Why the lease is lost, once it is.</summary>
    public LeaseLostException? LostBecause => Volatile.Read(ref _lostBecause);

    /// <summary>Appends to the journal only while this run still holds the lease with its generation.</summary>
    public async Task<JournalEntry> AppendAsync(string runId, string step, JournalKind kind, string detailJson, CancellationToken cancellationToken)
    {
        if (LostBecause is { } lost)
            throw lost;
        try
        {
            return await runs.AppendFencedJournalAsync(runId, step, kind, detailJson, Fence, cancellationToken);
        }
        catch (LeaseLostException e)
        {
            MarkLost(e);
            throw;
        }
    }

    public void MarkLost(LeaseLostException because)
    {
        if (Interlocked.CompareExchange(ref _lostBecause, because, null) is null)
            _lost.Cancel();
    }

    public void Dispose() => _lost.Dispose();
}

/// <summary>
/// This run lost the service's lock (another operator took it over, or it lapsed and was acquired again): it stopped
/// before its next change, journaled nothing more, and left the run to the new holder.
/// </summary>
public sealed class RunStoppedByTakeoverException(LeaseLostException lost, string stoppedBefore)
    : Exception($"{lost.Message}; this run stopped before {stoppedBefore}; see 'rewind status'", lost), IRewindFailure
{
    /// <summary>The lease as stored when the loss was found (null when none was).</summary>
    public Lease? Holder { get; } = lost.Current;

    /// <summary>Another holder has the run now: like a lock held by someone else.</summary>
    public FailureKind Kind => FailureKind.Blocked;

    public string? AwsCode => null;

    /// <summary>The message already says what to do ('see rewind status').</summary>
    public string Hint => string.Empty;
}
