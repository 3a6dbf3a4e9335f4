namespace Rewind.Core.Ledger;

/// <summary>A service's lock: who holds it, from where, since when and until when.</summary>
/// <param name="Service">The service it locks.</param>
/// <param name="Owner">The operator identity (e.g. the caller ARN or user name).</param>
/// <param name="Host">The host the holder runs on.</param>
/// <param name="AcquiredAt">When it was acquired (or taken over).</param>
/// <param name="ExpiresAt">When it lapses unless renewed.</param>
public sealed record Lease(string Service, string Owner, string Host, DateTimeOffset AcquiredAt, DateTimeOffset ExpiresAt)
{
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
