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

    public IReadOnlyList<T> Deployments { get; init; } = [];

    /// <summary>ARNs DescribeServiceDeployments could not describe.</summary>
    public IReadOnlyList<EcsFailure> Failures { get; init; } = [];

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
    public IReadOnlyList<ServiceRevisionSummary> SourceServiceRevisions { get; init; } = [];
    public ServiceRevisionSummary? TargetServiceRevision { get; init; }
    public ServiceDeploymentRollback? Rollback { get; init; }
    public ServiceDeploymentCircuitBreaker? DeploymentCircuitBreaker { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public DateTimeOffset? StoppedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>A service revision a deployment moves from or to, with its task counts.</summary>
public sealed record ServiceRevisionSummary(string Arn, int RequestedTaskCount, int RunningTaskCount, int PendingTaskCount);

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
    public DateTimeOffset? CreatedAt { get; init; }
}
