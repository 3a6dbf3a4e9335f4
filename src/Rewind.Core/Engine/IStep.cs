namespace Rewind.Core.Engine;

/// <summary>
/// The order of a rollback: traffic first, secrets before the service restarts, the edge after it, then the proof
/// (smoke tests, error rates), the incident, and last what depends on the incident (freeze, notifications).
/// </summary>
public enum StepStage
{
    /// <summary>Before any change: an override the run acts under (<c>rewind undo --override-freeze</c>), journaled first.</summary>
    Override = -1,
    Traffic = 0,
    Secrets = 1,
    Service = 2,
    Infrastructure = 3,
    Edge = 4,
    Verification = 5,
    Process = 6,
    Announce = 7,
}

/// <summary>
/// One playbook step. It owns only its own domain: read live state and plan; execute the plan idempotently (re-read
/// state first, skip what is done); report evidence. Ordering, journaling, deadlines and resume are the executor's.
/// </summary>
public interface IStep
{
    /// <summary>The step's name in plans, journals and <c>--skip/--only</c> ("canary", "ecs").</summary>
    string Name { get; }

    StepStage Stage { get; }

    /// <summary>Reads live state and resolves exactly what <see cref="ExecuteAsync"/> would do. Never mutates.</summary>
    Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Does what the plan says, through <paramref name="context"/> for every mutating call, and proves it. Reads only
    /// the plan (and live state), never the settings the step was built with: a resumed run does what was approved.
    /// </summary>
    Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken);

    /// <summary>
    /// The steps whose evidence this step consumes (the incident's id for the freeze and notify steps): the executor
    /// runs them first and hands their evidence over through the step context, never through the ledger.
    /// </summary>
    IReadOnlyList<string> Needs => [];

    /// <summary>
    /// How the settings this step was built with (today's rewind.yaml) differ from what <paramref name="plan"/> was
    /// made from, one line per difference ("service.ecs_service is now X; the plan names Y"); empty when they agree or
    /// the step has no settings. <c>rewind resume</c> shows these and runs the stored plan regardless.
    /// </summary>
    IReadOnlyList<string> DriftFrom(StepPlan plan) => [];
}

/// <summary>What every step plans against: the service and the release to return to (none for a traffic-only command).</summary>
public sealed record PlanningContext(string Service, RollbackTarget? Target)
{
    public RollbackTarget RequiredTarget => Target ?? throw new InvalidOperationException("this step needs a rollback target");
}

/// <summary>
/// A step that changes a layer of the service (traffic, secrets, the service itself) and can tell, from live state,
/// whether that layer is where an executed plan of it left it: how a new run knows the latest rollback already
/// reached its target. Steps without it are judged by their journaled end alone.
/// </summary>
public interface ILayerStep : IStep
{
    /// <summary>Re-reads live state: null when it is what <paramref name="plan"/> wanted, else one line saying how it differs.</summary>
    Task<string?> DifferenceFromAsync(StepPlan plan, CancellationToken cancellationToken);
}
