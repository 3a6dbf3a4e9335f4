using System.Text.Json.Nodes;
using Rewind.Core.Ledger;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>
/// A ledger that "kills the process" right after one chosen journal entry is durably written: it cancels the run's
/// token, so nothing the run would do next happens (the next AWS call or ledger write is refused by the token).
/// Everything else is passed to the real ledger.
/// </summary>
internal sealed class CrashAfterJournalEntry(ILedger inner, string step, JournalKind kind, Func<string, bool> isCall, CancellationTokenSource crash)
    : ILedger, IRunStore
{
    /// <summary>Stops after the entry of exactly <paramref name="call"/>.</summary>
    public CrashAfterJournalEntry(ILedger inner, string step, JournalKind kind, string call, CancellationTokenSource crash)
        : this(inner, step, kind, name => name == call, crash)
    {
    }

    /// <summary>The entry after which the run was stopped, once it has been.</summary>
    public JournalEntry? CrashedAfter { get; private set; }

    public string Location => inner.Location;
    public IReleaseStore Releases => inner.Releases;
    public IRunStore Runs => this;
    public ILeaseStore Leases => inner.Leases;
    public IFreezeStore Freezes => inner.Freezes;
    public IIncidentStore Incidents => inner.Incidents;
    public IOutboxStore Outbox => inner.Outbox;

    public async Task<JournalEntry> AppendJournalAsync(string runId, string stepName, JournalKind entryKind, string detailJson, CancellationToken cancellationToken) =>
        await CrashIfChosenAsync(await inner.Runs.AppendJournalAsync(runId, stepName, entryKind, detailJson, cancellationToken), stepName, entryKind, detailJson);

    public async Task<JournalEntry> AppendFencedJournalAsync(string runId, string stepName, JournalKind entryKind, string detailJson, LeaseFence fence, CancellationToken cancellationToken) =>
        await CrashIfChosenAsync(await inner.Runs.AppendFencedJournalAsync(runId, stepName, entryKind, detailJson, fence, cancellationToken), stepName, entryKind, detailJson);

    private async Task<JournalEntry> CrashIfChosenAsync(JournalEntry entry, string stepName, JournalKind entryKind, string detailJson)
    {
        if (CrashedAfter is null && stepName == step && entryKind == kind && JsonNode.Parse(detailJson)?["call"]?.GetValue<string>() is { } call && isCall(call))
        {
            CrashedAfter = entry;
            await crash.CancelAsync();
        }
        return entry;
    }

    public Task CreateRunAsync(Run run, CancellationToken cancellationToken) => inner.Runs.CreateRunAsync(run, cancellationToken);
    public Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken) => inner.Runs.GetRunAsync(runId, cancellationToken);
    public Task<IReadOnlyList<Run>> ListRunsAsync(string? service, int limit, CancellationToken cancellationToken) => inner.Runs.ListRunsAsync(service, limit, cancellationToken);
    public Task SetRunStatusAsync(string runId, RunStatus status, CancellationToken cancellationToken) => inner.Runs.SetRunStatusAsync(runId, status, cancellationToken);
    public Task SetRunIncidentAsync(string runId, string incidentId, CancellationToken cancellationToken) => inner.Runs.SetRunIncidentAsync(runId, incidentId, cancellationToken);
    public Task<IReadOnlyList<JournalEntry>> ReadJournalAsync(string runId, CancellationToken cancellationToken) => inner.Runs.ReadJournalAsync(runId, cancellationToken);
    public Task<JournalHead> GetJournalHeadAsync(string runId, CancellationToken cancellationToken) => inner.Runs.GetJournalHeadAsync(runId, cancellationToken);

    /// <summary>The real ledger belongs to the test, which disposes it.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
