using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Ledger.Sqlite;

namespace Rewind.Cli.Tests.Reports;

/// <summary>
/// A run written into a temporary SQLite ledger the way the executor writes it: the plan as the run's plan JSON,
/// Planned per step, then Started, journaled calls and Completed (or CallFailed) with <c>{"status","summary","evidence"}</c>.
/// </summary>
internal sealed class SyntheticRun : IAsyncDisposable
{
    public const string Service = "claude-proxy-api";
    public const string TargetArn = "arn:aws:ecs:us-east-1:123456789012:task-definition/claude-proxy-api:3";

    private static readonly (string Step, StepStage Stage)[] PlaybookSteps =
        [("canary", StepStage.Traffic), ("ecs", StepStage.Service), ("smoke", StepStage.Verification), ("verify", StepStage.Verification),
         ("incident", StepStage.Process), ("notify", StepStage.Announce)];

    private readonly DirectoryInfo _folder;

    private SyntheticRun(DirectoryInfo folder, SqliteLedger ledger, string runId, RollbackPlan plan)
    {
        _folder = folder;
        Ledger = ledger;
        RunId = runId;
        Plan = plan;
    }

    public SqliteLedger Ledger { get; }
    public string RunId { get; }
    public RollbackPlan Plan { get; }
    public string LedgerPath => Path.Combine(_folder.FullName, "ledger.db");
    public string Folder => _folder.FullName;

    /// <summary>A rewind.yaml that points at this ledger (the service keeps the playbook's default name).</summary>
    public string ConfigPath
    {
        get
        {
            var path = Path.Combine(_folder.FullName, "rewind.yaml");
            File.WriteAllText(path, $"ledger:\n  path: {LedgerPath}\n");
            return path;
        }
    }

    /// <summary>A run of the given steps (default: every playbook step the checklist reads), nothing journaled yet but the plan.</summary>
    public static async Task<SyntheticRun> CreateAsync(CancellationToken ct, params string[] steps)
    {
        var folder = Directory.CreateTempSubdirectory("rewind-report-");
        var ledger = await SqliteLedger.OpenAsync(Path.Combine(folder.FullName, "ledger.db"), ct);
        var chosen = steps.Length == 0 ? PlaybookSteps : PlaybookSteps.Where(s => steps.Contains(s.Step)).ToArray();
        var target = new RollbackTarget("revision", "claude-proxy-api:3", "next lower ACTIVE revision", null, TargetArn);
        var plan = new RollbackPlan(Service, target, DateTimeOffset.UtcNow, [.. chosen.Select(s => new StepPlan(
            s.Step, s.Stage, $"{s.Step} as planned", [$"{s.Step}: before → after"], false, 5, 60,
            s.Step == "ecs" ? new JsonObject { ["targetTaskDefinition"] = TargetArn, ["previousTaskDefinition"] = "claude-proxy-api:4" } : new JsonObject()))]);
        var runId = LedgerIds.NewRunId(DateTimeOffset.UtcNow);
        await ledger.Runs.CreateRunAsync(new Run(runId, Service, DateTimeOffset.UtcNow, RunStatus.Running, null, EngineJson.Serialize(plan)), ct);
        foreach (var step in plan.Steps)
            await ledger.Runs.AppendJournalAsync(runId, step.Step, JournalKind.Planned, new JsonObject { ["summary"] = step.Summary }.ToJsonString(), ct);
        return new SyntheticRun(folder, ledger, runId, plan);
    }

    /// <summary>Every step succeeds with evidence that proves each checklist item.</summary>
    public static async Task<SyntheticRun> AllProvenAsync(CancellationToken ct)
    {
        var run = await CreateAsync(ct);
        await run.StepAsync("canary", "Succeeded", GoodEvidence("canary"), ct);
        await run.StepAsync("ecs", "Succeeded", GoodEvidence("ecs"), ct, calls: ["UpdateService"]);
        await run.StepAsync("smoke", "Succeeded", GoodEvidence("smoke"), ct);
        await run.StepAsync("verify", "Succeeded", GoodEvidence("verify"), ct);
        await run.StepAsync("incident", "Succeeded", GoodEvidence("incident"), ct, calls: ["CreateIssue"]);
        await run.StepAsync("notify", "Succeeded", GoodEvidence("notify"), ct, calls: ["PostMessage"]);
        await run.FinishAsync(RunStatus.Succeeded, ct);
        return run;
    }

    public static readonly ServiceReverted GoodEcs = new(
        "claude-proxy", Service, TargetArn, "ecs-svc/5127284901828713471", TargetArn, "COMPLETED", Running: 2, Desired: 2, Deployments: 1);

    public static readonly SmokePassed GoodSmoke = new(
        "http://127.0.0.1:8080", Checks: 2, Passed: 2, Failed: 0,
        [new SmokeCheckResult("GET /health", 200, 12, 1, true, null), new SmokeCheckResult("GET /v1/models", 200, 40, 2, true, null)],
        "/tmp/rewind/smoke.log");

    public static readonly ErrorRatesNormalized GoodVerify = new(
        "HTTPCode_Target_5XX_Count/RequestCount TargetGroup=targetgroup/main/1",
        new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 27, 12, 5, 0, TimeSpan.Zero),
        Requests: 1200, Errors: 3, Rate5xxPercent: 0.25, ThresholdPercent: 1, BaselinePercent: 0.2, Baseline: "release 1.4.2",
        [new AlarmReading("api-5xx", "OK"), new AlarmReading("api-latency", "OK")], "normalized");

    public static readonly TicketOpened GoodIncident = new(
        "INC-0001", "alice@example.com", new DateTimeOffset(2026, 11, 27, 12, 6, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 29, 12, 6, 0, TimeSpan.Zero),
        [new TicketLink("OPS-42", "http://127.0.0.1:9/browse/OPS-42")], Verified: true, "/tmp/rewind/INC-0001.md", null);

    public static readonly TeamNotified GoodNotify = new(
        [new AudienceDelivery("team", "slack:#releases", new DateTimeOffset(2026, 11, 27, 12, 7, 0, TimeSpan.Zero), "200", null)], Delivered: 1, Failed: 0);

    /// <summary>The typed record of each step that proves its checklist item.</summary>
    public static StepEvidence? GoodEvidence(string step) => step switch
    {
        "canary" => new TrafficShifted("listener", "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/main/1/2", new Weights(100, 0), new Weights(90, 10), new Weights(100, 0)),
        "ecs" => GoodEcs,
        "smoke" => GoodSmoke,
        "verify" => GoodVerify,
        "incident" => GoodIncident,
        "notify" => GoodNotify,
        _ => null,
    };

    /// <summary>Journals one attempt of a step as the executor does: Started, each call sent and answered, then its end.</summary>
    public async Task StepAsync(string step, string status, StepEvidence? evidence, CancellationToken ct, string summary = "done", string[]? calls = null, bool end = true)
    {
        await Ledger.Runs.AppendJournalAsync(RunId, step, JournalKind.Started, "{}", ct);
        foreach (var call in calls ?? [])
        {
            await Ledger.Runs.AppendJournalAsync(RunId, step, JournalKind.CallSent, new JsonObject { ["call"] = call }.ToJsonString(), ct);
            await Ledger.Runs.AppendJournalAsync(RunId, step, JournalKind.CallSucceeded, new JsonObject { ["call"] = call, ["id"] = "x-1" }.ToJsonString(), ct);
        }
        if (!end)
            return;
        var detail = new StepResult(Enum.Parse<StepStatus>(status), summary, evidence).ToJson();
        var kind = status is "Succeeded" or "Skipped" ? JournalKind.Completed : JournalKind.CallFailed;
        await Ledger.Runs.AppendJournalAsync(RunId, step, kind, detail.ToJsonString(), ct);
    }

    public Task FinishAsync(RunStatus status, CancellationToken ct) => Ledger.Runs.SetRunStatusAsync(RunId, status, ct);

    public async Task<RunRecord> RecordAsync(CancellationToken ct) => (await RunRecord.ReadAsync(Ledger, RunId, ct))!;

    public async Task<IReadOnlyList<ChecklistItem>> ChecklistAsync(CancellationToken ct) => Checklist.Evaluate(await RecordAsync(ct));

    /// <summary>Changes one stored entry's detail behind the ledger's back, as an attacker with the file would.</summary>
    public void Tamper(long seq, string detail)
    {
        using var connection = new SqliteConnection($"Data Source={LedgerPath};Pooling=False");
        connection.Open();
        using var tamper = connection.CreateCommand();
        tamper.CommandText = "UPDATE journal SET detail = $detail WHERE run_id = $run AND seq = $seq";
        tamper.Parameters.AddWithValue("$detail", detail);
        tamper.Parameters.AddWithValue("$run", RunId);
        tamper.Parameters.AddWithValue("$seq", seq);
        if (tamper.ExecuteNonQuery() != 1)
            throw new InvalidOperationException($"no entry {seq} to tamper with");
    }

    public async ValueTask DisposeAsync()
    {
        await Ledger.DisposeAsync();
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
