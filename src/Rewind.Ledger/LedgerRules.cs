using Rewind.Core.Ledger;

namespace Rewind.Ledger;

/// <summary>Argument checks and failure messages both backends share, so they fail alike.</summary>
public static class LedgerRules
{
    public static void ValidateLease(string service, string owner, string host, TimeSpan ttl)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
    }

    public static LedgerException NoLease(string service) =>
        new(LedgerFailureReason.NotFound, $"no lease on {service} to renew: acquire it again");

    public static LedgerException LeaseHeldByOther(Lease current) =>
        new(
            LedgerFailureReason.Conflict,
            $"the lease on {current.Service} is held by {current.Owner} on {current.Host} since {LedgerTime.ToText(current.AcquiredAt)} (expires {LedgerTime.ToText(current.ExpiresAt)}): acquire it again, or take it over explicitly");

    public static LedgerException AlreadyFrozen(Freeze existing) =>
        new(
            LedgerFailureReason.Conflict,
            $"{DescribeScope(existing.Scope)} is already frozen since {LedgerTime.ToText(existing.Since)} by {existing.FrozenBy} ({existing.Reason}): lift that freeze first, or leave it");

    public static LedgerException NotFrozen(string scope) =>
        new(LedgerFailureReason.NotFound, $"{DescribeScope(scope)} is not frozen: nothing to lift (see `rewind freeze status`)");

    public static void ValidateDraft(IncidentDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentException.ThrowIfNullOrWhiteSpace(draft.Title);
        ArgumentException.ThrowIfNullOrWhiteSpace(draft.Severity);
        ArgumentOutOfRangeException.ThrowIfLessThan(draft.PostmortemWithin, TimeSpan.Zero);
    }

    /// <summary>An incident change applied to the stored incident; the id and opening time stay the stored ones.</summary>
    public static Incident ChangedIncident(Incident current, Func<Incident, Incident> change)
    {
        var changed = change(current) ?? throw new InvalidOperationException($"the change of {current.Id} returned nothing");
        return changed with { Id = current.Id, OpenedAt = current.OpenedAt };
    }

    public static OutboxItem SameMessageOrThrow(OutboxItem existing, string target, string payloadHash) =>
        string.Equals(existing.Target, target, StringComparison.Ordinal)
        && string.Equals(existing.PayloadHash, payloadHash, StringComparison.Ordinal)
            ? existing
            : throw new LedgerException(
                LedgerFailureReason.Conflict,
                $"outbox key {existing.IdempotencyKey} already holds a different message (target {existing.Target}, payload {existing.PayloadHash}): use a new idempotency key for a new message");

    private static string DescribeScope(string scope) => scope == Freeze.AllServices ? "every service" : $"service {scope}";
}
