using System.Text.Json.Serialization;
using Rewind.Aws.Protocols;

namespace Rewind.Aws.Ecs;

/// <summary>A task definition revision's status; INACTIVE revisions cannot be deployed.</summary>
[JsonConverter(typeof(AwsEnumConverter<TaskDefinitionStatus>))]
public enum TaskDefinitionStatus { Unknown, Active, Inactive, DeleteInProgress }

/// <summary>The order of ListTaskDefinitions (by family, then revision).</summary>
[JsonConverter(typeof(AwsEnumConverter<SortOrder>))]
public enum SortOrder { Asc, Desc }

/// <summary>A service's status.</summary>
[JsonConverter(typeof(AwsEnumConverter<ServiceStatus>))]
public enum ServiceStatus { Unknown, Active, Draining, Inactive }

/// <summary>A deployment's place in a service: PRIMARY is the newest, ACTIVE ones are draining.</summary>
[JsonConverter(typeof(AwsEnumConverter<DeploymentStatus>))]
public enum DeploymentStatus { Unknown, Primary, Active, Inactive }

/// <summary>How far a deployment's rollout has got.</summary>
[JsonConverter(typeof(AwsEnumConverter<RolloutState>))]
public enum RolloutState { Unknown, Completed, Failed, InProgress }

/// <summary>The lifecycle of a service deployment (ListServiceDeployments / DescribeServiceDeployments).</summary>
[JsonConverter(typeof(AwsEnumConverter<ServiceDeploymentStatus>))]
public enum ServiceDeploymentStatus
{
    Unknown,
    Pending,
    Successful,
    Stopped,
    StopRequested,
    InProgress,
    RollbackRequested,
    RollbackInProgress,
    RollbackSuccessful,
    RollbackFailed,
}

/// <summary>What a service deployment's circuit breaker is doing.</summary>
[JsonConverter(typeof(AwsEnumConverter<CircuitBreakerStatus>))]
public enum CircuitBreakerStatus { Unknown, Triggered, Monitoring, MonitoringComplete, Disabled }

/// <summary>Enum values as ECS spells them on the wire, for messages and reports.</summary>
public static class EcsWireNames
{
    public static string Wire(this RolloutState state) => state == RolloutState.InProgress ? "IN_PROGRESS" : state.ToString().ToUpperInvariant();
}
