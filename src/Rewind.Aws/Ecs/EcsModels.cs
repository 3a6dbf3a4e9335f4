namespace Rewind.Aws.Ecs;

/// <summary>One revision of a task definition.</summary>
public sealed record TaskDefinition
{
    public required string TaskDefinitionArn { get; init; }
    public required string Family { get; init; }
    public required int Revision { get; init; }
    public TaskDefinitionStatus Status { get; init; }
    public IReadOnlyList<ContainerDefinition> ContainerDefinitions { get => field ?? []; init; }

    /// <summary>When the revision was registered; moto does not report it (null there).</summary>
    public DateTimeOffset? RegisteredAt { get; init; }
}

/// <summary>A container of a task definition: its name and image.</summary>
public sealed record ContainerDefinition
{
    public required string Name { get; init; }
    public string? Image { get; init; }
}

/// <summary>A task definition and the tags on it.</summary>
public sealed record TaskDefinitionDescription(TaskDefinition TaskDefinition, IReadOnlyList<EcsTag> Tags);

/// <summary>A resource tag.</summary>
public sealed record EcsTag(string Key, string Value);

/// <summary>A service as DescribeServices and UpdateService report it.</summary>
public sealed record EcsService
{
    public required string ServiceArn { get; init; }
    public required string ServiceName { get; init; }
    public string? ClusterArn { get; init; }
    public ServiceStatus Status { get; init; }

    /// <summary>The service's task definition: an ARN on AWS, but moto stores what UpdateService was given ("family:rev").</summary>
    public string? TaskDefinition { get; init; }

    public int DesiredCount { get; init; }
    public int RunningCount { get; init; }
    public int PendingCount { get; init; }
    public IReadOnlyList<Deployment> Deployments { get => field ?? []; init; }
    public DeploymentConfiguration? DeploymentConfiguration { get; init; }

    /// <summary>ECS, CODE_DEPLOY or EXTERNAL; null (absent) means ECS.</summary>
    public DeploymentController? DeploymentController { get; init; }

    /// <summary>The service's load balancers, with the advanced configuration of a BLUE_GREEN/LINEAR/CANARY service.</summary>
    public IReadOnlyList<ServiceLoadBalancer> LoadBalancers { get => field ?? []; init; }

    /// <summary>The ARN of the service's current service deployment (absent on older endpoints and on moto).</summary>
    public string? CurrentServiceDeployment { get; init; }

    /// <summary>The newest service events, newest first (at most <see cref="EcsClient.MaxEvents"/>).</summary>
    public IReadOnlyList<ServiceEvent> Events { get => field ?? []; init; }

    /// <summary>The deployment with status PRIMARY, if any.</summary>
    public Deployment? PrimaryDeployment => Deployments.FirstOrDefault(d => d.Status == DeploymentStatus.Primary);
}

/// <summary>One deployment of a service (the Deployment shape of DescribeServices).</summary>
public sealed record Deployment
{
    public required string Id { get; init; }
    public DeploymentStatus Status { get; init; }
    public string? TaskDefinition { get; init; }
    public int DesiredCount { get; init; }
    public int RunningCount { get; init; }
    public int PendingCount { get; init; }
    public int FailedTasks { get; init; }
    public RolloutState RolloutState { get; init; }
    public string? RolloutStateReason { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>The part of a service's deployment configuration Rewind reads.</summary>
public sealed record DeploymentConfiguration
{
    public DeploymentCircuitBreaker? DeploymentCircuitBreaker { get; init; }

    /// <summary>ROLLING when absent (the ECS default).</summary>
    public DeploymentStrategy? Strategy { get; init; }

    /// <summary>How long a BLUE_GREEN/LINEAR/CANARY deployment keeps the source revision after the last shift.</summary>
    public int? BakeTimeInMinutes { get; init; }

    public IReadOnlyList<DeploymentLifecycleHook> LifecycleHooks { get => field ?? []; init; }
    public LinearConfiguration? LinearConfiguration { get; init; }
    public CanaryConfiguration? CanaryConfiguration { get; init; }
}

/// <summary>Who deploys the service.</summary>
public sealed record DeploymentController(DeploymentControllerType Type);

/// <summary>A LINEAR deployment's shift: this percent of production traffic each step, with a bake between steps.</summary>
public sealed record LinearConfiguration(double? StepPercent, int? StepBakeTimeInMinutes);

/// <summary>A CANARY deployment's first shift: this percent, baked for this long, then the rest.</summary>
public sealed record CanaryConfiguration(double? CanaryPercent, int? CanaryBakeTimeInMinutes);

/// <summary>A lifecycle hook of a service's deployments: a Lambda or a PAUSE at the given stages.</summary>
public sealed record DeploymentLifecycleHook
{
    public LifecycleHookTargetType TargetType { get; init; }
    public string? HookTargetArn { get; init; }
    public IReadOnlyList<ServiceDeploymentLifecycleStage> LifecycleStages { get => field ?? []; init; }
}

/// <summary>One load balancer of a service: its target group and, for a blue/green-style service, the advanced configuration.</summary>
public sealed record ServiceLoadBalancer
{
    public string? TargetGroupArn { get; init; }
    public string? LoadBalancerName { get; init; }
    public string? ContainerName { get; init; }
    public int? ContainerPort { get; init; }
    public AdvancedConfiguration? AdvancedConfiguration { get; init; }
}

/// <summary>
/// The listener rules ECS owns for a BLUE_GREEN/LINEAR/CANARY service: it rewrites the production rule to a weighted
/// forward between the target group and the alternate one and moves the weights itself.
/// </summary>
public sealed record AdvancedConfiguration
{
    public string? AlternateTargetGroupArn { get; init; }
    public string? ProductionListenerRule { get; init; }
    public string? TestListenerRule { get; init; }
    public string? RoleArn { get; init; }
}

/// <summary>Whether failed deployments are detected, and rolled back automatically.</summary>
public sealed record DeploymentCircuitBreaker(bool Enable, bool Rollback);

/// <summary>A service event message.</summary>
public sealed record ServiceEvent(string Id, DateTimeOffset CreatedAt, string Message);

/// <summary>A resource ECS could not describe, and why ("MISSING").</summary>
public sealed record EcsFailure(string? Arn, string? Reason, string? Detail = null);

/// <summary>The services found and the names ECS could not find.</summary>
public sealed record ServicesDescription(IReadOnlyList<EcsService> Services, IReadOnlyList<EcsFailure> Failures);

/// <summary>
/// An UpdateService call: point <paramref name="Service"/> at <paramref name="TaskDefinition"/> (family:revision or ARN),
/// optionally forcing a new deployment and changing the desired count.
/// </summary>
public sealed record ServiceUpdate(
    string Cluster,
    string Service,
    string? TaskDefinition,
    bool ForceNewDeployment = false,
    int? DesiredCount = null);
