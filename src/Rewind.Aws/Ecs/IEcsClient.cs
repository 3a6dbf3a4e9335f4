namespace Rewind.Aws.Ecs;

/// <summary>The ECS operations Rewind uses.</summary>
public interface IEcsClient
{
    /// <summary>Every task definition ARN of <paramref name="familyPrefix"/> (all families when null) with that status, all pages; moto ignores sort and paging, so callers that need an order sort by revision.</summary>
    Task<IReadOnlyList<string>> ListTaskDefinitionsAsync(string? familyPrefix, TaskDefinitionStatus status, SortOrder sort, CancellationToken cancellationToken);

    /// <summary>One task definition revision (ARN, family:revision, or family for the latest ACTIVE) with its tags.</summary>
    Task<TaskDefinitionDescription> DescribeTaskDefinitionAsync(string taskDefinition, CancellationToken cancellationToken);

    /// <summary>Any number of services of a cluster (sent 10 per call), with the names ECS did not find as failures.</summary>
    Task<ServicesDescription> DescribeServicesAsync(string cluster, IReadOnlyList<string> services, CancellationToken cancellationToken);

    /// <summary>Changes a service's task definition (and optionally forces a new deployment or sets the desired count); returns the service.</summary>
    Task<EcsService> UpdateServiceAsync(ServiceUpdate update, CancellationToken cancellationToken);

    /// <summary>Every service ARN of a cluster, all pages.</summary>
    Task<IReadOnlyList<string>> ListServicesAsync(string cluster, CancellationToken cancellationToken);

    /// <summary>The service deployments of a service, all pages, or Supported = false when the endpoint lacks the operation.</summary>
    Task<ServiceDeploymentsResult<ServiceDeploymentBrief>> ListServiceDeploymentsAsync(string cluster, string service, CancellationToken cancellationToken);

    /// <summary>Service deployments in detail (sent 20 ARNs per call), or Supported = false when the endpoint lacks the operation.</summary>
    Task<ServiceDeploymentsResult<ServiceDeployment>> DescribeServiceDeploymentsAsync(IReadOnlyList<string> serviceDeploymentArns, CancellationToken cancellationToken);

    /// <summary>DescribeServiceRevisions, batched by 20: the task definition each revision ran; not supported on moto.</summary>
    Task<ServiceDeploymentsResult<ServiceRevision>> DescribeServiceRevisionsAsync(IReadOnlyList<string> serviceRevisionArns, CancellationToken cancellationToken);

    /// <summary>
    /// StopServiceDeployment: ROLLBACK returns a deployment in flight to its source revision (ECS's own rollback).
    /// Not idempotent (never resent after a lost answer); returns the stopped deployment's ARN.
    /// </summary>
    Task<string> StopServiceDeploymentAsync(string serviceDeploymentArn, StopServiceDeploymentType stopType, CancellationToken cancellationToken);

    /// <summary>ContinueServiceDeployment: answers a PAUSE hook awaiting action (ROLLBACK or CONTINUE); returns the deployment's ARN.</summary>
    Task<string> ContinueServiceDeploymentAsync(string serviceDeploymentArn, string hookId, LifecycleHookAction action, CancellationToken cancellationToken);

    /// <summary>Adds or overwrites tags on a resource (task definition, service, cluster).</summary>
    Task TagResourceAsync(string resourceArn, IReadOnlyList<EcsTag> tags, CancellationToken cancellationToken);

    /// <summary>The tags of a resource.</summary>
    Task<IReadOnlyList<EcsTag>> ListTagsForResourceAsync(string resourceArn, CancellationToken cancellationToken);
}
