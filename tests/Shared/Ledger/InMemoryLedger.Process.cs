using Rewind.Core.Ledger;

namespace Rewind.Tests.Support;

/// <summary>
/// The freezes, incidents and outbox the process steps (incident, freeze, notify) use, in memory with the backends'
/// rules: one active freeze per scope (Conflict), atomically numbered incidents, an outbox key bound to one target and
/// payload hash (Conflict otherwise). Counts every mutating call so tests can assert nothing was done twice.
/// </summary>
internal sealed partial class InMemoryLedger : IFreezeStore, IIncidentStore, IOutboxStore
{
    private readonly List<Freeze> _freezes = [];
    private readonly List<Incident> _incidents = [];
    private readonly Dictionary<string, OutboxItem> _outbox = new(StringComparer.Ordinal);

    public IFreezeStore Freezes => this;
    public IIncidentStore Incidents => this;
    public IOutboxStore Outbox => this;

    /// <summary>How many freezes and incidents were created, ever.</summary>
    public (int Freezes, int Incidents) Created
    {
        get
        {
            lock (_gate)
                return (_freezes.Count, _incidents.Count);
        }
    }

    public Task<Freeze> FreezeAsync(string scope, string reason, string? incidentId, string frozenBy, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_freezes.Any(f => f.Scope == scope && f.IsActive))
                throw new LedgerException(LedgerFailureReason.Conflict, $"{scope} is already frozen");
            var now = time.GetUtcNow();
            var freeze = new Freeze(LedgerIds.New("frz", now), scope, reason, incidentId, frozenBy, now);
            _freezes.Insert(0, freeze);
            return Task.FromResult(freeze);
        }
    }

    public Task<Freeze> LiftAsync(string scope, string liftedBy, string rootCause, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var index = _freezes.FindIndex(f => f.Scope == scope && f.IsActive);
            if (index < 0)
                throw new LedgerException(LedgerFailureReason.NotFound, $"{scope} is not frozen");
            _freezes[index] = _freezes[index] with { LiftedBy = liftedBy, LiftedAt = time.GetUtcNow(), RootCause = rootCause };
            return Task.FromResult(_freezes[index]);
        }
    }

    public Task<IReadOnlyList<Freeze>> GetActiveFreezesAsync(string? service, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<Freeze>>([.. _freezes.Where(f => f.IsActive && (service is null || f.AppliesTo(service)))]);
    }

    public Task<IReadOnlyList<Freeze>> ListFreezesAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<Freeze>>([.. _freezes]);
    }

    public Task<Incident> OpenIncidentAsync(IncidentDraft draft, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var incident = draft.Open(_incidents.Count + 1, time.GetUtcNow());
            _incidents.Insert(0, incident);
            return Task.FromResult(incident);
        }
    }

    public Task<Incident?> GetIncidentAsync(string incidentId, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult(_incidents.FirstOrDefault(i => i.Id == incidentId));
    }

    public Task<IReadOnlyList<Incident>> ListIncidentsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<Incident>>([.. _incidents]);
    }

    public Task<Incident> UpdateIncidentAsync(string incidentId, Func<Incident, Incident> change, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var index = _incidents.FindIndex(i => i.Id == incidentId);
            if (index < 0)
                throw new LedgerException(LedgerFailureReason.NotFound, $"incident {incidentId} is not in the ledger");
            _incidents[index] = change(_incidents[index]);
            return Task.FromResult(_incidents[index]);
        }
    }

    public Task<OutboxItem> EnqueueAsync(string idempotencyKey, string target, string payloadHash, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_outbox.TryGetValue(idempotencyKey, out var existing))
            {
                if (existing.Target != target || existing.PayloadHash != payloadHash)
                    throw new LedgerException(LedgerFailureReason.Conflict, $"{idempotencyKey} was queued for another target or payload");
                return Task.FromResult(existing);
            }
            var now = time.GetUtcNow();
            var item = new OutboxItem(idempotencyKey, target, payloadHash, OutboxStatus.Pending, 0, null, null, now, now);
            _outbox[idempotencyKey] = item;
            return Task.FromResult(item);
        }
    }

    public Task<OutboxItem> MarkSendingAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        UpdateOutbox(idempotencyKey, i => i with { Status = OutboxStatus.Sending });

    public Task<OutboxItem> MarkDeliveredAsync(string idempotencyKey, string receipt, CancellationToken cancellationToken) =>
        UpdateOutbox(idempotencyKey, i => i with { Status = OutboxStatus.Delivered, Attempts = i.Attempts + 1, Receipt = receipt });

    public Task<OutboxItem> MarkFailedAsync(string idempotencyKey, string error, CancellationToken cancellationToken) =>
        UpdateOutbox(idempotencyKey, i => i with { Status = OutboxStatus.Failed, Attempts = i.Attempts + 1, LastError = error });

    public Task<OutboxItem?> GetOutboxItemAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult(_outbox.GetValueOrDefault(idempotencyKey));
    }

    public Task<IReadOnlyList<OutboxItem>> ListOutboxAsync(OutboxStatus? status, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<OutboxItem>>([.. _outbox.Values.Where(i => status is null || i.Status == status).OrderBy(i => i.CreatedAt)]);
    }

    private Task<OutboxItem> UpdateOutbox(string key, Func<OutboxItem, OutboxItem> change)
    {
        lock (_gate)
        {
            if (!_outbox.TryGetValue(key, out var item))
                throw new LedgerException(LedgerFailureReason.NotFound, $"{key} is not in the outbox");
            _outbox[key] = change(item) with { UpdatedAt = time.GetUtcNow() };
            return Task.FromResult(_outbox[key]);
        }
    }
}
