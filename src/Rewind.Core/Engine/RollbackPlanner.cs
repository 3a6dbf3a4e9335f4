namespace Rewind.Core.Engine;

/// <summary>Asks each step, in parallel, to read live state and plan; the result is the one plan dry-run shows and --live runs.</summary>
public sealed class RollbackPlanner(IReadOnlyList<IStep> steps, TimeProvider time)
{
    /// <summary>Plans the steps that <paramref name="selection"/> keeps.</summary>
    public async Task<RollbackPlan> PlanAsync(string service, RollbackTarget? target, StepSelection selection, CancellationToken cancellationToken)
    {
        var context = new PlanningContext(service, target);
        var chosen = steps.Where(s => selection.Includes(s.Name)).ToList();
        var plans = await Task.WhenAll(chosen.Select(step => step.PlanAsync(context, cancellationToken)));
        return new RollbackPlan(service, target, time.GetUtcNow(), plans.OrderBy(p => p.Stage).ToList());
    }
}

/// <summary>Which steps a run includes: <c>--only</c> keeps just those, <c>--skip</c> drops those.</summary>
public sealed record StepSelection(IReadOnlySet<string> Only, IReadOnlySet<string> Skip)
{
    public static StepSelection All { get; } = new(new HashSet<string>(), new HashSet<string>());

    public bool Includes(string step) => (Only.Count == 0 || Only.Contains(step)) && !Skip.Contains(step);
}
