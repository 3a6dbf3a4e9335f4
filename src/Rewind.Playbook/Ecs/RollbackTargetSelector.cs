using Rewind.Aws.Ecs;
using Rewind.Aws.Errors;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Playbook.Ecs.CodeDeploy;

namespace Rewind.Playbook.Ecs;

/// <summary>
/// Chooses what to roll back to, and says why: <c>--to</c> (a release or a revision), else the ledger's last
/// known-good release, else ECS's deployment history (the newest successful deployment of another revision, where the
/// endpoint has ListServiceDeployments and DescribeServiceRevisions), else the next lower ACTIVE revision. Never N-1
/// blindly: releases rolled back from and INACTIVE revisions are never chosen, and a service already on its last
/// known-good release stays there (the plan has nothing to do) unless <c>--to</c> pins another, and so does a service
/// ECS itself already rolled back (circuit breaker or alarm) to the revision before the bad one. For a CODE_DEPLOY
/// service the deployment history is CodeDeploy's (<paramref name="codeDeployHistory"/>: ECS keeps none for it), and
/// while a CodeDeploy deployment is in flight the revision it replaces is the candidate before the next lower ACTIVE.
/// </summary>
public sealed class RollbackTargetSelector(IEcsClient ecs, IReleaseStore releases, EcsSettings settings, ICodeDeployHistory? codeDeployHistory = null)
{
    public async Task<RollbackTarget> SelectAsync(string service, string? pinned, CancellationToken cancellationToken)
    {
        var reader = new ServiceShapeReader(ecs);
        if (pinned is not null)
        {
            CurrentTaskDefinition(await reader.ReadConfigurationAsync(settings.Cluster, settings.Service, cancellationToken));
            return await PinnedAsync(service, pinned, cancellationToken);
        }
        // One read of the service and its deployment history serves the ECS rollback check and the history source.
        var shape = await reader.ReadAsync(settings.Cluster, settings.Service, cancellationToken);
        var current = CurrentTaskDefinition(shape);
        var currentRevision = TaskDefinitionRevision.Parse(current);

        var knownGood = (await releases.ListReleasesAsync(service, 50, cancellationToken))
            .Where(r => r.Status == ReleaseStatus.KnownGood && r.TaskDefinitions.ContainsKey(settings.Service))
            .OrderByDescending(r => r.RecordedAt)
            .FirstOrDefault();
        // The service already on its last known-good release is where a rollback ends, not where the next one starts:
        // going further back (to an older revision) would be a new change nobody asked for. Pin one with --to for that.
        if (knownGood is not null)
            return FromRelease(knownGood, SameRevision(knownGood.TaskDefinitions[settings.Service], currentRevision)
                ? "last known-good release in the ledger, which the service already runs"
                : "last known-good release in the ledger");

        // ECS itself (circuit breaker or alarm) already returned the service to the revision before the bad one: that is
        // the target, not one revision further back.
        if (shape.RolledBack is { } byEcs && SameRevision(byEcs.ReturnedTo ?? "", currentRevision))
            return new RollbackTarget("revision", currentRevision.ToString(), $"{byEcs.Describe()}; the service already runs it", null, current);

        var rolledBack = (await releases.ListReleasesAsync(service, 200, cancellationToken))
            .Where(r => r.Status == ReleaseStatus.RolledBack)
            .SelectMany(r => r.TaskDefinitions.Values)
            .ToList();
        var (fromHistory, historyNote) = shape.Controller == DeploymentControllerType.CodeDeploy && codeDeployHistory is not null
            ? await FromCodeDeployHistoryAsync(shape.Service, codeDeployHistory, currentRevision, rolledBack, cancellationToken)
            : await FromDeploymentHistoryAsync(shape, currentRevision, rolledBack, cancellationToken);
        if (fromHistory is not null)
            return fromHistory;

        var lower = (await ecs.ListTaskDefinitionsAsync(settings.Family, TaskDefinitionStatus.Active, SortOrder.Desc, cancellationToken))
            .Select(arn => (Arn: arn, Revision: TaskDefinitionRevision.Parse(arn)))
            .Where(t => t.Revision.Family == currentRevision.Family && t.Revision.Revision < currentRevision.Revision)
            // The emulator ignores the sort; sorting here keeps the choice right everywhere.
            .OrderByDescending(t => t.Revision.Revision)
            .FirstOrDefault();
        if (lower.Arn is not null)
            return new RollbackTarget("revision", lower.Revision.ToString(), $"next lower ACTIVE revision below the running {currentRevision} (no known-good release in the ledger; {historyNote})", null, lower.Arn);

        throw new RewindException(
            $"no rollback target for {settings.Service}: no known-good release in the ledger and no ACTIVE revision of {settings.Family} below {currentRevision.Revision}",
            "pin one with --to REVISION or --to RELEASE, or record releases with 'rewind record'", FailureKind.BadInput);
    }

    private async Task<RollbackTarget> PinnedAsync(string service, string pinned, CancellationToken cancellationToken)
    {
        var release = await releases.GetReleaseAsync(pinned, cancellationToken)
            ?? (await releases.ListReleasesAsync(service, 200, cancellationToken)).FirstOrDefault(r => r.Version == pinned);
        if (release is not null)
        {
            if (!release.TaskDefinitions.ContainsKey(settings.Service))
                throw new RewindException($"release {release.Id} has no task definition for ECS service {settings.Service}", "pin another release or a revision with --to", FailureKind.BadInput);
            return FromRelease(release, "pinned");
        }

        var reference = int.TryParse(pinned, out var revision) ? $"{settings.Family}:{revision}" : pinned;
        if (!TaskDefinitionRevision.TryParse(reference, out _))
            throw new RewindException($"--to '{pinned}' is neither a release in the ledger nor a task definition revision", "give a release id or version (rewind history), a revision number, family:revision or an ARN", FailureKind.BadInput);
        TaskDefinition definition;
        try
        {
            definition = (await ecs.DescribeTaskDefinitionAsync(reference, cancellationToken)).TaskDefinition;
        }
        catch (AwsServiceException e) when (e.Code is "ClientException" or "InvalidParameterException" or "ResourceNotFoundException")
        {
            throw new RewindException($"task definition {reference} does not exist ({e.ErrorMessage})", "list revisions with 'aws ecs list-task-definitions --family-prefix " + settings.Family + "'", FailureKind.BadInput);
        }
        if (definition.Status != TaskDefinitionStatus.Active)
            throw new RewindException($"task definition {reference} is {definition.Status.ToString().ToUpperInvariant()}", "pick an ACTIVE revision: an INACTIVE one cannot start new tasks", FailureKind.BadInput);
        return new RollbackTarget("revision", $"{definition.Family}:{definition.Revision}", "pinned", null, definition.TaskDefinitionArn);
    }

    /// <summary>
    /// The task definition of the newest SUCCESSFUL service deployment that ran another revision than the current one,
    /// is not a release rolled back from, and is still ACTIVE; else null and why (for the fallback's reason). A revision
    /// ECS could not describe (created before 2024-10-25) is passed over, and the reason says so.
    /// </summary>
    private async Task<(RollbackTarget? Target, string Note)> FromDeploymentHistoryAsync(
        ServiceShape shape, TaskDefinitionRevision current, IReadOnlyList<string> rolledBack, CancellationToken cancellationToken)
    {
        if (shape.Listed is not { } listed)
            return (null, $"ECS deployment history {shape.HistoryNote ?? $"not read ({ServiceShape.Wire(shape.Controller)} controller)"}");
        var successful = listed
            .Where(d => d.Status == ServiceDeploymentStatus.Successful && d.TargetServiceRevisionArn is not null)
            .OrderByDescending(d => d.FinishedAt ?? d.StartedAt ?? d.CreatedAt)
            .ToList();
        if (successful.Count == 0)
            return (null, "no successful deployment in ECS's deployment history");
        var revisions = await ecs.DescribeServiceRevisionsAsync([.. successful.Select(d => d.TargetServiceRevisionArn!).Distinct()], cancellationToken);
        if (!revisions.Supported)
            return (null, $"ECS service revisions {revisions.Reason}");
        string? undescribed = null;
        foreach (var deployment in successful)
        {
            if (undescribed is null && revisions.Failures.FirstOrDefault(f => f.Arn == deployment.TargetServiceRevisionArn) is { } failure)
                undescribed = ServiceShapeReader.Undescribed(failure);
            var taskDefinition = revisions.Deployments.FirstOrDefault(r => r.ServiceRevisionArn == deployment.TargetServiceRevisionArn)?.TaskDefinition;
            if (taskDefinition is null || !TaskDefinitionRevision.TryParse(taskDefinition, out var revision) || revision == current
                || rolledBack.Any(arn => SameRevision(arn, revision)) || await ActiveAsync(taskDefinition, cancellationToken) is not { } arn)
                continue;
            return (new RollbackTarget("revision", revision.ToString(),
                $"last successful ECS deployment of another revision ({deployment.FinishedAt ?? deployment.StartedAt:yyyy-MM-dd HH:mm}Z, {deployment.ServiceDeploymentArn})"
                + (undescribed is null ? "" : $"; a newer one's {undescribed}"),
                null, arn), "");
        }
        return (null, undescribed is null
            ? "no other ACTIVE revision in ECS's deployment history"
            : $"no other ACTIVE revision in ECS's deployment history: {undescribed}");
    }

    /// <summary>
    /// For a CODE_DEPLOY service: the newest Succeeded CodeDeploy deployment (its revision, then the one it replaced) of
    /// a revision that is neither the bad one (the one in flight, else the running one) nor rolled back from, and is
    /// ACTIVE; else, with a deployment in flight, the revision it replaces (the one the service still runs); else null
    /// and why.
    /// </summary>
    private async Task<(RollbackTarget? Target, string Note)> FromCodeDeployHistoryAsync(
        EcsService service, ICodeDeployHistory source, TaskDefinitionRevision current, IReadOnlyList<string> rolledBack, CancellationToken cancellationToken)
    {
        if (await source.ReadHistoryAsync(service, cancellationToken) is not { } history)
            return (null, "no CodeDeploy deployment group found for the service");
        var bad = history.InFlight is { } deploying && TaskDefinitionRevision.TryParse(deploying.TaskDefinition, out var inFlight) ? inFlight : current;
        // Each Succeeded deployment's own revision, then the one it replaced (its previousRevision): the revision before
        // the first CodeDeploy deployment of a group is known only that way.
        var candidates = history.Succeeded.SelectMany(d => new[]
        {
            (TaskDefinition: d.TaskDefinition, Reason: $"last Succeeded CodeDeploy deployment of another revision ({d.At:yyyy-MM-dd HH:mm}Z, {d.DeploymentId} of {history.Group})"),
            (TaskDefinition: d.Replaced, Reason: $"the revision that Succeeded CodeDeploy deployment {d.DeploymentId} of {history.Group} replaced ({d.At:yyyy-MM-dd HH:mm}Z)"),
        }).DistinctBy(c => c.TaskDefinition);
        foreach (var (taskDefinition, reason) in candidates)
        {
            if (taskDefinition is null || !TaskDefinitionRevision.TryParse(taskDefinition, out var revision) || revision == bad
                || (history.InFlight is null && revision == current) || rolledBack.Any(arn => SameRevision(arn, revision))
                || await ActiveAsync(taskDefinition, cancellationToken) is not { } arn)
                continue;
            return (new RollbackTarget("revision", revision.ToString(), reason, null, arn), "");
        }
        if (history.InFlight is { } replacing && bad != current && !rolledBack.Any(arn => SameRevision(arn, current))
            && await ActiveAsync(CurrentTaskDefinitionOf(service), cancellationToken) is { } original)
        {
            return (new RollbackTarget("revision", current.ToString(),
                $"the revision CodeDeploy deployment {replacing.DeploymentId} of {history.Group} replaces with {bad} (in flight); the service still runs it",
                null, original), "");
        }
        return (null, $"no other ACTIVE revision in the CodeDeploy deployments of {history.Group}");
    }

    /// <summary>The task definition's ARN when it is ACTIVE, else null.</summary>
    private async Task<string?> ActiveAsync(string taskDefinition, CancellationToken cancellationToken)
    {
        var definition = (await ecs.DescribeTaskDefinitionAsync(taskDefinition, cancellationToken)).TaskDefinition;
        return definition.Status == TaskDefinitionStatus.Active ? definition.TaskDefinitionArn : null;
    }

    private string CurrentTaskDefinition(ServiceShape shape) => CurrentTaskDefinitionOf(shape.Service);

    private string CurrentTaskDefinitionOf(EcsService service) =>
        service.PrimaryDeployment?.TaskDefinition ?? service.TaskDefinition
            ?? throw new RewindException($"ECS service {settings.Service} has no task definition", "check the service in the ECS console", FailureKind.BadInput);

    private RollbackTarget FromRelease(Release release, string reason) =>
        new("release", $"release {release.Version} ({release.Id})", reason, release.Id, release.TaskDefinitions[settings.Service])
        {
            Snapshot = Snapshot(release),
        };

    private static Dictionary<string, string> Snapshot(Release release)
    {
        var snapshot = new Dictionary<string, string>(StringComparer.Ordinal);
        if (release.Canary is { } weights)
            snapshot["canary"] = $"{weights.Main}/{weights.Canary}";
        foreach (var (secret, version) in release.SecretVersions)
            snapshot["secret:" + secret] = version;
        if (release.TerraformRevision is { } revision)
            snapshot["terraform"] = revision;
        if (release.DistributionId is { } distribution)
            snapshot["distribution"] = distribution;
        return snapshot;
    }

    private static bool SameRevision(string arn, TaskDefinitionRevision current) =>
        TaskDefinitionRevision.TryParse(arn, out var parsed) && parsed == current;
}
