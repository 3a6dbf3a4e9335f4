using Rewind.Aws.Ecs;
using Rewind.Aws.Elb;
using Rewind.Aws.SecretsManager;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Playbook.Canary;
using Rewind.Playbook.Ecs;
using Rewind.Playbook.Secrets;

namespace Rewind.Playbook.Undo;

/// <summary>
/// Reads live state before an undo: every layer the undo would overwrite must still be where the undone run left it
/// (then the undo changes it) or already back on what the run replaced (then that layer has nothing to do). Anything
/// else means somebody moved it since (a deploy after the run, weights moved, AWSCURRENT moved): the undo is refused,
/// naming the moved value, before any change.
/// </summary>
public sealed class UndoLiveCheck(IEcsClient ecs, IElbClient elb, ISecretsManagerClient secrets)
{
    /// <summary>
    /// <paramref name="draft"/>'s steps with those already back on their value marked nothing-to-do; throws (bad input)
    /// when a layer moved since <paramref name="undone"/>.
    /// </summary>
    public async Task<IReadOnlyList<StepPlan>> CheckAsync(UndoDraft draft, RollbackPlan undone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(undone);
        var checkedSteps = new List<StepPlan>();
        foreach (var step in draft.Steps)
        {
            var original = undone.Steps.FirstOrDefault(s => s.Step == step.Step);
            checkedSteps.Add(step.Step switch
            {
                "ecs" when original is not null => await EcsAsync(draft.Undoes, original, step, cancellationToken),
                "canary" when original is not null && !step.NothingToDo => await CanaryAsync(draft.Undoes, original, step, cancellationToken),
                "secrets" when original is not null => await SecretsAsync(draft.Undoes, original, step, cancellationToken),
                _ => step,
            });
        }
        return checkedSteps;
    }

    private async Task<StepPlan> EcsAsync(string undoes, StepPlan original, StepPlan undo, CancellationToken cancellationToken)
    {
        var left = EcsStep.Read(original);
        var wanted = EcsStep.Read(undo);
        var service = await EcsStep.DescribeAsync(ecs, wanted.Cluster, wanted.Service, cancellationToken);
        var running = service.PrimaryDeployment?.TaskDefinition ?? service.TaskDefinition ?? "none";
        if (Same(running, left.TargetTaskDefinition))
            return undo;
        if (Same(running, wanted.TargetTaskDefinition))
            return undo with { NothingToDo = true, Summary = $"{wanted.Service} already runs {Short(running)}, what {undoes} replaced" };
        throw Moved(
            $"{wanted.Service} now runs {Short(running)}, not {Short(left.TargetTaskDefinition)} that {undoes} left; undo would overwrite it",
            $"to go back anyway: rewind run --live --to {Short(wanted.TargetTaskDefinition)}");
    }

    private async Task<StepPlan> CanaryAsync(string undoes, StepPlan original, StepPlan undo, CancellationToken cancellationToken)
    {
        var reader = CanaryStep.ForExecution(elb, null, original);
        if (await reader.DifferenceFromAsync(original, cancellationToken) is not { } moved)
            return undo;
        if (await reader.DifferenceFromAsync(undo, cancellationToken) is null)
            return undo with { NothingToDo = true, Summary = $"weights already {CanaryStep.Read(undo).Wanted}, what {undoes} replaced" };
        var planned = CanaryStep.Read(undo);
        throw Moved($"{moved} that {undoes} left; undo would overwrite them", $"to set them anyway: rewind canary --percent {planned.Wanted.Canary} --live");
    }

    /// <summary>Secrets already back are dropped from the moves; a secret whose AWSCURRENT is on a third version refuses the undo.</summary>
    private async Task<StepPlan> SecretsAsync(string undoes, StepPlan original, StepPlan undo, CancellationToken cancellationToken)
    {
        var left = SecretsStep.Read(original).Secrets.ToDictionary(s => s.SecretId, s => s.TargetVersion, StringComparer.Ordinal);
        var moves = SecretsStep.Read(undo).Secrets;
        var remaining = new List<SecretMove>();
        foreach (var move in moves)
        {
            var current = (await secrets.DescribeSecretAsync(move.SecretId, cancellationToken)
                ?? throw Moved($"secret {move.SecretId} no longer exists; undo would restore its AWSCURRENT", "leave it out: there is no way to undo that layer")).VersionWithStage("AWSCURRENT");
            if (current == move.TargetVersion)
                continue;
            if (current != left[move.SecretId])
            {
                throw Moved(
                    $"secret {move.SecretId}: AWSCURRENT is now on {current ?? "no version"}, not {left[move.SecretId]} that {undoes} left; undo would overwrite it",
                    $"to move it anyway: rewind secret --secret-id {move.SecretId} --live");
            }
            remaining.Add(move);
        }
        if (remaining.Count == moves.Count)
            return undo;
        if (remaining.Count == 0)
            return undo with { NothingToDo = true, Summary = $"every secret's AWSCURRENT is already on the version {undoes} replaced" };
        return StepPlan.Of(undo.Step, undo.Stage, $"move AWSCURRENT back on {remaining.Count} secret(s) (what {undoes} replaced)",
            [.. undo.Changes.Where(c => remaining.Any(m => c.StartsWith($"secret {m.SecretId}:", StringComparison.Ordinal)))],
            nothingToDo: false, undo.ExpectedSeconds, undo.DeadlineSeconds, new SecretsPlan(remaining), SecretsPlanJson.Default.SecretsPlan);
    }

    private static RewindException Moved(string message, string fix) => new(message, $"nothing was changed; {fix}", FailureKind.BadInput);

    private static bool Same(string? a, string? b) =>
        TaskDefinitionRevision.TryParse(a, out var left) && TaskDefinitionRevision.TryParse(b, out var right) && left == right;

    private static string Short(string taskDefinition) => UndoInverter.Short(taskDefinition);
}
