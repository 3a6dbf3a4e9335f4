using Microsoft.Extensions.Time.Testing;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Playbook.Tests.Layers;

/// <summary>
/// Runs one layer step (canary, secrets, ecs) the way <c>rewind run</c> and <c>rewind resume</c> do: planned by the
/// planner, executed by <see cref="RunExecutor"/> over an <see cref="InMemoryLedger"/> on a fake clock, stored as JSON
/// and read back for a resume. <see cref="Kill"/>, called from a fake's hook, ends the run like a killed process:
/// its token is cancelled, nothing after that point is journaled.
/// </summary>
internal sealed class LayerRun
{
    public const string Service = "claude-proxy-api";
    private static readonly Operator Alice = new("alice (pid 100)", "laptop-1");

    private CancellationTokenSource _kill = new();

    public LayerRun() => Ledger = new InMemoryLedger(Clock);

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));

    public InMemoryLedger Ledger { get; }

    /// <summary>The progress lines every step reported.</summary>
    public List<string> Progress { get; } = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static RollbackTarget Target(string taskDefinition) => new("revision", "claude-proxy-api:2", "pinned", null, taskDefinition);

    public Task<RollbackPlan> PlanAsync(IStep step, RollbackTarget? target = null) =>
        new RollbackPlanner([step], Clock).PlanAsync(Service, target, StepSelection.All, Ct);

    /// <summary>Starts a run of <paramref name="plan"/>, stored as the ledger stores it.</summary>
    public Task<RunOutcome> StartAsync(IStep step, RollbackPlan plan) => StartAsync(step, plan, EngineJson.Serialize(plan));

    /// <summary>Starts a run whose stored plan is <paramref name="planJson"/> (a version-1 document, say).</summary>
    public Task<RunOutcome> StartAsync(IStep step, RollbackPlan plan, string planJson)
    {
        _kill = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        return Executor(step).StartAsync(plan, planJson, Alice, _kill.Token);
    }

    /// <summary>Starts a run that <see cref="Kill"/> ends; returns once it has.</summary>
    public async Task StartAndDieAsync(IStep step, RollbackPlan plan) =>
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => StartAsync(step, plan));

    /// <summary>Resumes the one run in the ledger from its stored plan, as <c>rewind resume</c> does.</summary>
    public async Task<RunOutcome> ResumeAsync(IStep step)
    {
        var run = Assert.Single(await Ledger.ListRunsAsync(Service, 10, Ct));
        _kill = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        return await Executor(step).ResumeAsync(run, EngineJson.DeserializePlan(run.PlanJson), Alice, _kill.Token);
    }

    /// <summary>Kills the run here: from a fake's hook, after its call took effect and before its answer is journaled.</summary>
    public void Kill()
    {
        _kill.Cancel();
        _kill.Token.ThrowIfCancellationRequested();
    }

    public async Task<IReadOnlyList<string>> JournalAsync()
    {
        var run = Assert.Single(await Ledger.ListRunsAsync(Service, 10, Ct));
        return [.. (await Ledger.ReadJournalAsync(run.Id, Ct)).Select(e => $"{e.Step} {e.Kind}{Call(e.Detail)}")];
    }

    public async Task<RunStatus> StatusAsync() => Assert.Single(await Ledger.ListRunsAsync(Service, 10, Ct)).Status;

    private static string Call(string detail) =>
        System.Text.Json.Nodes.JsonNode.Parse(detail)?["call"]?.GetValue<string>() is { } call ? " " + call : "";

    private RunExecutor Executor(IStep step) => new(Ledger, [step], new Observer(Progress), Clock);

    private sealed class Observer(List<string> lines) : IRunObserver
    {
        public void StepStarted(StepPlan step)
        {
        }

        public void StepProgress(string step, string message)
        {
            lock (lines)
                lines.Add(message);
        }

        public void StepFinished(StepPlan step, StepResult result, TimeSpan duration)
        {
        }
    }
}
