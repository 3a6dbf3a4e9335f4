using Microsoft.Extensions.Time.Testing;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Tests.Support;

namespace Rewind.Playbook.Tests.Fakes;


/// <summary>
/// The incidents the incident commands' steps change, in memory: every write is counted, and a test can make the next
/// write fail, or "kill the process" just before or just after it lands.
/// </summary>
internal sealed class FakeIncidentStore : IIncidentStore
{
    private readonly Dictionary<string, Core.Ledger.Incident> _incidents = new(StringComparer.Ordinal);

    /// <summary>Each write that landed: "UpdateIncident INC-0001".</summary>
    public List<string> Writes { get; } = [];

    /// <summary>Runs before the next write; may throw (a refusal, a kill before the write).</summary>
    public Action? BeforeWrite { get; set; }

    /// <summary>Runs after the next write landed; may throw (a kill before its answer is journaled).</summary>
    public Action? AfterWrite { get; set; }

    public void Add(Core.Ledger.Incident incident) => _incidents[incident.Id] = incident;

    public Core.Ledger.Incident this[string id] => _incidents[id];

    public void Remove(string id) => _incidents.Remove(id);

    public Task<Core.Ledger.Incident> OpenIncidentAsync(IncidentDraft draft, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the incident commands' steps never open an incident");

    public Task<Core.Ledger.Incident?> GetIncidentAsync(string incidentId, CancellationToken cancellationToken) =>
        Task.FromResult(_incidents.GetValueOrDefault(incidentId));

    public Task<IReadOnlyList<Core.Ledger.Incident>> ListIncidentsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Core.Ledger.Incident>>([.. _incidents.Values]);

    public Task<Core.Ledger.Incident> UpdateIncidentAsync(string incidentId, Func<Core.Ledger.Incident, Core.Ledger.Incident> change, CancellationToken cancellationToken)
    {
        var before = BeforeWrite;
        BeforeWrite = null;
        before?.Invoke();
        var stored = _incidents[incidentId] = change(_incidents[incidentId]);
        Writes.Add($"UpdateIncident {incidentId}");
        var after = AfterWrite;
        AfterWrite = null;
        after?.Invoke();
        return Task.FromResult(stored);
    }
}

/// <summary>The releases the override step records, in memory, with the same hooks as <see cref="FakeIncidentStore"/>.</summary>
internal sealed class FakeReleaseStore : IReleaseStore
{
    private readonly Dictionary<string, Release> _releases = new(StringComparer.Ordinal);

    /// <summary>Each release recorded, in order.</summary>
    public List<Release> Recorded { get; } = [];

    /// <summary>Reads by id, in order: a resumed step re-reads before it records again.</summary>
    public List<string> Reads { get; } = [];

    public Action? BeforeWrite { get; set; }

    public Action? AfterWrite { get; set; }

    public Task RecordReleaseAsync(Release release, CancellationToken cancellationToken)
    {
        var before = BeforeWrite;
        BeforeWrite = null;
        before?.Invoke();
        _releases.Add(release.Id, release);
        Recorded.Add(release);
        var after = AfterWrite;
        AfterWrite = null;
        after?.Invoke();
        return Task.CompletedTask;
    }

    public Task<Release?> GetReleaseAsync(string releaseId, CancellationToken cancellationToken)
    {
        Reads.Add(releaseId);
        return Task.FromResult(_releases.GetValueOrDefault(releaseId));
    }

    public Task<IReadOnlyList<Release>> ListReleasesAsync(string? service, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Release>>([.. _releases.Values.Where(r => service is null || r.Service == service).Take(limit)]);

    public Task SetReleaseStatusAsync(string releaseId, ReleaseStatus status, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the override step never changes a release's status");
}

/// <summary>
/// One command step run as <c>rewind</c> runs it: planned, then executed by <see cref="RunExecutor"/> over an
/// <see cref="InMemoryLedger"/>, killed on demand (the kill token) and resumed by a fresh executor.
/// </summary>
internal sealed class CommandRun
{
    private readonly string _service;

    public CommandRun(string service)
    {
        _service = service;
        Ledger = new InMemoryLedger(Clock);
    }

    public static readonly Operator Alice = Operator.Of("alice", 100, "laptop-1");

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));

    public InMemoryLedger Ledger { get; }

    /// <summary>Cancelled by a kill: the run's own token, as Ctrl-C or a dead process would leave it.</summary>
    public CancellationTokenSource Kill { get; } = new();

    /// <summary>An action for a store hook: cancels the run and throws, as a process killed at that point.</summary>
    public Action Killing => () =>
    {
        Kill.Cancel();
        Kill.Token.ThrowIfCancellationRequested();
    };

    public Task<RollbackPlan> PlanAsync(IStep step, RollbackTarget? target = null) =>
        new RollbackPlanner([step], Clock).PlanAsync(_service, target, StepSelection.All, TestCancellation);

    public async Task<RunOutcome> ExecuteAsync(IStep step, RollbackPlan plan)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(Kill.Token, TestCancellation);
        return await new RunExecutor(Ledger, [step], new SilentObserver(), Clock).StartAsync(plan, EngineJson.Serialize(plan), Alice, linked.Token);
    }

    /// <summary>Continues the service's only run with <paramref name="step"/>, built as <c>rewind resume</c> builds it.</summary>
    public async Task<RunOutcome> ResumeAsync(IStep step)
    {
        var run = (await Ledger.ListRunsAsync(_service, 10, TestCancellation)).Single();
        var plan = EngineJson.DeserializePlan(run.PlanJson);
        return await new RunExecutor(Ledger, [step], new SilentObserver(), Clock).ResumeAsync(run, plan, Alice, TestCancellation);
    }

    public async Task<IReadOnlyList<JournalEntry>> JournalAsync() =>
        await Ledger.ReadJournalAsync((await Ledger.ListRunsAsync(_service, 10, TestCancellation)).Single().Id, TestCancellation);

    private static CancellationToken TestCancellation => Xunit.TestContext.Current.CancellationToken;

    private sealed class SilentObserver : IRunObserver
    {
        public void StepStarted(StepPlan step)
        {
        }

        public void StepProgress(string step, string message)
        {
        }

        public void StepFinished(StepPlan step, StepResult result, TimeSpan duration)
        {
        }
    }
}
