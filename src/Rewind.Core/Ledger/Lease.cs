namespace Rewind.Core.Ledger;

/// <summary>A service's lock: who holds it, from where, since when and until when.</summary>
/// <param name="Service">The service it locks.</param>
/// <param name="Owner">The operator identity (e.g. the caller ARN or user name).</param>
/// <param name="Host">The host the holder runs on.</param>
/// <param name="AcquiredAt">When it was acquired (or taken over).</param>
/// <param name="ExpiresAt">When it lapses unless renewed.</param>
/// <param name="Generation">
/// The fencing token: one more than the lease it replaced at every acquire and takeover (a lease stored by a build
/// that had none counts as 0), kept by renewals. A run writes its journal only while its generation is the stored one.
/// </param>
public sealed record Lease(string Service, string Owner, string Host, DateTimeOffset AcquiredAt, DateTimeOffset ExpiresAt, long Generation = 0)
{
    /// <summary>The fence a run holding this lease writes its journal under.</summary>
    public LeaseFence Fence => new(Service, Owner, Host, Generation);

    /// <summary>Whether the lease has lapsed at <paramref name="now"/>.</summary>
    public bool IsExpiredAt(DateTimeOffset now) => now >= ExpiresAt;

    /// <summary>Whether this lease is held by <paramref name="owner"/> on <paramref name="host"/>.</summary>
    public bool IsHeldBy(string owner, string host) =>
        string.Equals(Owner, owner, StringComparison.Ordinal) && string.Equals(Host, host, StringComparison.Ordinal);
}

/// <summary>The outcome of an acquire attempt: the caller's new lease, or the unexpired lease of the current holder.</summary>
/// <param name="Acquired">Whether the caller now holds the lock.</param>
/// <param name="Lease">The caller's lease if acquired, else the current holder's.</param>
public sealed record LeaseAttempt(bool Acquired, Lease Lease);

/// <summary>The outcome of a takeover: the caller's new lease and the lease it replaced (to journal), if any.</summary>
public sealed record LeaseTakeover(Lease Lease, Lease? Previous);

/// <summary>Who must still hold a service's lock, and with which generation, for a fenced journal write to happen.</summary>
public sealed record LeaseFence(string Service, string Owner, string Host, long Generation)
{
    /// <summary>Whether <paramref name="stored"/> is the very lease this fence was taken from (not a later one of the same holder).</summary>
    public bool IsHeldBy(Lease? stored) =>
        stored is not null
        && string.Equals(stored.Service, Service, StringComparison.Ordinal)
        && stored.IsHeldBy(Owner, Host)
        && stored.Generation == Generation;
}

/// <summary>
/// A fenced journal write found the lock held by someone else (taken over, or acquired again after it lapsed): nothing
/// was written. <see cref="Current"/> is the lease as stored now (null when none is).
/// </summary>
public sealed class LeaseLostException(LeaseFence fence, Lease? current)
    : Exception(current is null
        ? $"the lock on {fence.Service} is no longer held by {fence.Owner} on {fence.Host}"
        : $"the lock on {fence.Service} was taken over by {current.Owner} on {current.Host} at {current.AcquiredAt:yyyy-MM-dd HH:mm:ss}Z")
{
    public LeaseFence Fence { get; } = fence;
    public Lease? Current { get; } = current;
}
