using System.Text.Json.Nodes;

namespace Rewind.Core.Engine;

/// <summary>What to roll back to, and why that and not another.</summary>
/// <param name="Kind">"release" (a ledger snapshot) or "revision" (a task definition).</param>
/// <param name="Label">What a person reads: "release 1.4.2 (rel-…)" or "claude-proxy-api:41".</param>
/// <param name="Reason">Why it was chosen: "--to", "last known-good release", "ECS deployment history", "next lower ACTIVE revision".</param>
/// <param name="ReleaseId">The ledger release, if the target is one.</param>
/// <param name="TaskDefinitionArn">The task definition to run.</param>
public sealed record RollbackTarget(string Kind, string Label, string Reason, string? ReleaseId, string TaskDefinitionArn)
{
    /// <summary>Other layers recorded with the target release, by name ("secret:ID" → version id, "canary" → "100/0").</summary>
    public IReadOnlyDictionary<string, string> Snapshot { get; init; } = new Dictionary<string, string>();
}

/// <summary>One step's resolved plan: no placeholders, every value the execution will use.</summary>
/// <param name="Step">The step's name.</param>
/// <param name="Stage">When it runs.</param>
/// <param name="Summary">One line: what will change.</param>
/// <param name="Changes">Each change as "current → wanted", for the plan table.</param>
/// <param name="NothingToDo">Live state already matches: the step only verifies.</param>
/// <param name="ExpectedSeconds">How long it usually takes.</param>
/// <param name="DeadlineSeconds">When the executor gives up on it.</param>
/// <param name="Parameters">The resolved values the execution uses (ARNs, weights, ids).</param>
public sealed record StepPlan(
    string Step,
    StepStage Stage,
    string Summary,
    IReadOnlyList<string> Changes,
    bool NothingToDo,
    double ExpectedSeconds,
    double DeadlineSeconds,
    IReadOnlyDictionary<string, string> Parameters)
{
    public string Parameter(string name) =>
        Parameters.TryGetValue(name, out var value) ? value : throw new InvalidOperationException($"plan of step {Step} has no parameter {name}");
}

/// <summary>The whole rollback, resolved. Dry-run renders it, --live executes it, the ledger stores it.</summary>
public sealed record RollbackPlan(string Service, RollbackTarget? Target, DateTimeOffset CreatedAt, IReadOnlyList<StepPlan> Steps)
{
    /// <summary>The stages in order, each with its steps (which run in parallel).</summary>
    public IEnumerable<IGrouping<StepStage, StepPlan>> Stages => Steps.OrderBy(s => s.Stage).GroupBy(s => s.Stage);

    public double ExpectedSeconds => Stages.Sum(stage => stage.Max(step => step.ExpectedSeconds));
}

/// <summary>How a step ended.</summary>
public enum StepStatus { Succeeded, Skipped, Failed, AwaitingApproval }

/// <summary>How a step ended, in one line, with the evidence that proves it.</summary>
public sealed record StepResult(StepStatus Status, string Summary, IReadOnlyDictionary<string, string> Evidence)
{
    public static StepResult Succeeded(string summary, IReadOnlyDictionary<string, string> evidence) => new(StepStatus.Succeeded, summary, evidence);

    public static StepResult Failed(string summary, IReadOnlyDictionary<string, string> evidence) => new(StepStatus.Failed, summary, evidence);

    /// <summary>The step's end as the journal holds it (and <c>StepEnd</c> reads it back): <c>{"status","summary","evidence"}</c>.</summary>
    public JsonObject ToJson() => new()
    {
        ["status"] = Status.ToString(),
        ["summary"] = Summary,
        ["evidence"] = new JsonObject([.. Evidence.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))]),
    };
}
