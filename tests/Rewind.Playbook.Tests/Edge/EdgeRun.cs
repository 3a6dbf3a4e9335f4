using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Tests.Support;

namespace Rewind.Playbook.Tests.Edge;

/// <summary>
/// One service's runs of an edge step (infra, cdn, smoke, verify) through the real executor over the in-memory
/// ledger and a fake clock: plan, start, resume from the stored plan JSON, and the journal.
/// </summary>
internal sealed class EdgeRun
{
    public const string Service = "api";

    private static readonly Operator By = new("test (pid 1)", "host");

    public EdgeRun()
    {
        Ledger = new InMemoryLedger(Time);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));

    public InMemoryLedger Ledger { get; }

    public List<string> Progress { get; } = [];

    /// <summary>The step's plan in a rollback plan of its own, as the ledger stores and reads it back.</summary>
    public async Task<RollbackPlan> PlanAsync(IStep step, CancellationToken cancellationToken)
    {
        var planned = await step.PlanAsync(new PlanningContext(Service, null), cancellationToken);
        return Stored(new RollbackPlan(Service, null, Time.GetUtcNow(), [planned]));
    }

    /// <summary>The plan after a round trip through its stored JSON: what resume reads.</summary>
    public static RollbackPlan Stored(RollbackPlan plan) => EngineJson.DeserializePlan(EngineJson.Serialize(plan));

    /// <summary>
    /// A plan of one step as 418e7ad stored it (schema version 1: no <c>schemaVersion</c>, the step's values as a flat
    /// <c>parameters</c> object), read back by today's reader.
    /// </summary>
    public static RollbackPlan Version1(string step, string stage, IReadOnlyDictionary<string, string> parameters)
    {
        var values = new JsonObject([.. parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]);
        var json = new JsonObject
        {
            ["service"] = Service,
            ["target"] = null,
            ["createdAt"] = "2026-03-02T09:00:00+00:00",
            ["steps"] = new JsonArray(new JsonObject
            {
                ["step"] = step,
                ["stage"] = stage,
                ["summary"] = $"the {step} step",
                ["changes"] = new JsonArray(),
                ["nothingToDo"] = false,
                ["expectedSeconds"] = 1,
                ["deadlineSeconds"] = 900,
                ["parameters"] = values,
            }),
        };
        return EngineJson.DeserializePlan(json.ToJsonString());
    }

    public Task<RunOutcome> StartAsync(IStep step, RollbackPlan plan, CancellationToken cancellationToken) =>
        Executor(step).StartAsync(plan, EngineJson.Serialize(plan), By, cancellationToken);

    /// <summary>Resumes the service's latest run with the plan it stored.</summary>
    public async Task<RunOutcome> ResumeAsync(IStep step, CancellationToken cancellationToken)
    {
        var run = await LatestRunAsync(cancellationToken);
        return await Executor(step).ResumeAsync(run, EngineJson.DeserializePlan(run.PlanJson), By, cancellationToken);
    }

    public async Task<Run> LatestRunAsync(CancellationToken cancellationToken) =>
        (await Ledger.ListRunsAsync(Service, 1, cancellationToken)).Single();

    public async Task<IReadOnlyList<JournalEntry>> JournalAsync(CancellationToken cancellationToken) =>
        await Ledger.ReadJournalAsync((await LatestRunAsync(cancellationToken)).Id, cancellationToken);

    private RunExecutor Executor(IStep step) => new(Ledger, [step], new Observer(Progress), Time);

    private sealed class Observer(List<string> progress) : IRunObserver
    {
        public void StepStarted(StepPlan step)
        {
        }

        public void StepProgress(string step, string message)
        {
            lock (progress)
                progress.Add(message);
        }

        public void StepFinished(StepPlan step, StepResult result, TimeSpan duration)
        {
        }
    }
}
