using System.Text.Json.Serialization;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;

namespace Rewind.Core.Reports;

/// <summary>
/// The rollback report of one run: the plan, the timeline of every step, each step's evidence, the checklist and the
/// journal itself with its hash-chain verification. Markdown, HTML and JSON render this one object
/// (<c>docs/report.schema.json</c> describes the JSON).
/// </summary>
public sealed record RollbackReport(
    int ReportVersion,
    DateTimeOffset GeneratedAt,
    ReportRun Run,
    ReportPlan? Plan,
    string? PlanError,
    IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<ReportStepEnd> Evidence,
    IReadOnlyList<ChecklistItem> Checklist,
    bool ChecklistComplete,
    JournalIntegrity Journal)
{
    /// <summary>The version of this document's shape; bumped when a field changes meaning (2: evidence is a typed record with its <c>type</c>).</summary>
    public const int CurrentVersion = 2;

    /// <summary>Builds the report of <paramref name="record"/> at <paramref name="now"/>.</summary>
    public static RollbackReport Build(RunRecord record, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        var timeline = RunTimeline.Of(record);
        var checklist = Core.Evidence.Checklist.Evaluate(record);
        var ended = timeline.Select(t => t.EndedAt).Where(t => t is not null).DefaultIfEmpty(null).Max();
        var run = record.Run;
        return new RollbackReport(
            CurrentVersion,
            now,
            new ReportRun(run.Id, run.Service, Lower(run.Status.ToString()), run.StartedAt, ended,
                ended is { } end ? Seconds(end - run.StartedAt) : null, run.TargetReleaseId, run.IncidentId),
            record.Plan is { } plan ? ReportPlan.Of(plan) : null,
            record.PlanError,
            timeline,
            [.. record.StepNames.Select(record.EndOf).OfType<StepEnd>().Select(e => ReportStepEnd.Of(record, e))],
            checklist,
            Core.Evidence.Checklist.AllTicked(checklist),
            JournalIntegrity.Of(record));
    }

    internal static string Lower(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));

    internal static double Seconds(TimeSpan span) => Math.Round(span.TotalSeconds, 3);
}

/// <summary>The run as the ledger records it.</summary>
public sealed record ReportRun(
    string Id, string Service, string Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, double? DurationSeconds,
    string? TargetReleaseId, string? IncidentId);

/// <summary>The plan the run executed.</summary>
public sealed record ReportPlan(string Service, RollbackTarget? Target, DateTimeOffset CreatedAt, double ExpectedSeconds, IReadOnlyList<ReportPlanStep> Steps)
{
    /// <summary>The run this plan undoes (<c>rewind undo</c>); null for every other plan.</summary>
    public string? Undoes { get; init; }

    public static ReportPlan Of(RollbackPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new ReportPlan(plan.Service, plan.Target, plan.CreatedAt, plan.ExpectedSeconds,
            [.. plan.Steps.Select(s => new ReportPlanStep(s.Step, RollbackReport.Lower(s.Stage.ToString()), s.Summary, s.Changes, s.NothingToDo, s.ExpectedSeconds, s.DeadlineSeconds, s.Detail, s.Parameters))])
        { Undoes = plan.Undoes };
    }
}

/// <summary>One planned step, resolved.</summary>
public sealed record ReportPlanStep(
    string Step, string Stage, string Summary, IReadOnlyList<string> Changes, bool NothingToDo, double ExpectedSeconds, double DeadlineSeconds,
    System.Text.Json.Nodes.JsonObject? Detail, IReadOnlyDictionary<string, string>? Parameters);

/// <summary>
/// One attempt of one step: from its Started entry to its end (or not started, or unfinished). Outcome is succeeded,
/// skipped, failed, awaiting-approval, unfinished (started, no end journaled) or not-started.
/// </summary>
public sealed record TimelineEntry(
    string Step, string? Stage, int Attempt, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, double? DurationSeconds,
    string Outcome, string Summary, IReadOnlyList<TimelineCall> Calls);

/// <summary>
/// One mutating call a step made, journaled before and after. Outcome is succeeded, failed, or unanswered (sent, no
/// answer journaled: the process stopped).
/// </summary>
public sealed record TimelineCall(string Call, DateTimeOffset SentAt, DateTimeOffset? AnsweredAt, string Outcome, string? Error);

/// <summary>
/// A step's evidence as its last end entry journaled it: the step's typed record with its <c>type</c> (version-1
/// evidence as converted by <see cref="Version1Evidence"/>), or null when the end carried none.
/// </summary>
public sealed record ReportStepEnd(string Step, string Status, long Seq, DateTimeOffset Time, string Summary, StepEvidence? Evidence)
{
    public static ReportStepEnd Of(RunRecord record, StepEnd end) =>
        new(record.Journal.First(e => e.Seq == end.Seq).Step, RollbackReport.Lower(end.Status), end.Seq, end.Time, end.Summary, end.Evidence);

    /// <summary>The record's facts for the Markdown and HTML tables (none without evidence).</summary>
    public IReadOnlyDictionary<string, string> Facts() => Evidence?.Facts() ?? new Dictionary<string, string>();
}

/// <summary>The journal's hash chain, verified when the report was made, and the entries themselves (to verify again).</summary>
public sealed record JournalIntegrity(int Entries, bool Intact, ReportChainBreak? FirstBreak, string HeadHash, IReadOnlyList<ReportJournalEntry> Chain)
{
    public static JournalIntegrity Of(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var journal = record.Journal;
        return new JournalIntegrity(
            journal.Count,
            record.IsIntact,
            record.ChainBreak is { } broken ? new ReportChainBreak(broken.Seq, broken.Reason.ToString(), broken.Detail) : null,
            journal.Count > 0 ? journal[^1].Hash : JournalChain.GenesisHash,
            [.. journal.Select(e => new ReportJournalEntry(e.Seq, e.Time, e.Step, JournalChain.KindName(e.Kind), e.Detail, e.PrevHash, e.Hash))]);
    }
}

/// <summary>Where and why the chain is broken.</summary>
public sealed record ReportChainBreak(long Seq, string Reason, string Detail);

/// <summary>A journal entry exactly as stored (detail is the stored JSON text, byte for byte, so the hash can be recomputed).</summary>
public sealed record ReportJournalEntry(long Seq, DateTimeOffset Time, string Step, string Kind, string Detail, string PrevHash, string Hash);

/// <summary>The report's JSON (source-generated: NativeAOT, no reflection).</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(RollbackReport))]
[JsonSerializable(typeof(IReadOnlyList<ChecklistItem>))]
public sealed partial class ReportJson : JsonSerializerContext;
