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
            s.Step == "ecs" ? new Dictionary<string, string> { ["taskDefinition"] = TargetArn, ["previousTaskDefinition"] = "claude-proxy-api:4" } : new Dictionary<string, string>()))]);
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
        await run.StepAsync("canary", "Succeeded", new() { ["main"] = "100", ["canary"] = "0" }, ct);
        await run.StepAsync("ecs", "Succeeded", GoodEvidence("ecs"), ct, calls: ["UpdateService"]);
        await run.StepAsync("smoke", "Succeeded", GoodEvidence("smoke"), ct);
        await run.StepAsync("verify", "Succeeded", GoodEvidence("verify"), ct);
        await run.StepAsync("incident", "Succeeded", GoodEvidence("incident"), ct, calls: ["CreateIssue"]);
        await run.StepAsync("notify", "Succeeded", GoodEvidence("notify"), ct, calls: ["PostMessage"]);
        await run.FinishAsync(RunStatus.Succeeded, ct);
        return run;
    }

    /// <summary>Evidence under the contract's keys that proves the step's checklist item.</summary>
    public static Dictionary<string, string> GoodEvidence(string step) => step switch
    {
        "ecs" => new()
        {
            ["deployment"] = "ecs-svc/5127284901828713471",
            ["taskDefinition"] = TargetArn,
            ["rolloutState"] = "COMPLETED",
            ["running"] = "2",
            ["desired"] = "2",
            ["deployments"] = "1",
        },
        "smoke" => new()
        {
            ["url"] = "http://127.0.0.1:8080",
            ["checks"] = "2",
            ["passed"] = "2",
            ["failed"] = "0",
            ["results"] = """[{"check":"GET /health","status":200,"latencyMs":12,"attempts":1,"ok":true},{"check":"GET /v1/models","status":200,"latencyMs":40,"attempts":2,"ok":true}]""",
            ["log"] = "/tmp/rewind/smoke.log",
        },
        "verify" => new()
        {
            ["metric"] = "HTTPCode_Target_5XX_Count/RequestCount TargetGroup=targetgroup/main/1",
            ["windowStart"] = "2026-11-27T12:00:00Z",
            ["windowEnd"] = "2026-11-27T12:05:00Z",
            ["requests"] = "1200",
            ["errors"] = "3",
            ["rate5xxPercent"] = "0.25",
            ["thresholdPercent"] = "1",
            ["baselinePercent"] = "0.2",
            ["alarms"] = "api-5xx=OK;api-latency=OK",
            ["verdict"] = "normalized",
        },
        "incident" => new()
        {
            ["incident"] = "INC-0001",
            ["owner"] = "alice@example.com",
            ["opened"] = "2026-11-27T12:06:00Z",
            ["due"] = "2026-11-29T12:06:00Z",
            ["ticket"] = "OPS-42",
            ["link"] = "http://127.0.0.1:9/browse/OPS-42",
            ["verified"] = "true",
            ["draft"] = "/tmp/rewind/INC-0001.md",
        },
        "notify" => new()
        {
            ["team.target"] = "slack:#releases",
            ["team.sentAt"] = "2026-11-27T12:07:00Z",
            ["team.status"] = "200",
            ["delivered"] = "1",
            ["failed"] = "0",
        },
        _ => [],
    };

    /// <summary>Journals one attempt of a step as the executor does: Started, each call sent and answered, then its end.</summary>
    public async Task StepAsync(string step, string status, Dictionary<string, string> evidence, CancellationToken ct, string summary = "done", string[]? calls = null, bool end = true)
    {
        await Ledger.Runs.AppendJournalAsync(RunId, step, JournalKind.Started, "{}", ct);
        foreach (var call in calls ?? [])
        {
            await Ledger.Runs.AppendJournalAsync(RunId, step, JournalKind.CallSent, new JsonObject { ["call"] = call }.ToJsonString(), ct);
            await Ledger.Runs.AppendJournalAsync(RunId, step, JournalKind.CallSucceeded, new JsonObject { ["call"] = call, ["id"] = "x-1" }.ToJsonString(), ct);
        }
        if (!end)
            return;
        var values = new JsonObject();
        foreach (var (key, value) in evidence)
            values[key] = value;
        var detail = new JsonObject { ["status"] = status, ["summary"] = summary, ["evidence"] = values };
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
