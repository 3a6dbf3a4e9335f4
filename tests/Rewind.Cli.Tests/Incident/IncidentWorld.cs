using Microsoft.Extensions.Time.Testing;
using Rewind.Cli.Playbook;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Ledger.Sqlite;
using Rewind.Playbook.Incident;
using Xunit;

namespace Rewind.Cli.Tests.Incident;

/// <summary>A temporary ledger on a fake clock, a drafts folder and an environment of its own, for the incident step.</summary>
public sealed class IncidentWorld : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 9, 15, 0, TimeSpan.Zero);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-incident-");

    private IncidentWorld(SqliteLedger ledger, FakeTimeProvider clock)
    {
        Ledger = ledger;
        Clock = clock;
    }

    public SqliteLedger Ledger { get; }
    public FakeTimeProvider Clock { get; }
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);
    public string Folder => _folder.FullName;
    public string DraftsDir => Path.Combine(Folder, "postmortems");

    public static async Task<IncidentWorld> CreateAsync(CancellationToken cancellationToken)
    {
        var clock = new FakeTimeProvider(Start);
        var folder = Path.Combine(Path.GetTempPath(), $"rewind-incident-ledger-{Guid.NewGuid():N}.db");
        var ledger = await SqliteLedger.OpenAsync(folder, clock, cancellationToken);
        return new IncidentWorld(ledger, clock);
    }

    /// <summary>The configuration with the given <c>incident:</c> section body (YAML lines indented by two).</summary>
    public RewindConfig Config(string incidentYaml = "") =>
        RewindConfigLoader.Parse($"incident:\n  drafts_dir: {DraftsDir}\n{incidentYaml}", "test.yaml", _ => null);

    public IncidentStep Step(RewindConfig config, IncidentSettings? settings = null) =>
        PlaybookSteps.Incident(config, Ledger, settings ?? PlaybookSteps.IncidentDefaults(config) with { Operator = "operator-on-shift" },
            name => Environment.GetValueOrDefault(name), Clock);

    /// <summary>Plans and runs the step as <c>rewind run</c> would (executor, journal, lock).</summary>
    public async Task<RunOutcome> RunAsync(IncidentStep step, CancellationToken cancellationToken)
    {
        var plan = await new RollbackPlanner([step], Clock).PlanAsync("api", null, StepSelection.All, cancellationToken);
        return await new RunExecutor(Ledger, [step], new SilentObserver(), Clock).StartAsync(plan, EngineJson.Serialize(plan), new Operator("test", "host"), cancellationToken);
    }

    /// <summary>Continues an interrupted run with a freshly built step (a new process after a crash).</summary>
    public async Task<RunOutcome> ResumeAsync(IncidentStep step, string runId, CancellationToken cancellationToken)
    {
        var run = await Ledger.Runs.GetRunAsync(runId, cancellationToken) ?? throw new InvalidOperationException(runId);
        return await new RunExecutor(Ledger, [step], new SilentObserver(), Clock).ResumeAsync(run, EngineJson.DeserializePlan(run.PlanJson), new Operator("test", "host"), cancellationToken);
    }

    public static TicketOpened EvidenceOf(RunOutcome outcome) =>
        Assert.IsType<TicketOpened>(outcome.Steps.Single(s => s.Step.Step == "incident").Result.Evidence);

    /// <summary>The tickets as one line: "ledger" when the incident is in the ledger only.</summary>
    public static string TicketOf(TicketOpened evidence) => evidence.Tickets.Count == 0 ? "ledger" : string.Join(", ", evidence.Tickets.Select(t => t.Display));

    public async ValueTask DisposeAsync()
    {
        var path = Ledger.Location;
        await Ledger.DisposeAsync();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            File.Delete(file);
        _folder.Delete(recursive: true);
    }

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
