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

/// <summary>Who deploys a service: ECS itself, CodeDeploy (task sets), or an outside controller Rewind cannot drive.</summary>
[JsonConverter(typeof(AwsEnumConverter<DeploymentControllerType>))]
public enum DeploymentControllerType { Unknown, Ecs, CodeDeploy, External }

/// <summary>How an ECS-controlled service deploys (deploymentConfiguration.strategy); absent means ROLLING.</summary>
[JsonConverter(typeof(AwsEnumConverter<DeploymentStrategy>))]
public enum DeploymentStrategy { Unknown, Rolling, BlueGreen, Linear, Canary }

/// <summary>Where a service deployment is in its lifecycle (the stages lifecycle hooks attach to).</summary>
[JsonConverter(typeof(AwsEnumConverter<ServiceDeploymentLifecycleStage>))]
public enum ServiceDeploymentLifecycleStage
{
    Unknown,
    ReconcileService,
    PreScaleUp,
    ScaleUp,
    PostScaleUp,
    TestTrafficShift,
    PostTestTrafficShift,
    ProductionTrafficShift,
    PostProductionTrafficShift,
    BakeTime,
    CleanUp,
}

/// <summary>The state of one lifecycle hook of a service deployment; PAUSE hooks wait in AWAITING_ACTION.</summary>
[JsonConverter(typeof(AwsEnumConverter<LifecycleHookStatus>))]
public enum LifecycleHookStatus { Unknown, AwaitingAction, InProgress, Succeeded, Failed, TimedOut }

/// <summary>What a lifecycle hook runs: a Lambda function, or a pause that waits for ContinueServiceDeployment.</summary>
[JsonConverter(typeof(AwsEnumConverter<LifecycleHookTargetType>))]
public enum LifecycleHookTargetType { Unknown, AwsLambda, Pause }

/// <summary>The answer to a paused hook (ContinueServiceDeployment), and a hook's timeout action.</summary>
[JsonConverter(typeof(AwsEnumConverter<LifecycleHookAction>))]
public enum LifecycleHookAction { Unknown, Rollback, Continue }

/// <summary>How StopServiceDeployment stops: ROLLBACK returns to the source revision, ABORT leaves the service where it is.</summary>
[JsonConverter(typeof(AwsEnumConverter<StopServiceDeploymentType>))]
public enum StopServiceDeploymentType { Unknown, Abort, Rollback }
