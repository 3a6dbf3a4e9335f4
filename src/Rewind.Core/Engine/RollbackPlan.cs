using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Rewind.Core.Evidence;

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
/// <param name="Detail">
/// The step's own typed plan (a record of the step's, e.g. <c>EcsPlan</c>), serialised by the step's source-generated
/// context: written with <see cref="Of{T}"/>, read back by that step alone with <see cref="Read{T}"/>.
/// </param>
public sealed record StepPlan(
    string Step,
    StepStage Stage,
    string Summary,
    IReadOnlyList<string> Changes,
    bool NothingToDo,
    double ExpectedSeconds,
    double DeadlineSeconds,
    JsonObject? Detail)
{
    /// <summary>
    /// A plan stored before typed plans (schema version 1, 418e7ad): the step's values as a flat name → value
    /// dictionary. Only a step's version-1 reader looks at it; new plans leave it null.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    /// <summary>
    /// Transitional, until every step has its plan record: the flat version-1 form. Internal (visible to the projects
    /// that still use it) so that the JSON reader sees one public constructor.
    /// </summary>
    internal StepPlan(
        string Step, StepStage Stage, string Summary, IReadOnlyList<string> Changes, bool NothingToDo, double ExpectedSeconds, double DeadlineSeconds,
        IReadOnlyDictionary<string, string> Parameters)
        : this(Step, Stage, Summary, Changes, NothingToDo, ExpectedSeconds, DeadlineSeconds, (JsonObject?)null) => this.Parameters = Parameters;

    /// <summary>Transitional: a version-1 parameter.</summary>
    public string Parameter(string name) =>
        Parameters is not null && Parameters.TryGetValue(name, out var value) ? value : throw new InvalidOperationException($"plan of step {Step} has no parameter {name}");

    /// <summary>A step's plan with its typed detail.</summary>
    public static StepPlan Of<T>(
        string step, StepStage stage, string summary, IReadOnlyList<string> changes, bool nothingToDo, double expectedSeconds, double deadlineSeconds,
        T detail, JsonTypeInfo<T> type) =>
        new(step, stage, summary, changes, nothingToDo, expectedSeconds, deadlineSeconds,
            JsonSerializer.SerializeToNode(detail, type) as JsonObject ?? throw new InvalidOperationException($"the plan of step {step} is not a JSON object"));

    /// <summary>
    /// The step's typed plan: from <see cref="Detail"/>, or for a version-1 plan from its <see cref="Parameters"/>
    /// through <paramref name="fromVersion1"/>. A plan with neither (or of another shape) is a clear error.
    /// </summary>
    public T Read<T>(JsonTypeInfo<T> type, Func<IReadOnlyDictionary<string, string>, T>? fromVersion1 = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (Detail is not null)
        {
            try
            {
                return Detail.Deserialize(type) ?? throw new InvalidOperationException($"the stored plan of step {Step} is empty");
            }
            catch (JsonException e)
            {
                throw new InvalidOperationException($"the stored plan of step {Step} cannot be read ({e.Message})", e);
            }
        }
        if (Parameters is not null && fromVersion1 is not null)
            return fromVersion1(Parameters);
        throw new InvalidOperationException($"the stored plan of step {Step} has no {typeof(T).Name}");
    }
}

/// <summary>The whole rollback, resolved. Dry-run renders it, --live executes it, the ledger stores it.</summary>
public sealed record RollbackPlan(string Service, RollbackTarget? Target, DateTimeOffset CreatedAt, IReadOnlyList<StepPlan> Steps)
{
    /// <summary>The shape of the stored plan: 2 since typed step plans; a stored plan without the field is version 1.</summary>
    public const int CurrentSchemaVersion = 2;

    /// <summary>The stored plan's schema version (<see cref="EngineJson.DeserializePlan"/> reads 1 when it is absent).</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>
    /// The run this plan undoes (<c>rewind undo RUN</c>): its steps restore what that run replaced. Null for every other
    /// plan, and absent from plans stored before undo existed.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Undoes { get; init; }

    /// <summary>What the plan deliberately leaves out, one line each (an undo's steps of the undone run it does not invert); null for none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Notes { get; init; }

    /// <summary>The stages in order, each with its steps (which run in parallel).</summary>
    public IEnumerable<IGrouping<StepStage, StepPlan>> Stages => Steps.OrderBy(s => s.Stage).GroupBy(s => s.Stage);

    public double ExpectedSeconds => Stages.Sum(stage => stage.Max(step => step.ExpectedSeconds));
}

/// <summary>How a step ended.</summary>
public enum StepStatus { Succeeded, Skipped, Failed, AwaitingApproval }

/// <summary>How a step ended, in one line, with the typed evidence that proves it.</summary>
public sealed record StepResult(StepStatus Status, string Summary, StepEvidence? Evidence)
{
    public static StepResult Succeeded(string summary, StepEvidence evidence) => new(StepStatus.Succeeded, summary, evidence);

    public static StepResult Failed(string summary, StepEvidence evidence) => new(StepStatus.Failed, summary, evidence);

    /// <summary>Transitional, until every step has its evidence record: a flat dictionary, journaled in the version-1 form.</summary>
    public StepResult(StepStatus status, string summary, IReadOnlyDictionary<string, string> evidence)
        : this(status, summary, new UntypedEvidence(evidence))
    {
    }

    /// <summary>Transitional, see the dictionary constructor.</summary>
    public static StepResult Succeeded(string summary, IReadOnlyDictionary<string, string> evidence) => new(StepStatus.Succeeded, summary, evidence);

    /// <summary>Transitional, see the dictionary constructor.</summary>
    public static StepResult Failed(string summary, IReadOnlyDictionary<string, string> evidence) => new(StepStatus.Failed, summary, evidence);

    /// <summary>
    /// The step's end as the journal holds it (and <c>StepEnd</c> reads it back): <c>{"status","summary","evidence"}</c>,
    /// the evidence a typed record with its <c>type</c> (a flat dictionary for <see cref="UntypedEvidence"/>).
    /// </summary>
    public JsonObject ToJson() => new()
    {
        ["status"] = Status.ToString(),
        ["summary"] = Summary,
        ["evidence"] = Evidence switch
        {
            null => null,
            UntypedEvidence untyped => new JsonObject([.. untyped.Values.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))]),
            var typed => JsonSerializer.SerializeToNode(typed, EvidenceJson.Default.StepEvidence),
        },
    };
}
