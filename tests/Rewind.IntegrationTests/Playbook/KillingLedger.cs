using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rewind.Core.Ledger;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>Where a run is killed, relative to the journal entry that names the crash point.</summary>
internal enum KillMode
{
    /// <summary>Right after the entry is durable: its append writes it, then the process is gone (a CallSent's request is never sent).</summary>
    AfterEntry,

    /// <summary>
    /// For a CallSent: the append returns, the request goes out and its answer arrives, and the process is gone just
    /// before that call's CallSucceeded (or CallFailed) is written: the window between a send and its record.
    /// </summary>
    AfterRequestSent,
}

/// <summary>One journal entry of a run, named so that it can be found again in another run of the same plan.</summary>
/// <param name="Call">The entry's <c>call</c>, with run and freeze ids replaced by <c>RUN</c> and <c>FREEZE</c>; empty for entries without one.</param>
/// <param name="Occurrence">How many entries with the same step, kind and call came before it (0 for the first).</param>
internal sealed partial record JournalPoint(string Step, JournalKind Kind, string Call, int Occurrence)
{
    public override string ToString() =>
        $"{Step} {Kind}{(Call.Length > 0 ? " " + Call : "")}{(Occurrence > 0 ? $" #{Occurrence + 1}" : "")}";

    /// <summary>Names every entry of a journal, in seq order.</summary>
    public static IReadOnlyList<JournalPoint> Of(IEnumerable<JournalEntry> journal)
    {
        var seen = new Dictionary<(string, JournalKind, string), int>();
        var points = new List<JournalPoint>();
        foreach (var entry in journal.OrderBy(e => e.Seq))
        {
            var call = CallOf(entry.Detail);
            var key = (entry.Step, entry.Kind, call);
            var occurrence = seen.GetValueOrDefault(key);
            seen[key] = occurrence + 1;
            points.Add(new JournalPoint(entry.Step, entry.Kind, call, occurrence));
        }
        return points;
    }

    /// <summary>The text with the ids that differ from world to world (runs, freezes) replaced by their kind.</summary>
    public static string Anonymous(string text) =>
        LedgerId().Replace(text, match => match.Groups["kind"].Value == "run" ? "RUN" : "FREEZE");

    public static string CallOf(string detailJson)
    {
        try
        {
            return Anonymous(JsonNode.Parse(detailJson)?["call"]?.GetValue<string>() ?? "");
        }
        catch (System.Text.Json.JsonException)
        {
            return "";
        }
    }

    [GeneratedRegex(@"\b(?<kind>run|frz)-\d{8}-\d{6}-[0-9a-f]{4}\b")]
    private static partial Regex LedgerId();
}

/// <summary>
/// A ledger that kills the process it serves, as faithfully as an in-process test can: once the chosen journal point
/// is reached (see <see cref="KillMode"/>), it cancels the command's token and from then on every call to any store
/// throws, writes and reads alike (journal appends, status changes, lease renewals and releases, outbox marks,
/// incidents, freezes): a process killed with SIGKILL writes nothing more. Whatever was written before stays, as it
/// would on disk. Each store forwards through <see cref="Alive{T}(Func{Task{T}})"/>, so a method added to a store
/// interface later is one forwarding line (the compiler asks for it).
/// </summary>
internal sealed class KillingLedger : ILedger
{
    private readonly ILedger _inner;
    private readonly JournalPoint _point;
    private readonly KillMode _mode;
    private readonly CancellationTokenSource _kill;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string, JournalKind, string), int> _seen = [];
    private string? _sentCall;
    private long _lastTouch = Stopwatch.GetTimestamp();

    public KillingLedger(ILedger inner, JournalPoint point, KillMode mode, CancellationTokenSource kill)
    {
        _inner = inner;
        _point = point;
        _mode = mode;
        _kill = kill;
        Runs = new RunStore(this);
        Releases = new ReleaseStore(this);
        Leases = new LeaseStore(this);
        Freezes = new FreezeStore(this);
        Incidents = new IncidentStore(this);
        Outbox = new OutboxStore(this);
    }

    /// <summary>The entry the point named, once the run reached it.</summary>
    public JournalEntry? Reached { get; private set; }

    /// <summary>Whether the process is "dead": nothing more reaches the ledger.</summary>
    public bool Killed { get; private set; }

    /// <summary>How many calls were refused after the kill (background work included).</summary>
    public int Refused { get; private set; }

    public string Location => _inner.Location;
    public IRunStore Runs { get; }
    public IReleaseStore Releases { get; }
    public ILeaseStore Leases { get; }
    public IFreezeStore Freezes { get; }
    public IIncidentStore Incidents { get; }
    public IOutboxStore Outbox { get; }

    /// <summary>Completes once nothing has called the ledger for <paramref name="quiet"/>: background work of the dead process has given up.</summary>
    public async Task QuietAsync(TimeSpan quiet, CancellationToken cancellationToken)
    {
        while (Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastTouch)) < quiet)
            await Task.Delay(quiet / 4, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // The real ledger is closed like a dead process's file: whatever was committed stays.
        await _inner.DisposeAsync();
    }

    private void Touch()
    {
        Interlocked.Exchange(ref _lastTouch, Stopwatch.GetTimestamp());
        lock (_gate)
        {
            if (!Killed)
                return;
            Refused++;
        }
        throw new OperationCanceledException("the process was killed", _kill.Token);
    }

    private void Kill()
    {
        lock (_gate)
            Killed = true;
        _kill.Cancel();
    }

    private async Task<T> Alive<T>(Func<Task<T>> call)
    {
        Touch();
        return await call();
    }

    private async Task Alive(Func<Task> call)
    {
        Touch();
        await call();
    }

    private async Task<JournalEntry> AppendAsync(string step, JournalKind kind, string detailJson, Func<Task<JournalEntry>> write)
    {
        Touch();
        var call = JournalPoint.CallOf(detailJson);
        bool reached;
        lock (_gate)
        {
            if (_sentCall is not null && step == _point.Step && kind is JournalKind.CallSucceeded or JournalKind.CallFailed && call == _sentCall)
            {
                // Mode B: the request went out and its answer came back; the record of it never reaches the disk.
                Killed = true;
                Refused++;
                _sentCall = null;
            }
            var key = (step, kind, call);
            var occurrence = _seen.GetValueOrDefault(key);
            _seen[key] = occurrence + 1;
            reached = Reached is null && !Killed && new JournalPoint(step, kind, call, occurrence) == _point;
        }
        if (Killed)
        {
            await _kill.CancelAsync();
            throw new OperationCanceledException("the process was killed", _kill.Token);
        }
        var entry = await write();
        if (!reached)
            return entry;
        Reached = entry;
        if (_mode == KillMode.AfterRequestSent && kind == JournalKind.CallSent)
        {
            lock (_gate)
                _sentCall = call;
            return entry;
        }
        Kill();
        throw new OperationCanceledException("the process was killed", _kill.Token);
    }

    private sealed class RunStore(KillingLedger ledger) : IRunStore
    {
        private readonly IRunStore _inner = ledger._inner.Runs;

        public Task<JournalEntry> AppendJournalAsync(string runId, string step, JournalKind kind, string detailJson, CancellationToken cancellationToken) =>
            ledger.AppendAsync(step, kind, detailJson, () => _inner.AppendJournalAsync(runId, step, kind, detailJson, cancellationToken));

        public Task<JournalEntry> AppendFencedJournalAsync(string runId, string step, JournalKind kind, string detailJson, LeaseFence fence, CancellationToken cancellationToken) =>
            ledger.AppendAsync(step, kind, detailJson, () => _inner.AppendFencedJournalAsync(runId, step, kind, detailJson, fence, cancellationToken));

        public Task CreateRunAsync(Run run, CancellationToken cancellationToken) => ledger.Alive(() => _inner.CreateRunAsync(run, cancellationToken));
        public Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken) => ledger.Alive(() => _inner.GetRunAsync(runId, cancellationToken));
        public Task<IReadOnlyList<Run>> ListRunsAsync(string? service, int limit, CancellationToken cancellationToken) => ledger.Alive(() => _inner.ListRunsAsync(service, limit, cancellationToken));
        public Task SetRunStatusAsync(string runId, RunStatus status, CancellationToken cancellationToken) => ledger.Alive(() => _inner.SetRunStatusAsync(runId, status, cancellationToken));
        public Task SetRunIncidentAsync(string runId, string incidentId, CancellationToken cancellationToken) => ledger.Alive(() => _inner.SetRunIncidentAsync(runId, incidentId, cancellationToken));
        public Task<IReadOnlyList<JournalEntry>> ReadJournalAsync(string runId, CancellationToken cancellationToken) => ledger.Alive(() => _inner.ReadJournalAsync(runId, cancellationToken));
        public Task<JournalHead> GetJournalHeadAsync(string runId, CancellationToken cancellationToken) => ledger.Alive(() => _inner.GetJournalHeadAsync(runId, cancellationToken));
    }

    private sealed class ReleaseStore(KillingLedger ledger) : IReleaseStore
    {
        private readonly IReleaseStore _inner = ledger._inner.Releases;

        public Task RecordReleaseAsync(Release release, CancellationToken cancellationToken) => ledger.Alive(() => _inner.RecordReleaseAsync(release, cancellationToken));
        public Task<Release?> GetReleaseAsync(string releaseId, CancellationToken cancellationToken) => ledger.Alive(() => _inner.GetReleaseAsync(releaseId, cancellationToken));
        public Task<IReadOnlyList<Release>> ListReleasesAsync(string? service, int limit, CancellationToken cancellationToken) => ledger.Alive(() => _inner.ListReleasesAsync(service, limit, cancellationToken));
        public Task SetReleaseStatusAsync(string releaseId, ReleaseStatus status, CancellationToken cancellationToken) => ledger.Alive(() => _inner.SetReleaseStatusAsync(releaseId, status, cancellationToken));
    }

    private sealed class LeaseStore(KillingLedger ledger) : ILeaseStore
    {
        private readonly ILeaseStore _inner = ledger._inner.Leases;

        public Task<LeaseAttempt> TryAcquireAsync(string service, string owner, string host, TimeSpan ttl, CancellationToken cancellationToken) => ledger.Alive(() => _inner.TryAcquireAsync(service, owner, host, ttl, cancellationToken));
        public Task<Lease> RenewAsync(string service, string owner, string host, TimeSpan ttl, CancellationToken cancellationToken) => ledger.Alive(() => _inner.RenewAsync(service, owner, host, ttl, cancellationToken));
        public Task<bool> ReleaseAsync(string service, string owner, string host, CancellationToken cancellationToken) => ledger.Alive(() => _inner.ReleaseAsync(service, owner, host, cancellationToken));
        public Task<LeaseTakeover> TakeOverAsync(string service, string owner, string host, TimeSpan ttl, CancellationToken cancellationToken) => ledger.Alive(() => _inner.TakeOverAsync(service, owner, host, ttl, cancellationToken));
        public Task<Lease?> GetLeaseAsync(string service, CancellationToken cancellationToken) => ledger.Alive(() => _inner.GetLeaseAsync(service, cancellationToken));
    }

    private sealed class FreezeStore(KillingLedger ledger) : IFreezeStore
    {
        private readonly IFreezeStore _inner = ledger._inner.Freezes;

        public Task<Freeze> FreezeAsync(string scope, string reason, string? incidentId, string frozenBy, CancellationToken cancellationToken) => ledger.Alive(() => _inner.FreezeAsync(scope, reason, incidentId, frozenBy, cancellationToken));
        public Task<Freeze> LiftAsync(string scope, string liftedBy, string rootCause, CancellationToken cancellationToken) => ledger.Alive(() => _inner.LiftAsync(scope, liftedBy, rootCause, cancellationToken));
        public Task<IReadOnlyList<Freeze>> GetActiveFreezesAsync(string? service, CancellationToken cancellationToken) => ledger.Alive(() => _inner.GetActiveFreezesAsync(service, cancellationToken));
        public Task<IReadOnlyList<Freeze>> ListFreezesAsync(CancellationToken cancellationToken) => ledger.Alive(() => _inner.ListFreezesAsync(cancellationToken));
    }

    private sealed class IncidentStore(KillingLedger ledger) : IIncidentStore
    {
        private readonly IIncidentStore _inner = ledger._inner.Incidents;

        public Task<Incident> OpenIncidentAsync(IncidentDraft draft, CancellationToken cancellationToken) => ledger.Alive(() => _inner.OpenIncidentAsync(draft, cancellationToken));
        public Task<Incident?> GetIncidentAsync(string incidentId, CancellationToken cancellationToken) => ledger.Alive(() => _inner.GetIncidentAsync(incidentId, cancellationToken));
        public Task<IReadOnlyList<Incident>> ListIncidentsAsync(CancellationToken cancellationToken) => ledger.Alive(() => _inner.ListIncidentsAsync(cancellationToken));
        public Task<Incident> UpdateIncidentAsync(string incidentId, Func<Incident, Incident> change, CancellationToken cancellationToken) => ledger.Alive(() => _inner.UpdateIncidentAsync(incidentId, change, cancellationToken));
    }

    private sealed class OutboxStore(KillingLedger ledger) : IOutboxStore
    {
        private readonly IOutboxStore _inner = ledger._inner.Outbox;

        public Task<OutboxItem> EnqueueAsync(string idempotencyKey, string target, string payloadHash, CancellationToken cancellationToken) => ledger.Alive(() => _inner.EnqueueAsync(idempotencyKey, target, payloadHash, cancellationToken));
        public Task<OutboxItem> MarkSendingAsync(string idempotencyKey, CancellationToken cancellationToken) => ledger.Alive(() => _inner.MarkSendingAsync(idempotencyKey, cancellationToken));
        public Task<OutboxItem> MarkDeliveredAsync(string idempotencyKey, string receipt, CancellationToken cancellationToken) => ledger.Alive(() => _inner.MarkDeliveredAsync(idempotencyKey, receipt, cancellationToken));
        public Task<OutboxItem> MarkFailedAsync(string idempotencyKey, string error, CancellationToken cancellationToken) => ledger.Alive(() => _inner.MarkFailedAsync(idempotencyKey, error, cancellationToken));
        public Task<OutboxItem?> GetOutboxItemAsync(string idempotencyKey, CancellationToken cancellationToken) => ledger.Alive(() => _inner.GetOutboxItemAsync(idempotencyKey, cancellationToken));
        public Task<IReadOnlyList<OutboxItem>> ListOutboxAsync(OutboxStatus? status, CancellationToken cancellationToken) => ledger.Alive(() => _inner.ListOutboxAsync(status, cancellationToken));
    }
}
