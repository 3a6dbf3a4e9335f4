using Rewind.Aws.Ecs;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Playbook.Canary;
using Rewind.Playbook.Cdn;
using Rewind.Playbook.Ecs;
using Rewind.Playbook.Secrets;

namespace Rewind.Playbook.Undo;

/// <summary>
/// What <c>rewind undo RUN</c> restores, inverted from RUN's stored typed plan and its journal: each layer step that
/// sent a change, with its target and previous value swapped; the checks again; and a line for every step left out.
/// </summary>
/// <param name="Undoes">The run undone.</param>
/// <param name="Target">The undo's target: the task definition RUN replaced (null when RUN did not change the service).</param>
/// <param name="Steps">The inverted steps, in RUN's plan order (before the live check: see <see cref="UndoLiveCheck"/>).</param>
/// <param name="Notes">What the undo deliberately does not do, one line per step of RUN left out.</param>
public sealed record UndoDraft(string Undoes, RollbackTarget? Target, IReadOnlyList<StepPlan> Steps, IReadOnlyList<string> Notes);

/// <summary>
/// Inverts a finished run per step kind: canary weights back to the previous weights; each secret's AWSCURRENT back
/// onto the version RUN's journaled move took it from; the ECS service back to the previous task definition (a new
/// deployment); the CDN invalidated again; smoke tests and error rates run again as checks. Infrastructure, the
/// incident, the freeze and the notifications are not inverted (each says why in <see cref="UndoDraft.Notes"/>): the
/// undo is announced as "undo of RUN" by its own run. A step that sent no change replaced nothing and is left out.
/// </summary>
public static class UndoInverter
{
    /// <summary>The layer steps whose change an undo reverses.</summary>
    public static IReadOnlyList<string> LayerSteps { get; } = ["canary", "secrets", "ecs"];

    /// <summary>
    /// The undo of <paramref name="run"/>. Refused (bad input) while the run is unfinished, when it changed no layer,
    /// or when its service change cannot be reversed by a new deployment (CodeDeploy).
    /// </summary>
    public static UndoDraft Invert(Run run, RollbackPlan plan, IReadOnlyList<JournalEntry> journal)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(journal);
        if (run.Status is RunStatus.Running or RunStatus.Cancelled)
        {
            throw new RewindException(
                $"run {run.Id} is unfinished ({run.Status.ToString().ToLowerInvariant()}): undo a run once it has ended",
                $"finish it first with 'rewind resume {run.Id}' (or wait for it), then undo it", FailureKind.BadInput);
        }
        var sent = journal.Where(e => e.Kind == JournalKind.CallSent).ToList();
        bool Changed(string step) => sent.Any(e => e.Step == step);

        var steps = new List<StepPlan>();
        var notes = new List<string>();
        RollbackTarget? target = null;
        var ecsUndone = plan.Steps.FirstOrDefault(s => s.Step == "ecs") is { } ecsStep && Changed("ecs") && !EcsStep.Read(ecsStep).Restart;
        foreach (var step in plan.Steps.Where(s => LayerSteps.Contains(s.Step)))
        {
            switch (step.Step)
            {
                case "canary" when CanaryStep.Read(step) is { EcsOwnedBy: not null } owned:
                    if (ecsUndone)
                        steps.Add(Canary(run.Id, step, owned));
                    break;
                case "canary" when Changed("canary"):
                    steps.Add(Canary(run.Id, step, CanaryStep.Read(step)));
                    break;
                case "secrets" when Secrets(run.Id, step, sent) is { } secrets:
                    steps.Add(secrets);
                    break;
                case "ecs" when ecsUndone:
                    var (ecs, taskDefinition) = Ecs(run.Id, step);
                    steps.Add(ecs);
                    target = new RollbackTarget("undo", $"what {run.Id} replaced: {Short(taskDefinition)}", $"undo of {run.Id}", null, taskDefinition);
                    break;
            }
        }
        if (steps.Count == 0 || steps.All(s => s.NothingToDo))
        {
            throw new RewindException(
                $"run {run.Id} changed nothing an undo can restore: it sent no traffic, secret or service change{(run.Status == RunStatus.Failed ? " before it failed" : "")}",
                "there is nothing to undo; 'rewind history' lists the runs", FailureKind.BadInput);
        }
        foreach (var step in plan.Steps.Where(s => !LayerSteps.Contains(s.Step)))
        {
            switch (step.Step)
            {
                case "cdn" when Changed("cdn"):
                    var cdn = step.Read(CdnJson.Default.CdnPlan, CdnPlan.FromVersion1);
                    steps.Add(step with
                    {
                        Summary = $"invalidate {string.Join(", ", cdn.Paths)} on {cdn.Distribution} again: the edge still serves what {run.Id} changed",
                        NothingToDo = false,
                    });
                    break;
                case "smoke" or "verify":
                    steps.Add(step with { Summary = $"again, as a check after the undo: {step.Summary}", NothingToDo = false });
                    break;
                default:
                    if (NoteFor(run.Id, step.Step, Changed(step.Step)) is { } note)
                        notes.Add(note);
                    break;
            }
        }
        return new UndoDraft(run.Id, target, steps, notes);
    }

    /// <summary>The line saying why <paramref name="step"/> of the undone run is not inverted; null when it needs none.</summary>
    private static string? NoteFor(string undoes, string step, bool changed) => step switch
    {
        "infra" when changed => $"infra: not undone: Terraform is not applied back by an undo; apply the code you want with 'rewind infra apply --ref REF --live'",
        "incident" => $"incident: not reopened or closed: {undoes}'s incident stays as it is; this run is recorded as the undo of {undoes}",
        "freeze" => $"freeze: not set again, nor lifted: lift {undoes}'s freeze with 'rewind freeze off --root-cause \"…\" --live' once releases may go on",
        "notify" => $"notify: {undoes}'s announcements are not sent again; this run announces itself as the undo of {undoes}",
        _ => null,
    };

    /// <summary>The weights back where they were: wanted and previous swapped.</summary>
    private static StepPlan Canary(string undoes, StepPlan step, CanaryPlan planned)
    {
        var inverted = planned with { Wanted = planned.Previous, Previous = planned.Wanted };
        var summary = planned.EcsOwnedBy is { } strategy
            ? $"ECS owns this {planned.Kind} (strategy {strategy}): traffic moves back with the ECS undo; read back after the ecs step"
            : $"set the {planned.Kind}'s weights back to {planned.Previous} (what {undoes} replaced)";
        return StepPlan.Of(
            step.Step, step.Stage, summary,
            [$"{planned.Kind} {planned.Arn}: {planned.Wanted} → {planned.Previous}"],
            nothingToDo: planned.EcsOwnedBy is not null, step.ExpectedSeconds, step.DeadlineSeconds, inverted, CanaryPlanJson.Default.CanaryPlan);
    }

    /// <summary>
    /// Each secret whose AWSCURRENT the run moved, back onto the version its first journaled move took it from (the
    /// plan records only the target; the call-sent entry names the version the label was removed from).
    /// </summary>
    private static StepPlan? Secrets(string undoes, StepPlan step, IReadOnlyList<JournalEntry> sent)
    {
        var moves = new List<SecretMove>();
        var changes = new List<string>();
        foreach (var (id, target) in SecretsStep.Read(step).Secrets)
        {
            var from = sent.Where(e => e.Step == step.Step).Select(e => SecretRollbackHistory.MoveOf(e.Detail)).FirstOrDefault(m => m?.SecretId == id && m.Value.To == target);
            if (from is not { From: { } previous } || previous == target)
                continue;
            moves.Add(new SecretMove(id, previous));
            changes.Add($"secret {id}: AWSCURRENT {target} → {previous} (the version {undoes} moved it from)");
        }
        return moves.Count == 0
            ? null
            : StepPlan.Of(step.Step, step.Stage, $"move AWSCURRENT back on {moves.Count} secret(s) (what {undoes} replaced)", changes,
                nothingToDo: false, step.ExpectedSeconds, step.DeadlineSeconds, new SecretsPlan(moves), SecretsPlanJson.Default.SecretsPlan);
    }

    /// <summary>The service back on the task definition the run replaced, by a new deployment (whatever path the run took).</summary>
    private static (StepPlan Plan, string TaskDefinition) Ecs(string undoes, StepPlan step)
    {
        var planned = EcsStep.Read(step);
        if (planned.Path == RollbackPath.CodeDeploy)
        {
            throw new RewindException(
                $"run {undoes} rolled {planned.Service} back through CodeDeploy; an undo does not deploy through CodeDeploy",
                $"deploy {Short(planned.PreviousTaskDefinition)} with CodeDeploy (aws deploy create-deployment), then 'rewind record'", FailureKind.BadInput);
        }
        var previous = planned.PreviousTaskDefinition;
        if (!TaskDefinitionRevision.TryParse(previous, out _))
        {
            throw new RewindException(
                $"run {undoes}'s plan recorded no task definition {planned.Service} ran before it ('{previous}')",
                "deploy the revision you want with 'rewind run --live --to REVISION'", FailureKind.BadInput);
        }
        var inverted = new EcsPlan(
            planned.Cluster, planned.Service, previous, planned.TargetTaskDefinition, Restart: false, DeploymentsBefore: [], Wait: true,
            RollbackPath.UpdateService, $"undo of {undoes}: back to {Short(previous)}", WaitUntil: planned.WaitUntil, Strategy: planned.Strategy);
        var plan = StepPlan.Of(
            step.Step, step.Stage,
            $"update {planned.Service} in {planned.Cluster} back to {Short(previous)} (what {undoes} replaced) with a new deployment, then wait for it",
            [$"service {planned.Cluster}/{planned.Service}: {Short(planned.TargetTaskDefinition)} → {Short(previous)}"],
            nothingToDo: false, step.ExpectedSeconds, step.DeadlineSeconds, inverted, EcsPlanJson.Default.EcsPlan);
        return (plan, previous);
    }

    internal static string Short(string taskDefinition) =>
        TaskDefinitionRevision.TryParse(taskDefinition, out var parsed) ? parsed.ToString() : taskDefinition;
}
