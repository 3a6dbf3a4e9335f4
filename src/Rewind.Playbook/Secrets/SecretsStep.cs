using System.Text.Json.Nodes;
using Rewind.Aws.SecretsManager;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;

namespace Rewind.Playbook.Secrets;

/// <summary>
/// Playbook "Secret Rotation Rollback": for each secret, move AWSCURRENT to the version the target release recorded
/// (else AWSPREVIOUS), off the current one, and read the stages back. Runs before the ECS step, so the tasks it
/// restarts read the old value. Only version ids are read, journaled and shown; never a value.
/// AWSPREVIOUS is never used when an earlier rollback moved AWSCURRENT away from that version (<paramref name="history"/>):
/// right after a rollback it is the bad value again. Only a target release that recorded the version moves back onto it.
/// <paramref name="secretIds"/> (today's rewind.yaml or <c>--secret-id</c>) are for planning and for reporting drift:
/// execution moves the plan's secrets only.
/// </summary>
public sealed class SecretsStep(ISecretsManagerClient secrets, IReadOnlyList<string> secretIds, SecretRollbackHistory? history = null) : ILayerStep
{
    /// <summary>The step that executes a stored plan (resume): it names no secrets of its own and reports no drift.</summary>
    public static SecretsStep ForExecution(ISecretsManagerClient secrets) => new(secrets, []);

    private const string Current = "AWSCURRENT";
    private const string Previous = "AWSPREVIOUS";

    public string Name => "secrets";
    public StepStage Stage => StepStage.Secrets;

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        var planned = new List<SecretMove>();
        var changes = new List<string>();
        var moves = 0;
        foreach (var id in secretIds)
        {
            var secret = await DescribeAsync(id, cancellationToken);
            var current = secret.VersionWithStage(Current)
                ?? throw new RewindException($"secret {id} has no {Current} version", "check secrets[].id in rewind.yaml", FailureKind.BadInput);
            string? recorded = null;
            var named = context.Target is { } release && release.Snapshot.TryGetValue("secret:" + id, out recorded);
            var (target, why) = named
                ? (recorded, "recorded in the target release")
                : (secret.VersionWithStage(Previous), Previous);
            if (!named && target is not null && target != current && history is not null
                && (await history.MovedAwayFromAsync(context.Service, id, cancellationToken)).TryGetValue(target, out var leftBy))
            {
                planned.Add(new SecretMove(id, current));
                changes.Add($"secret {secret.Name}: {Current} stays on {current}: {Previous} {target} is the version {leftBy} moved {Current} away from (to move onto it, name a release that recorded it: --to RELEASE)");
                continue;
            }
            if (target is null)
                throw new RewindException($"secret {id} has no {Previous} version and the target release recorded none", "pass --skip secrets, or roll the secret back by hand", FailureKind.BadInput);
            if (!secret.VersionIdsToStages.ContainsKey(target))
                throw new RewindException($"secret {id} has no version {target} (recorded in the target release)", "the version was deleted: pass --skip secrets", FailureKind.BadInput);
            planned.Add(new SecretMove(id, target));
            if (current != target)
                moves++;
            changes.Add(current == target
                ? $"secret {secret.Name}: {Current} already on {target}"
                : $"secret {secret.Name}: {Current} {current} → {target} ({why})");
        }
        return StepPlan.Of(
            Name, Stage,
            moves == 0 ? "every secret's AWSCURRENT is already on its target version" : $"move {Current} back on {moves} secret(s)",
            changes, moves == 0, expectedSeconds: 1, deadlineSeconds: 60, new SecretsPlan(planned), SecretsPlanJson.Default.SecretsPlan);
    }

    /// <summary>The step's typed plan, from either schema version.</summary>
    public static SecretsPlan Read(StepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.Read(SecretsPlanJson.Default.SecretsPlan, fromVersion1: SecretsPlan.FromVersion1);
    }

    /// <inheritdoc />
    public IReadOnlyList<string> DriftFrom(StepPlan plan)
    {
        if (secretIds.Count == 0)
            return [];
        var planned = Read(plan).Secrets.Select(s => s.SecretId).ToList();
        return planned.SequenceEqual(secretIds, StringComparer.Ordinal)
            ? []
            : [$"secrets[].id is now {string.Join(", ", secretIds)}; the plan names {string.Join(", ", planned)}"];
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        var evidence = new List<SecretStage>();
        foreach (var (id, target) in Read(plan).Secrets)
        {
            var current = (await StepRetries.UntilDeadlineAsync(context, ct => DescribeAsync(id, ct), cancellationToken)).VersionWithStage(Current);
            if (current != target)
            {
                // Moving the label to the same version again is harmless: a busy Secrets Manager is simply asked again.
                await StepRetries.UntilDeadlineAsync(context, t => context.CallAsync(
                    "UpdateSecretVersionStage",
                    new JsonObject { ["secretId"] = id, ["versionStage"] = Current, ["moveToVersionId"] = target, ["removeFromVersionId"] = current },
                    ct => MoveAsync(new SecretStageMove(id, Current, target, current), ct),
                    moved => new JsonObject { ["arn"] = moved.Arn },
                    t), cancellationToken);
            }
            var readBack = (await StepRetries.UntilDeadlineAsync(context, ct => DescribeAsync(id, ct), cancellationToken)).VersionWithStage(Current);
            evidence.Add(new SecretStage(id, target, readBack));
            if (readBack != target)
                return StepResult.Failed($"secret {id}: {Current} read back on {readBack}, not {target}", new SecretsRestored(evidence));
        }
        return StepResult.Succeeded($"{Current} read back on the target version of {evidence.Count} secret(s)", new SecretsRestored(evidence));
    }

    /// <summary>
    /// The move; when it is refused because the label is no longer on the version it was taken from, an earlier
    /// delivery of this same move (its answer lost, resent by the transport) has landed: the read-back decides.
    /// </summary>
    private async Task<SecretIdentity> MoveAsync(SecretStageMove move, CancellationToken cancellationToken)
    {
        try
        {
            return await secrets.UpdateSecretVersionStageAsync(move, cancellationToken);
        }
        catch (Rewind.Aws.Errors.AwsServiceException e) when (e.Code == "InvalidParameterException")
        {
            var now = await DescribeAsync(move.SecretId, cancellationToken);
            if (now.VersionWithStage(Current) != move.MoveToVersionId)
                throw;
            return new SecretIdentity { Arn = now.Arn, Name = now.Name };
        }
    }

    /// <inheritdoc />
    public async Task<string?> DifferenceFromAsync(StepPlan plan, CancellationToken cancellationToken)
    {
        foreach (var (id, target) in Read(plan).Secrets)
        {
            var current = (await DescribeAsync(id, cancellationToken)).VersionWithStage(Current);
            if (current != target)
                return $"secret {id}: {Current} is on {current}, not {target}";
        }
        return null;
    }

    private async Task<SecretDescription> DescribeAsync(string id, CancellationToken cancellationToken) =>
        await secrets.DescribeSecretAsync(id, cancellationToken)
        ?? throw new RewindException($"secret {id} does not exist", "check secrets[].id in rewind.yaml (aws secretsmanager list-secrets)", FailureKind.BadInput);
}
