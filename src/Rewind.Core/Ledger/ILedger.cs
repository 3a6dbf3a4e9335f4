namespace Rewind.Core.Ledger;

/// <summary>Rewind's durable memory: releases, runs and their journals, leases, freezes, incidents and the outbox.</summary>
/// <remarks>
/// Each area is its own small interface so a consumer depends only on what it uses (the freeze step takes an
/// <see cref="IFreezeStore"/>). Every method is safe to call from several processes at once; expected failures
/// throw <see cref="LedgerException"/>.
/// </remarks>
public interface ILedger : IAsyncDisposable
{
    /// <summary>Where the ledger lives, for messages: a file path or <c>dynamodb:table</c>.</summary>
    string Location { get; }

    /// <summary>Recorded releases.</summary>
    IReleaseStore Releases { get; }

    /// <summary>Runs and their hash-chained journals.</summary>
    IRunStore Runs { get; }

    /// <summary>One lock per service.</summary>
    ILeaseStore Leases { get; }

    /// <summary>Release freezes.</summary>
    IFreezeStore Freezes { get; }

    /// <summary>Incidents with atomically allocated ids.</summary>
    IIncidentStore Incidents { get; }

    /// <summary>Idempotent outgoing notifications and tickets.</summary>
    IOutboxStore Outbox { get; }
}

/// <summary>Release snapshots, newest first.</summary>
public interface IReleaseStore
{
    /// <summary>Stores a new release; <see cref="LedgerFailureReason.Conflict"/> if its id exists.</summary>
    Task RecordReleaseAsync(Release release, CancellationToken cancellationToken);

    /// <summary>The release with this id, or null.</summary>
    Task<Release?> GetReleaseAsync(string releaseId, CancellationToken cancellationToken);

    /// <summary>Releases of one service (or all when null), newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Release>> ListReleasesAsync(string? service, int limit, CancellationToken cancellationToken);

    /// <summary>Sets a release's status; <see cref="LedgerFailureReason.NotFound"/> if it does not exist.</summary>
    Task SetReleaseStatusAsync(string releaseId, ReleaseStatus status, CancellationToken cancellationToken);
}

/// <summary>Runs and their append-only, hash-chained journals.</summary>
public interface IRunStore
{
    /// <summary>Stores a new run with an empty journal; <see cref="LedgerFailureReason.Conflict"/> if its id exists.</summary>
    Task CreateRunAsync(Run run, CancellationToken cancellationToken);

    /// <summary>The run with this id, or null.</summary>
    Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Runs of one service (or all when null), newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Run>> ListRunsAsync(string? service, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Sets a run's status and anchors its journal head; <see cref="LedgerFailureReason.NotFound"/> if it does not exist.
    /// </summary>
    Task SetRunStatusAsync(string runId, RunStatus status, CancellationToken cancellationToken);

    /// <summary>Ties a run to an incident; <see cref="LedgerFailureReason.NotFound"/> if the run does not exist.</summary>
    Task SetRunIncidentAsync(string runId, string incidentId, CancellationToken cancellationToken);

    /// <summary>
    /// Appends the next entry of a run's journal: claims the next seq and writes the entry and its hash atomically,
    /// so concurrent appenders never fork the chain. <see cref="LedgerFailureReason.NotFound"/> if the run does not exist.
    /// </summary>
    Task<JournalEntry> AppendJournalAsync(
        string runId, string step, JournalKind kind, string detailJson, CancellationToken cancellationToken);

    /// <summary>
    /// Appends like <see cref="AppendJournalAsync"/>, but only while <paramref name="fence"/> is the service's stored
    /// lease (holder and generation), checked in the same write: SQLite in one transaction, DynamoDB as a condition
    /// on the lease item in the same TransactWriteItems. Otherwise nothing is written and
    /// <see cref="LeaseLostException"/> names the lease as stored now.
    /// </summary>
    Task<JournalEntry> AppendFencedJournalAsync(
        string runId, string step, JournalKind kind, string detailJson, LeaseFence fence, CancellationToken cancellationToken);

    /// <summary>A run's journal in seq order, exactly as stored (not verified: see <see cref="LedgerVerifier"/>).</summary>
    Task<IReadOnlyList<JournalEntry>> ReadJournalAsync(string runId, CancellationToken cancellationToken);

    /// <summary>
    /// The last entry the run record vouches for (seq 0 when empty), to detect deleted trailing entries. It never
    /// runs ahead of the journal and may lag it: SQLite moves it with every append, DynamoDB at every status change.
    /// </summary>
    Task<JournalHead> GetJournalHeadAsync(string runId, CancellationToken cancellationToken);
}

/// <summary>One lease per service: acquire fails while another unexpired lease exists.</summary>
public interface ILeaseStore
{
    /// <summary>
    /// Acquires the service's lock if it is free or expired, with the next generation after the lapsed lease's (1 when
    /// none is stored); otherwise returns the current holder.
    /// </summary>
    Task<LeaseAttempt> TryAcquireAsync(
        string service, string owner, string host, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>
    /// Extends the caller's lease, keeping its generation (compare it: a renewal that returns another generation means
    /// the lease was lost and acquired again); <see cref="LedgerFailureReason.Conflict"/> if someone else holds it, NotFound if none.
    /// </summary>
    Task<Lease> RenewAsync(string service, string owner, string host, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Releases the lock if the caller holds it; false (nothing changed) otherwise.</summary>
    Task<bool> ReleaseAsync(string service, string owner, string host, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the lock whoever holds it, with the next generation (so the displaced holder's fenced writes fail), and
    /// returns the previous lease, which the caller must journal.
    /// </summary>
    Task<LeaseTakeover> TakeOverAsync(
        string service, string owner, string host, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>The stored lease of a service, expired or not, or null if none.</summary>
    Task<Lease?> GetLeaseAsync(string service, CancellationToken cancellationToken);
}

/// <summary>Release freezes: at most one active per scope; lifting needs a root cause.</summary>
public interface IFreezeStore
{
    /// <summary>Freezes a scope; <see cref="LedgerFailureReason.Conflict"/> if that scope is already frozen.</summary>
    Task<Freeze> FreezeAsync(
        string scope, string reason, string? incidentId, string frozenBy, CancellationToken cancellationToken);

    /// <summary>Lifts the active freeze of a scope; NotFound if none. The root cause is required.</summary>
    Task<Freeze> LiftAsync(string scope, string liftedBy, string rootCause, CancellationToken cancellationToken);

    /// <summary>Active freezes that apply to <paramref name="service"/> (its own and the all-services one), or all active when null.</summary>
    Task<IReadOnlyList<Freeze>> GetActiveFreezesAsync(string? service, CancellationToken cancellationToken);

    /// <summary>Every freeze, active and lifted, newest first.</summary>
    Task<IReadOnlyList<Freeze>> ListFreezesAsync(CancellationToken cancellationToken);
}

/// <summary>Incidents; ids are allocated atomically across writers.</summary>
public interface IIncidentStore
{
    /// <summary>Opens an incident with the next id (<c>INC-0001</c>…), opened now, postmortem due after the draft's delay.</summary>
    Task<Incident> OpenIncidentAsync(IncidentDraft draft, CancellationToken cancellationToken);

    /// <summary>The incident with this id, or null.</summary>
    Task<Incident?> GetIncidentAsync(string incidentId, CancellationToken cancellationToken);

    /// <summary>All incidents, newest first.</summary>
    Task<IReadOnlyList<Incident>> ListIncidentsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Applies <paramref name="change"/> to the incident as stored now and writes its mutable fields (owner, tracker
    /// link, status, severity, title, service, root cause and its freeze); returns what is stored. Another writer's
    /// change is never lost: if the incident changed between the read and the write, <paramref name="change"/> is
    /// applied again to a fresh read (so it must depend only on its argument). An equal result writes nothing.
    /// NotFound if absent; Conflict if other writers keep winning.
    /// </summary>
    Task<Incident> UpdateIncidentAsync(string incidentId, Func<Incident, Incident> change, CancellationToken cancellationToken);
}

/// <summary>The outbox: an idempotency key per outgoing message and its delivery status.</summary>
public interface IOutboxStore
{
    /// <summary>
    /// Records a message to send, or returns the existing item with that key (check its status before sending).
    /// <see cref="LedgerFailureReason.Conflict"/> if the key exists with a different target or payload hash.
    /// </summary>
    Task<OutboxItem> EnqueueAsync(
        string idempotencyKey, string target, string payloadHash, CancellationToken cancellationToken);

    /// <summary>
    /// Marks an item <see cref="OutboxStatus.Sending"/> just before its request goes out (the attempt is counted by the
    /// delivered or failed mark that follows); NotFound if absent.
    /// </summary>
    Task<OutboxItem> MarkSendingAsync(string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Marks an item delivered with its receipt and counts the attempt; NotFound if absent.</summary>
    Task<OutboxItem> MarkDeliveredAsync(string idempotencyKey, string receipt, CancellationToken cancellationToken);

    /// <summary>Marks an attempt failed with its error and counts it; NotFound if absent.</summary>
    Task<OutboxItem> MarkFailedAsync(string idempotencyKey, string error, CancellationToken cancellationToken);

    /// <summary>The item with this key, or null.</summary>
    Task<OutboxItem?> GetOutboxItemAsync(string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Items with the given status (or all when null), oldest first.</summary>
    Task<IReadOnlyList<OutboxItem>> ListOutboxAsync(OutboxStatus? status, CancellationToken cancellationToken);
}
