using System.Text.Json;
using Rewind.Aws.Ecs;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;

namespace Rewind.Cli.Commands;

/// <summary>
/// What a new <c>rewind run</c> without <c>--to</c> does about the service's latest rollback run, so that a rollback is
/// planned from the incident and never from a world the last rollback half-changed or already fixed:
/// <list type="bullet">
/// <item>in flight: running (alive elsewhere, or killed) or cancelled (Ctrl-C), started within <see cref="InFlightWindow"/>:
/// continue it, its stored plan (the lock decides who may);</item>
/// <item>ended (succeeded, failed) while its freeze is in force (an active freeze it set, or one set since it started):
/// failed, continue it; succeeded and at its target in every layer, change nothing;</item>
/// <item>anything else, a succeeded run whose layers moved since, or an undo (<c>rewind undo</c>): plan afresh.</item>
/// </list>
/// "At its target in every layer" is journal evidence and live state together: every step of its plan journaled a
/// successful end, and every layer step (canary, secrets, ecs) re-reads live state equal to what its plan wanted.
/// </summary>
internal static class LatestRollback
{
    /// <summary>An interrupted run older than this is history, not the incident at hand.</summary>
    public static readonly TimeSpan InFlightWindow = TimeSpan.FromHours(24);

    /// <summary>How many of the service's latest runs are searched for its latest rollback.</summary>
    private const int RunsLookedAt = 50;

    /// <summary>What to do instead of planning afresh, or null to plan afresh.</summary>
    public abstract record Decision(Run Run, RollbackPlan Plan);

    /// <summary>Continue <see cref="Decision.Run"/> (a resume, by this operator).</summary>
    public sealed record Continue(Run Run, RollbackPlan Plan, string Why) : Decision(Run, Plan);

    /// <summary>The latest run already put every layer on its target: nothing to do.</summary>
    public sealed record AlreadyThere(Run Run, RollbackPlan Plan, string Line) : Decision(Run, Plan);

    public static async Task<Decision?> DecideAsync(
        CliContext context, string service, ILedger ledger, Func<RollbackPlan, IReadOnlyList<IStep>> stepsFor, CancellationToken cancellationToken)
    {
        // The latest *rollback*: a freeze, a notice or an incident command run since is a run too, and must not hide it.
        var latest = (await ledger.Runs.ListRunsAsync(service, RunsLookedAt, cancellationToken))
            .Select(r => (Run: r, Plan: PlanOf(r)))
            .FirstOrDefault(r => r.Plan is { Target: not null } p && p.Steps.Any(s => s.Step == "ecs"));
        // An undo (rewind undo) is never continued as if it were the incident's rollback, and neither is the run it
        // undid: the undo put the layers back on purpose, so a new rollback plans afresh from live state.
        if (latest is not { Run: { } run, Plan: { Undoes: null } plan })
            return null;
        var now = context.Time.GetUtcNow();
        if (run.Status is RunStatus.Running or RunStatus.Cancelled && now - run.StartedAt < InFlightWindow)
            return new Continue(run, plan, $"it was {(run.Status == RunStatus.Running ? "still running" : "cancelled")} half-way (started {run.StartedAt:yyyy-MM-dd HH:mm:ss}Z)");
        var freezes = await ledger.Freezes.GetActiveFreezesAsync(service, cancellationToken);
        if (!freezes.Any(f => f.FrozenBy == $"rewind run {run.Id}" || f.Since >= run.StartedAt))
            return null;
        var journal = await ledger.Runs.ReadJournalAsync(run.Id, cancellationToken);
        var ended = journal.Count > 0 ? journal[^1].Time : run.StartedAt;
        if (run.Status != RunStatus.Succeeded)
            return new Continue(run, plan, $"it ended {run.Status.ToString().ToLowerInvariant()} {Ago(ended, now)} and its freeze is in force");
        if (await DifferenceAsync(plan, journal, stepsFor(plan), cancellationToken) is { } moved)
        {
            context.Log($"rewind: {service} moved since {run.Id} reached its target ({moved}): planning afresh");
            return null;
        }
        return new AlreadyThere(run, plan,
            $"{service} already runs {Short(plan.Target!.TaskDefinitionArn)}, the target of {run.Id}, ended {Ago(ended, now)}: nothing to roll back; to go further back: rewind run --to REVISION");
    }

    /// <summary>How live state or the journal differs from the run having reached its plan's target; null when it has.</summary>
    private static async Task<string?> DifferenceAsync(RollbackPlan plan, IReadOnlyList<JournalEntry> journal, IReadOnlyList<IStep> steps, CancellationToken cancellationToken)
    {
        foreach (var step in plan.Steps)
        {
            var end = journal.LastOrDefault(e => e.Step == step.Step && e.Kind is JournalKind.Completed or JournalKind.CallFailed);
            if (end is not { Kind: JournalKind.Completed })
                return $"its step {step.Step} did not journal a successful end";
            if (steps.FirstOrDefault(s => s.Name == step.Step) is ILayerStep layer
                && await layer.DifferenceFromAsync(step, cancellationToken) is { } difference)
                return difference;
        }
        return null;
    }

    private static RollbackPlan? PlanOf(Run run)
    {
        try
        {
            return EngineJson.DeserializePlan(run.PlanJson);
        }
        catch (JsonException)
        {
            return null; // not a plan this build stores: the run is not one to follow
        }
    }

    private static string Ago(DateTimeOffset then, DateTimeOffset now)
    {
        var elapsed = now - then;
        return elapsed < TimeSpan.FromMinutes(1) ? $"{Math.Max(0, (int)elapsed.TotalSeconds)} s ago"
            : elapsed < TimeSpan.FromHours(2) ? $"{(int)elapsed.TotalMinutes} min ago"
            : $"at {then:yyyy-MM-dd HH:mm}Z";
    }

    private static string Short(string taskDefinition) =>
        TaskDefinitionRevision.TryParse(taskDefinition, out var parsed) ? parsed.ToString() : taskDefinition;
}
