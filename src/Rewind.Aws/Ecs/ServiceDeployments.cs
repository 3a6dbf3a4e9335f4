namespace Rewind.Aws.Ecs;

/// <summary>
/// The answer of ListServiceDeployments / DescribeServiceDeployments, or the fact that the endpoint does not know the
/// operation (older endpoints, moto): then <see cref="Supported"/> is false and <see cref="Deployments"/> is empty.
/// </summary>
public sealed record ServiceDeploymentsResult<T>
{
    public const string NotSupportedReason = "not supported by this endpoint";

    public bool Supported { get; init; }

    /// <summary>Why the operation could not be used; null when <see cref="Supported"/>.</summary>
    public string? Reason { get; init; }

    public IReadOnlyList<T> Deployments { get => field ?? []; init; }

    /// <summary>ARNs DescribeServiceDeployments could not describe.</summary>
    public IReadOnlyList<EcsFailure> Failures { get => field ?? []; init; }

    public static ServiceDeploymentsResult<T> Found(IReadOnlyList<T> deployments, IReadOnlyList<EcsFailure>? failures = null) =>
        new() { Supported = true, Deployments = deployments, Failures = failures ?? [] };

    public static ServiceDeploymentsResult<T> NotSupported() =>
        new() { Supported = false, Reason = NotSupportedReason };
}

/// <summary>A service deployment as ListServiceDeployments lists it.</summary>
public sealed record ServiceDeploymentBrief
{
    public required string ServiceDeploymentArn { get; init; }
    public string? ServiceArn { get; init; }
    public string? ClusterArn { get; init; }
    public ServiceDeploymentStatus Status { get; init; }
    public string? StatusReason { get; init; }
    public string? TargetServiceRevisionArn { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
}

/// <summary>A service deployment in detail: the revisions it moves from and to, its rollback and circuit breaker.</summary>
public sealed record ServiceDeployment
{
    public required string ServiceDeploymentArn { get; init; }
    public string? ServiceArn { get; init; }
    public string? ClusterArn { get; init; }
    public ServiceDeploymentStatus Status { get; init; }
    public string? StatusReason { get; init; }
    public IReadOnlyList<ServiceRevisionSummary> SourceServiceRevisions { get => field ?? []; init; }
    public ServiceRevisionSummary? TargetServiceRevision { get; init; }
    public ServiceDeploymentRollback? Rollback { get; init; }
    public ServiceDeploymentCircuitBreaker? DeploymentCircuitBreaker { get; init; }

    /// <summary>The stage a BLUE_GREEN/LINEAR/CANARY deployment is in (BAKE_TIME: the source revision still runs).</summary>
    public ServiceDeploymentLifecycleStage? LifecycleStage { get; init; }

    /// <summary>The hooks of the current stage; a PAUSE hook AWAITING_ACTION waits for ContinueServiceDeployment.</summary>
    public IReadOnlyList<LifecycleHookDetail> LifecycleHookDetails { get => field ?? []; init; }

    /// <summary>The configuration the deployment runs under (its strategy and bake times).</summary>
    public DeploymentConfiguration? DeploymentConfiguration { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public DateTimeOffset? StoppedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>
/// A service revision a deployment moves from or to, with its task counts and, under BLUE_GREEN/LINEAR/CANARY, the
/// share of production and test traffic ECS has asked for (0–100).
/// </summary>
public sealed record ServiceRevisionSummary(
    string Arn,
    int RequestedTaskCount,
    int RunningTaskCount,
    int PendingTaskCount,
    double? RequestedTestTrafficWeight = null,
    double? RequestedProductionTrafficWeight = null);

/// <summary>One lifecycle hook of a service deployment: the id ContinueServiceDeployment needs, and its state.</summary>
public sealed record LifecycleHookDetail
{
    public required string HookId { get; init; }
    public LifecycleHookTargetType TargetType { get; init; }
    public string? TargetArn { get; init; }
    public LifecycleHookStatus Status { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public LifecycleHookAction? TimeoutAction { get; init; }
}

/// <summary>Why and when a service deployment rolled back, and to which revision.</summary>
public sealed record ServiceDeploymentRollback(string? Reason, DateTimeOffset? StartedAt, string? ServiceRevisionArn);

/// <summary>The circuit breaker of one service deployment: its state, failures so far and the threshold.</summary>
public sealed record ServiceDeploymentCircuitBreaker(CircuitBreakerStatus Status, int FailureCount, int Threshold);

/// <summary>A service revision (DescribeServiceRevisions): which task definition a deployment ran.</summary>
public sealed record ServiceRevision
{
    public required string ServiceRevisionArn { get; init; }
    public string? ServiceArn { get; init; }
    public string? ClusterArn { get; init; }
    public string? TaskDefinition { get; init; }
    public IReadOnlyList<ServiceLoadBalancer> LoadBalancers { get => field ?? []; init; }
    public DateTimeOffset? CreatedAt { get; init; }
}
