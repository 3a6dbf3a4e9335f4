using Microsoft.Extensions.Time.Testing;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Playbook.Tests;

/// <summary>
/// Runs process steps the way <c>rewind run</c> and <c>rewind resume</c> do: planned by <see cref="RollbackPlanner"/>,
/// executed by <see cref="RunExecutor"/> over an <see cref="InMemoryLedger"/> on a fake clock; a run killed by a fake
/// (its kill token) is resumed from the stored plan.
/// </summary>
internal sealed class ProcessRun
{
    public const string Service = "claude-proxy-api";
    public static readonly Operator Alice = new("alice (pid 100)", "laptop-1");
    public static DateTimeOffset Epoch => new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; } = new(Epoch);

    public InMemoryLedger Ledger { get; }

    public ProcessRun() => Ledger = new InMemoryLedger(Clock);

    public Task<RollbackPlan> PlanAsync(IReadOnlyList<IStep> steps, CancellationToken cancellationToken) =>
        new RollbackPlanner(steps, Clock).PlanAsync(Service, null, StepSelection.All, cancellationToken);

    public Task<RunOutcome> StartAsync(RollbackPlan plan, IReadOnlyList<IStep> steps, CancellationToken cancellationToken) =>
        new RunExecutor(Ledger, steps, new Silent(), Clock).StartAsync(plan, EngineJson.Serialize(plan), Alice, cancellationToken);

    /// <summary>Starts a run that a fake kills (<paramref name="kill"/>): the run is left cancelled; returns its id.</summary>
    public async Task<string> StartKilledAsync(RollbackPlan plan, IReadOnlyList<IStep> steps, CancellationToken kill, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(kill, cancellationToken);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => StartAsync(plan, steps, linked.Token));
        var run = Assert.Single(await Ledger.ListRunsAsync(Service, 10, cancellationToken));
        Assert.Equal(RunStatus.Cancelled, run.Status);
        return run.Id;
    }

    /// <summary>Resumes like <c>rewind resume</c>: the plan read back from the run as stored.</summary>
    public async Task<RunOutcome> ResumeAsync(string runId, IReadOnlyList<IStep> steps, CancellationToken cancellationToken)
    {
        var run = (await Ledger.GetRunAsync(runId, cancellationToken))!;
        return await new RunExecutor(Ledger, steps, new Silent(), Clock).ResumeAsync(run, EngineJson.DeserializePlan(run.PlanJson), Alice, cancellationToken);
    }

    public Task<IReadOnlyList<JournalEntry>> JournalAsync(string runId, CancellationToken cancellationToken) => Ledger.ReadJournalAsync(runId, cancellationToken);

    /// <summary>The calls a run journaled as sent, in order ("Freeze", "PutParameter", "Notify run-…/…").</summary>
    public async Task<IReadOnlyList<string>> CallsSentAsync(string runId, CancellationToken cancellationToken) =>
        [.. (await JournalAsync(runId, cancellationToken)).Where(e => e.Kind == JournalKind.CallSent)
            .Select(e => System.Text.Json.Nodes.JsonNode.Parse(e.Detail)!["call"]!.GetValue<string>().Replace(runId, "RUN", StringComparison.Ordinal))];

    /// <summary>An incident step that only proves an incident: what the freeze and notify steps need.</summary>
    public sealed class IncidentStub(string incident = "INC-0042") : IStep
    {
        public string Name => "incident";
        public StepStage Stage => StepStage.Process;

        public Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new StepPlan(Name, Stage, "open an incident", [], false, 1, 60, new System.Text.Json.Nodes.JsonObject()));

        public Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken) =>
            Task.FromResult(StepResult.Succeeded(incident, new TicketOpened(incident, "dana", Epoch, Epoch.AddHours(48), [], false, null, null)));
    }

    private sealed class Silent : IRunObserver
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
