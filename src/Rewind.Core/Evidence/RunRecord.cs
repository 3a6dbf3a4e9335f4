using System.Text.Json;
using System.Text.Json.Nodes;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;

namespace Rewind.Core.Evidence;

/// <summary>
/// Everything the ledger knows about one run, read once: the run, its plan, its journal and whether the journal's
/// hash chain is intact. The checklist and the report are pure functions of it.
/// </summary>
/// <param name="Run">The run.</param>
/// <param name="Plan">The plan the run executed, or null when the stored plan cannot be read.</param>
/// <param name="PlanError">Why the plan cannot be read, when it cannot.</param>
/// <param name="Journal">The journal in seq order, as stored.</param>
/// <param name="ChainBreak">The first broken entry of the journal's hash chain, or null when it is intact.</param>
public sealed record RunRecord(Run Run, RollbackPlan? Plan, string? PlanError, IReadOnlyList<JournalEntry> Journal, ChainBreak? ChainBreak)
{
    /// <summary>Reads a run from the ledger and verifies its chain; null when the ledger has no such run.</summary>
    public static Task<RunRecord?> ReadAsync(ILedger ledger, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        return ReadFromRunsAsync(ledger.Runs, runId, cancellationToken);
    }

    /// <summary>The same from the run store alone (what a step that needs no more of the ledger is given).</summary>
    public static async Task<RunRecord?> ReadFromRunsAsync(IRunStore runs, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var run = await runs.GetRunAsync(runId, cancellationToken);
        if (run is null)
            return null;
        var journal = await runs.ReadJournalAsync(runId, cancellationToken);
        var head = await runs.GetJournalHeadAsync(runId, cancellationToken);
        return From(run, journal, LedgerVerifier.VerifyChain(runId, journal, head));
    }

    /// <summary>Builds the record from what was read; the plan is parsed from the run's stored plan JSON.</summary>
    public static RunRecord From(Run run, IReadOnlyList<JournalEntry> journal, ChainBreak? chainBreak)
    {
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            var plan = EngineJson.DeserializePlan(run.PlanJson);
            // The generated deserializer does not enforce non-null members: a plan missing them is as unreadable as bad JSON.
            if (plan.Service is null || plan.Steps is null || plan.Steps.Any(s => s?.Step is null || s.Summary is null || s.Changes is null || (s.Detail is null && s.Parameters is null)))
                return new RunRecord(run, null, "the stored plan lacks its service or steps", journal, chainBreak);
            return new RunRecord(run, plan, null, journal, chainBreak);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            return new RunRecord(run, null, e.Message, journal, chainBreak);
        }
    }

    /// <summary>Whether the journal's hash chain is intact.</summary>
    public bool IsIntact => ChainBreak is null;

    /// <summary>The steps of the plan, else the steps the journal names (when the plan cannot be read), in order.</summary>
    public IReadOnlyList<string> StepNames => Plan is { } plan
        ? [.. plan.Steps.Select(s => s.Step)]
        : [.. Journal.Where(e => e.Kind is JournalKind.Planned or JournalKind.Started).Select(e => e.Step).Distinct(StringComparer.Ordinal)];

    /// <summary>Whether the plan has a step of this name.</summary>
    public bool Planned(string step) => StepNames.Contains(step, StringComparer.Ordinal);

    /// <summary>
    /// How a step last ended: its last <c>Completed</c> entry, or its last <c>CallFailed</c> entry that carries a step
    /// result (the executor's end of a failed step, not a failed AWS call). Null when the step never ended.
    /// </summary>
    public StepEnd? EndOf(string step)
    {
        for (var i = Journal.Count - 1; i >= 0; i--)
        {
            if (Journal[i].Step == step && StepEnd.TryParse(Journal[i], out var end))
                return end;
        }
        return null;
    }
}

/// <summary>A step's end as the executor journals it: <c>{"status","summary","evidence"}</c>.</summary>
/// <param name="Seq">The journal entry it was read from.</param>
/// <param name="Time">When the step ended.</param>
/// <param name="Status">Succeeded, Skipped, Failed or AwaitingApproval, as journaled.</param>
/// <param name="Summary">The step's one line.</param>
/// <param name="Evidence">The step's typed evidence record (version-1 evidence converted by <see cref="Version1Evidence"/>).</param>
public sealed record StepEnd(long Seq, DateTimeOffset Time, string Status, string Summary, StepEvidence? Evidence)
{
    /// <summary>Whether the step reported success (or that it had nothing to do).</summary>
    public bool Succeeded => Status is nameof(StepStatus.Succeeded) or nameof(StepStatus.Skipped);

    /// <summary>Reads a step end from a journal entry; false for any other entry (a call, a start, a plan).</summary>
    public static bool TryParse(JournalEntry entry, out StepEnd end)
    {
        ArgumentNullException.ThrowIfNull(entry);
        end = null!;
        if (entry.Kind is not (JournalKind.Completed or JournalKind.CallFailed))
            return false;
        JsonObject? detail;
        try
        {
            detail = JsonNode.Parse(entry.Detail) as JsonObject;
        }
        catch (JsonException)
        {
            return false;
        }
        if (detail?["status"] is not JsonValue status || status.GetValueKind() != JsonValueKind.String)
            return false;
        var evidence = ReadEvidence(entry.Step, detail["evidence"] as JsonObject);
        var summary = detail["summary"] is JsonValue s && s.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : "";
        end = new StepEnd(entry.Seq, entry.Time, status.GetValue<string>(), summary, evidence);
        return true;
    }

    /// <summary>
    /// A typed record when the entry names its <c>type</c>; otherwise the flat dictionary journals stored before
    /// typed evidence, converted to the step's record by <see cref="Version1Evidence"/> (or kept as
    /// <see cref="UntypedEvidence"/> for a step it has no record for). Evidence that names a type but cannot be read
    /// is untyped too: the checklist finds no record of the step and says so.
    /// </summary>
    private static StepEvidence? ReadEvidence(string step, JsonObject? values)
    {
        if (values is null)
            return null;
        var typed = values["type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String;
        if (typed)
        {
            try
            {
                return values.Deserialize(EvidenceJson.Default.StepEvidence);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException)
            {
                // Kept as facts below, never converted as version 1: the checklist finds no record of the step.
            }
        }
        var flat = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
            flat[key] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? "";
        if (typed)
            return new UntypedEvidence(flat);
        return Version1Evidence.From(step, flat) ?? new UntypedEvidence(flat);
    }
}
