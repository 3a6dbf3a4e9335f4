using Rewind.Core.Ledger;

namespace Rewind.Tests.Support;

/// <summary>
/// Just the runs and the leases a <see cref="Core.Engine.RunExecutor"/> uses, in memory, with the same lease and fencing
/// rules as the real backends (generation, holder); the process stores are in InMemoryLedger.Process.cs, releases are not part of these tests.
/// </summary>
internal sealed partial class InMemoryLedger(TimeProvider time) : ILedger, IRunStore, ILeaseStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Run> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<JournalEntry>> _journals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.Ordinal);

    public string Location => "memory";
    public IRunStore Runs => this;
    public ILeaseStore Leases => this;
    public IReleaseStore Releases => throw new NotSupportedException();

    /// <summary>Removes the service's lease as if another tool deleted it.</summary>
    public void DropLease(string service)
    {
        lock (_gate)
            _leases.Remove(service);
    }

    public Task CreateRunAsync(Run run, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _runs.Add(run.Id, run);
            _journals.Add(run.Id, []);
        }
        return Task.CompletedTask;
    }

    public Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult(_runs.GetValueOrDefault(runId));
    }

    public Task<IReadOnlyList<Run>> ListRunsAsync(string? service, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<Run>>([.. _runs.Values.Where(r => service is null || r.Service == service).OrderByDescending(r => r.StartedAt).Take(limit)]);
    }

    public Task SetRunStatusAsync(string runId, RunStatus status, CancellationToken cancellationToken)
    {
        lock (_gate)
            _runs[runId] = _runs[runId] with { Status = status };
        return Task.CompletedTask;
    }

    public Task SetRunIncidentAsync(string runId, string incidentId, CancellationToken cancellationToken)
    {
        lock (_gate)
            _runs[runId] = _runs[runId] with { IncidentId = incidentId };
        return Task.CompletedTask;
    }

    public Task<JournalEntry> AppendJournalAsync(string runId, string step, JournalKind kind, string detailJson, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult(Append(runId, step, kind, detailJson));
    }

    public Task<JournalEntry> AppendFencedJournalAsync(string runId, string step, JournalKind kind, string detailJson, LeaseFence fence, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var stored = _leases.GetValueOrDefault(fence.Service);
            return fence.IsHeldBy(stored) ? Task.FromResult(Append(runId, step, kind, detailJson)) : throw new LeaseLostException(fence, stored);
        }
    }

    public Task<IReadOnlyList<JournalEntry>> ReadJournalAsync(string runId, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<JournalEntry>>([.. _journals[runId]]);
    }

    public Task<JournalHead> GetJournalHeadAsync(string runId, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult(_journals[runId] is [.., var last] ? new JournalHead(last.Seq, last.Hash) : JournalChain.EmptyHead);
    }

    public Task<LeaseAttempt> TryAcquireAsync(string service, string owner, string host, TimeSpan ttl, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_leases.GetValueOrDefault(service) is { } current && !current.IsExpiredAt(now))
                return Task.FromResult(new LeaseAttempt(false, current));
            var lease = new Lease(service, owner, host, now, now + ttl, (_leases.GetValueOrDefault(service)?.Generation ?? 0) + 1);
            _leases[service] = lease;
            return Task.FromResult(new LeaseAttempt(true, lease));
        }
    }

    public Task<Lease> RenewAsync(string service, string owner, string host, TimeSpan ttl, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var current = _leases.GetValueOrDefault(service)
                ?? throw new LedgerException(LedgerFailureReason.NotFound, $"no lease on {service} to renew");
            if (!current.IsHeldBy(owner, host))
                throw new LedgerException(LedgerFailureReason.Conflict, $"the lease on {service} is held by {current.Owner}");
            return Task.FromResult(_leases[service] = current with { ExpiresAt = time.GetUtcNow() + ttl });
        }
    }

    public Task<bool> ReleaseAsync(string service, string owner, string host, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult(_leases.GetValueOrDefault(service) is { } current && current.IsHeldBy(owner, host) && _leases.Remove(service));
    }

    public Task<LeaseTakeover> TakeOverAsync(string service, string owner, string host, TimeSpan ttl, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var previous = _leases.GetValueOrDefault(service);
            var now = time.GetUtcNow();
            var lease = new Lease(service, owner, host, now, now + ttl, (previous?.Generation ?? 0) + 1);
            _leases[service] = lease;
            return Task.FromResult(new LeaseTakeover(lease, previous));
        }
    }

    public Task<Lease?> GetLeaseAsync(string service, CancellationToken cancellationToken)
    {
        lock (_gate)
            return Task.FromResult(_leases.GetValueOrDefault(service));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private JournalEntry Append(string runId, string step, JournalKind kind, string detailJson)
    {
        var journal = _journals[runId];
        var head = journal is [.., var last] ? new JournalHead(last.Seq, last.Hash) : JournalChain.EmptyHead;
        var entry = JournalChain.Next(head, runId, time.GetUtcNow(), step, kind, detailJson);
        journal.Add(entry);
        return entry;
    }
}
