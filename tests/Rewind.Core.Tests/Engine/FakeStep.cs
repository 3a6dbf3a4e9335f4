using Rewind.Core.Engine;
using Rewind.Core.Evidence;

namespace Rewind.Core.Tests.Engine;

/// <summary>
/// A step whose planning and execution the test decides; it writes "plan NAME", "start NAME" and "end NAME" to a log
/// shared by the steps of one test, so order and overlap can be asserted.
/// </summary>
internal sealed class FakeStep(string name, StepStage stage, EngineLog log) : IStep
{
    /// <summary>The evidence a fake step proves: the executor only carries it.</summary>
    public static readonly StepEvidence Proof = new CacheInvalidated("E2ABC", "I3XYZ", "Completed", ["/*"]);

    public string Name => name;

    public StepStage Stage => stage;

    /// <summary>What an execution does (after "start NAME" is logged); succeeds at once by default.</summary>
    public Func<StepPlan, StepContext, CancellationToken, Task<StepResult>> Execute { get; init; } =
        (_, _, _) => Task.FromResult(StepResult.Succeeded("done", Proof));

    /// <summary>What planning waits for before it answers; nothing by default.</summary>
    public Func<CancellationToken, Task> BeforePlan { get; init; } = _ => Task.CompletedTask;

    public int Executions { get; private set; }

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        log.Add($"plan {name}");
        await BeforePlan(cancellationToken);
        return PlanOf(name, stage);
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        Executions++;
        log.Add($"start {name}");
        try
        {
            return await Execute(plan, context, cancellationToken);
        }
        finally
        {
            log.Add($"end {name}");
        }
    }

    /// <summary>The plan of one fake step: a typed detail of its own, the deadline given.</summary>
    public static StepPlan PlanOf(string step, StepStage stage, double deadlineSeconds = 3600) =>
        new(step, stage, $"{step} as planned", [$"{step}: before → after"], false, 1, deadlineSeconds, new System.Text.Json.Nodes.JsonObject { ["step"] = step });
}

/// <summary>The order things happened in, across the parallel steps of a test.</summary>
internal sealed class EngineLog
{
    private readonly List<string> _lines = [];

    public void Add(string line)
    {
        lock (_lines)
            _lines.Add(line);
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
                return [.. _lines];
        }
    }
}

/// <summary>An observer that records nothing: the tests read the ledger.</summary>
internal sealed class QuietObserver : IRunObserver
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
