namespace Rewind.Core.Ledger;

/// <summary>Whether an outgoing notification or ticket has been delivered.</summary>
public enum OutboxStatus
{
    /// <summary>Recorded, not yet delivered.</summary>
    Pending,

    /// <summary>Accepted by the target; never send again.</summary>
    Delivered,

    /// <summary>The last attempt failed; may be retried.</summary>
    Failed,

    /// <summary>
    /// About to be sent or sent, with no answer recorded (the process stopped in between): the receiver may have it.
    /// Written before every request, so a resume knows not to resend to a receiver that cannot drop a repeat.
    /// </summary>
    Sending,
}

/// <summary>An outgoing message keyed by an idempotency key, so a resumed run never sends twice.</summary>
/// <param name="IdempotencyKey">Caller-chosen key, e.g. <c>run-…/notify/support</c>.</param>
/// <param name="Target">Where it goes, e.g. <c>slack:#releases</c>.</param>
/// <param name="PayloadHash">Hash of the payload (never the payload: it may name secrets' ids, not values).</param>
/// <param name="Status">Delivery status.</param>
/// <param name="Attempts">Delivery attempts recorded so far.</param>
/// <param name="LastError">The last failure, if any.</param>
/// <param name="Receipt">Evidence of delivery (HTTP status, ticket id), if delivered.</param>
/// <param name="CreatedAt">When it was enqueued.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record OutboxItem(
    string IdempotencyKey,
    string Target,
    string PayloadHash,
    OutboxStatus Status,
    int Attempts,
    string? LastError,
    string? Receipt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
