namespace Rewind.Core.Engine;

/// <summary>
/// The order steps' declared needs (<see cref="IStep.Needs"/>) impose on a plan: a need in an earlier stage is met by
/// the stage order, one in the same stage runs first, one in a later stage or a cycle cannot be met. A need the plan
/// does not hold (the step was skipped) imposes nothing: the step gets no output of it.
/// </summary>
internal static class StepNeeds
{
    /// <summary>Each planned step's needs that the plan holds; an <see cref="InvalidOperationException"/> when they cannot be met.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Of(RollbackPlan plan, IReadOnlyList<IStep> steps)
    {
        var stages = plan.Steps.ToDictionary(s => s.Step, s => s.Stage, StringComparer.Ordinal);
        var needs = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var planned in plan.Steps)
        {
            var declared = steps.FirstOrDefault(s => s.Name == planned.Step)?.Needs ?? [];
            var met = declared.Where(stages.ContainsKey).ToList();
            if (met.FirstOrDefault(n => stages[n] > planned.Stage) is { } later)
                throw new InvalidOperationException($"step {planned.Step} ({planned.Stage}) needs step {later}, which runs later ({stages[later]})");
            needs[planned.Step] = met;
        }
        foreach (var step in needs.Keys)
            ThrowOnCycle(step, needs, []);
        return needs;
    }

    /// <summary>The steps of one stage in an order where every step comes after the needs it shares the stage with.</summary>
    public static IReadOnlyList<StepPlan> Ordered(IEnumerable<StepPlan> stage, IReadOnlyDictionary<string, IReadOnlyList<string>> needs)
    {
        var pending = stage.ToList();
        var ordered = new List<StepPlan>(pending.Count);
        while (pending.Count > 0)
        {
            var next = pending.First(p => needs[p.Step].All(n => ordered.Any(o => o.Step == n) || pending.All(q => q.Step != n)));
            ordered.Add(next);
            pending.Remove(next);
        }
        return ordered;
    }

    private static void ThrowOnCycle(string step, IReadOnlyDictionary<string, IReadOnlyList<string>> needs, List<string> path)
    {
        if (path.Contains(step, StringComparer.Ordinal))
            throw new InvalidOperationException($"steps need each other in a cycle: {string.Join(" → ", path.SkipWhile(p => p != step).Append(step))}");
        path.Add(step);
        foreach (var need in needs[step])
            ThrowOnCycle(need, needs, path);
        path.RemoveAt(path.Count - 1);
    }
}
