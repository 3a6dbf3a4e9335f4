using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;

namespace Rewind.Core.Tests.Evidence;

/// <summary>Runs built in memory the way the executor journals them, for the checklist and the evidence readers.</summary>
internal static class EvidenceRuns
{
    public const string RunId = "run-20261127-120000-ab12";
    public const string TargetArn = "arn:aws:ecs:us-east-1:123456789012:task-definition/claude-proxy-api:3";
    public static readonly DateTimeOffset Opened = new(2026, 11, 27, 12, 6, 0, TimeSpan.Zero);

    public static readonly string[] Steps = ["ecs", "smoke", "verify", "incident", "notify"];

    public static readonly ServiceReverted Ecs = new(
        "claude-proxy", "claude-proxy-api", TargetArn, "ecs-svc/1", "claude-proxy-api:3", "COMPLETED", Running: 2, Desired: 2, Deployments: 1);

    public static readonly SmokePassed Smoke = new(
        "http://127.0.0.1:8080", 2, 2, 0,
        [new SmokeCheckResult("GET /health", 200, 12, 1, true, null), new SmokeCheckResult("GET /v1/models", 200, 40, 2, true, null)], "/tmp/smoke.log");

    public static readonly ErrorRatesNormalized Verify = new(
        "HTTPCode_Target_5XX_Count/RequestCount TargetGroup=targetgroup/main/1", Opened.AddMinutes(-10), Opened.AddMinutes(-5),
        1200, 3, 0.25, 1, 0.2, "release 1.4.2", [new AlarmReading("api-5xx", "OK")], "normalized");

    public static readonly TicketOpened Incident = new(
        "INC-0001", "alice@example.com", Opened, Opened.AddHours(48), [new TicketLink("OPS-42", "http://127.0.0.1:9/browse/OPS-42")], true, "/tmp/INC-0001.md", null);

    public static readonly TeamNotified Notify = new([new AudienceDelivery("team", "slack:#releases", Opened.AddMinutes(1), "200", null)], 1, 0);

    /// <summary>The record that proves each step's item.</summary>
    public static StepEvidence Proving(string step) => step switch
    {
        "ecs" => Ecs,
        "smoke" => Smoke,
        "verify" => Verify,
        "incident" => Incident,
        "notify" => Notify,
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "no checklist step"),
    };

    /// <summary>A plan of these steps, with the rollback target.</summary>
    public static RollbackPlan Plan(IEnumerable<string> steps) => new(
        "claude-proxy-api", new RollbackTarget("revision", "claude-proxy-api:3", "next lower ACTIVE revision", null, TargetArn), Opened,
        [.. steps.Select(s => new StepPlan(s, StepStage.Verification, s, [], false, 5, 60, new System.Text.Json.Nodes.JsonObject()))]);

    /// <summary>A run whose steps ended with these results (Started then the end, chained), read as the checklist reads it.</summary>
    public static RunRecord Record(IReadOnlyList<(string Step, StepResult? Result)> ends, RollbackPlan? plan = null)
    {
        var journal = Journal(ends.SelectMany(e => e.Result is null
            ? new[] { (e.Step, JournalKind.Started, "{}") }
            : [(e.Step, JournalKind.Started, "{}"), (e.Step, Kind(e.Result), e.Result.ToJson().ToJsonString())]));
        var run = new Run(RunId, "claude-proxy-api", Opened, RunStatus.Succeeded, null, EngineJson.Serialize(plan ?? Plan(ends.Select(e => e.Step))));
        return RunRecord.From(run, journal, null);
    }

    /// <summary>A hash-chained journal of these entries, a second apart.</summary>
    public static IReadOnlyList<JournalEntry> Journal(IEnumerable<(string Step, JournalKind Kind, string Detail)> entries)
    {
        var journal = new List<JournalEntry>();
        var head = JournalChain.EmptyHead;
        foreach (var (step, kind, detail) in entries)
        {
            var entry = JournalChain.Next(head, RunId, Opened.AddSeconds(journal.Count), step, kind, detail);
            journal.Add(entry);
            head = new JournalHead(entry.Seq, entry.Hash);
        }
        return journal;
    }

    public static JournalKind Kind(StepResult result) =>
        result.Status is StepStatus.Succeeded or StepStatus.Skipped ? JournalKind.Completed : JournalKind.CallFailed;
}
