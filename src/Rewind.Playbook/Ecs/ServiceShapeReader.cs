using Rewind.Aws.Ecs;
using Rewind.Aws.Errors;

namespace Rewind.Playbook.Ecs;

/// <summary>
/// Reads a service's <see cref="ServiceShape"/>: DescribeServices, then ListServiceDeployments and
/// DescribeServiceDeployments for the deployment in flight or the one ECS rolled back, then DescribeServiceRevisions
/// for the task definitions their revisions run. An endpoint without the service deployment operations gives the
/// shape from DescribeServices alone; a revision ECS cannot describe (created before 2024-10-25) falls back to the
/// service's deployments. Either is said in <see cref="ServiceShape.Note"/>.
/// </summary>
public sealed class ServiceShapeReader(IEcsClient ecs)
{
    private static readonly ServiceDeploymentStatus[] InFlightStatuses =
    [
        ServiceDeploymentStatus.Pending, ServiceDeploymentStatus.InProgress, ServiceDeploymentStatus.StopRequested,
        ServiceDeploymentStatus.RollbackRequested, ServiceDeploymentStatus.RollbackInProgress,
    ];

    /// <summary>The shape as DescribeServices alone gives it (controller, strategy, load balancers): one call, for the canary step's check.</summary>
    public async Task<ServiceShape> ReadConfigurationAsync(string cluster, string serviceName, CancellationToken cancellationToken) =>
        Of(await EcsStep.DescribeAsync(ecs, cluster, serviceName, cancellationToken));

    private static ServiceShape Of(EcsService service) => new()
    {
        Service = service,
        Controller = service.DeploymentController?.Type is { } type and not DeploymentControllerType.Unknown ? type : DeploymentControllerType.Ecs,
        Strategy = service.DeploymentConfiguration?.Strategy is { } strategy and not DeploymentStrategy.Unknown ? strategy : DeploymentStrategy.Rolling,
    };

    public async Task<ServiceShape> ReadAsync(string cluster, string serviceName, CancellationToken cancellationToken)
    {
        var shape = await ReadConfigurationAsync(cluster, serviceName, cancellationToken);
        var service = shape.Service;
        if (shape.Controller != DeploymentControllerType.Ecs)
            return shape;

        var listed = await ecs.ListServiceDeploymentsAsync(cluster, serviceName, cancellationToken);
        if (!listed.Supported)
            return shape with { RolledBack = RolledBackInDeployments(service), HistoryNote = listed.Reason, Note = $"shape from DescribeServices alone: ListServiceDeployments {listed.Reason}" };
        shape = shape with { Listed = listed.Deployments };
        var newest = listed.Deployments.OrderByDescending(d => d.CreatedAt ?? d.StartedAt ?? d.FinishedAt).ToList();
        var inFlight = newest.FirstOrDefault(d => InFlightStatuses.Contains(d.Status));
        var rolledBack = inFlight is null && newest.FirstOrDefault() is { Status: ServiceDeploymentStatus.RollbackSuccessful } last ? last : null;
        if ((inFlight ?? rolledBack) is not { } brief)
            return shape;

        var described = await ecs.DescribeServiceDeploymentsAsync([brief.ServiceDeploymentArn], cancellationToken);
        if (described.Deployments.FirstOrDefault() is not { } deployment)
            return shape with { Note = $"deployment {brief.ServiceDeploymentArn} could not be described ({(described.Supported ? described.Failures.FirstOrDefault()?.Reason ?? "not found" : described.Reason)})" };

        var arns = deployment.SourceServiceRevisions.Select(r => r.Arn)
            .Append(deployment.TargetServiceRevision?.Arn).Append(deployment.Rollback?.ServiceRevisionArn).OfType<string>().Distinct().ToList();
        var (revisions, note) = await TaskDefinitionsAsync(arns, cancellationToken);
        string? Of(string? arn) => arn is not null && revisions.TryGetValue(arn, out var td) ? td : null;
        var primary = service.PrimaryDeployment?.TaskDefinition ?? service.TaskDefinition;
        var older = service.Deployments.FirstOrDefault(d => d.Status == DeploymentStatus.Active)?.TaskDefinition;
        if (inFlight is not null)
        {
            var source = deployment.SourceServiceRevisions.Select(r => Of(r.Arn)).FirstOrDefault(t => t is not null);
            var target = Of(deployment.TargetServiceRevision?.Arn);
            return shape with
            {
                InFlight = new DeploymentInFlight(deployment, source ?? (note is null ? null : older), target ?? (note is null ? null : primary)),
                Note = note is null ? null : $"{note}: the revisions' task definitions are taken from DescribeServices (PRIMARY runs {ServiceShape.Short(primary)}{(older is null ? "" : $", ACTIVE runs {ServiceShape.Short(older)}")})",
            };
        }
        return shape with
        {
            RolledBack = new RolledBackByEcs(deployment, Of(deployment.TargetServiceRevision?.Arn), Of(deployment.Rollback?.ServiceRevisionArn) ?? primary),
            Note = note is null ? null : $"{note}: the revision returned to is taken from DescribeServices ({ServiceShape.Short(primary)})",
        };
    }

    /// <summary>
    /// Without service deployments: a FAILED deployment the circuit breaker rolled back, beside a PRIMARY deployment of
    /// another revision whose rollout COMPLETED, as DescribeServices shows them until the failed one drains.
    /// </summary>
    private static RolledBackByEcs? RolledBackInDeployments(EcsService service)
    {
        if (service.PrimaryDeployment is not { RolloutState: RolloutState.Completed } primary
            || service.Deployments.FirstOrDefault(d => d.Status != DeploymentStatus.Primary && d.RolloutState == RolloutState.Failed) is not { } failed
            || RollbackPathChooser.Same(failed.TaskDefinition, primary.TaskDefinition))
            return null;
        var deployment = new ServiceDeployment
        {
            ServiceDeploymentArn = failed.Id,
            Status = ServiceDeploymentStatus.RollbackSuccessful,
            StatusReason = failed.RolloutStateReason,
            UpdatedAt = primary.CreatedAt ?? failed.UpdatedAt,
        };
        return new RolledBackByEcs(deployment, failed.TaskDefinition, primary.TaskDefinition);
    }

    /// <summary>The task definition of each revision ECS could describe, and why some could not be.</summary>
    private async Task<(Dictionary<string, string> TaskDefinitions, string? Note)> TaskDefinitionsAsync(IReadOnlyList<string> arns, CancellationToken cancellationToken)
    {
        if (arns.Count == 0)
            return ([], null);
        ServiceDeploymentsResult<ServiceRevision> described;
        try
        {
            described = await ecs.DescribeServiceRevisionsAsync(arns, cancellationToken);
        }
        catch (AwsServiceException e) when (e.Code is "InvalidParameterException" or "ClientException" or "ServiceNotFoundException")
        {
            return ([], $"DescribeServiceRevisions refused ({e.ErrorMessage}; revisions created before 2024-10-25 cannot be described)");
        }
        if (!described.Supported)
            return ([], $"DescribeServiceRevisions {described.Reason}");
        var found = described.Deployments.Where(r => r.TaskDefinition is not null).ToDictionary(r => r.ServiceRevisionArn, r => r.TaskDefinition!, StringComparer.Ordinal);
        var note = described.Failures.FirstOrDefault() is { } failure ? Undescribed(failure) : null;
        return (found, note);
    }

    /// <summary>Why a service revision is unknown: DescribeServiceRevisions answered it as a failure (e.g. created before 2024-10-25).</summary>
    internal static string Undescribed(EcsFailure failure) =>
        $"service revision {ServiceShape.Last(failure.Arn ?? "?")} could not be described ({failure.Reason}{(failure.Detail is null ? "" : ": " + failure.Detail)}; revisions created before 2024-10-25 cannot be)";
}
