using System.Text.Json.Serialization;
using Rewind.Aws.Protocols;

namespace Rewind.Aws.CodeDeploy;

/// <summary>A CodeDeploy deployment's status; Succeeded, Failed and Stopped are final.</summary>
[JsonConverter(typeof(AwsEnumConverter<CodeDeployDeploymentStatus>))]
public enum CodeDeployDeploymentStatus { Unknown, Created, Queued, InProgress, Baking, Succeeded, Failed, Stopped, Ready }

/// <summary>StopDeployment's answer: Pending while the stop (and any rollback) runs.</summary>
[JsonConverter(typeof(AwsEnumConverter<CodeDeployStopStatus>))]
public enum CodeDeployStopStatus { Unknown, Pending, Succeeded }

/// <summary>A deployment group: which ECS services it deploys, its default config, rollback settings and traffic routes.</summary>
public sealed record CodeDeployDeploymentGroup
{
    public required string ApplicationName { get; init; }
    public required string DeploymentGroupName { get; init; }
    public string? DeploymentGroupId { get; init; }
    public string? DeploymentConfigName { get; init; }
    public string? ComputePlatform { get; init; }
    public IReadOnlyList<CodeDeployEcsService> EcsServices { get => field ?? []; init; }
    public CodeDeployAutoRollback? AutoRollbackConfiguration { get; init; }
    public CodeDeployLoadBalancerInfo? LoadBalancerInfo { get; init; }
}

/// <summary>An ECS service a deployment group deploys.</summary>
public sealed record CodeDeployEcsService(string? ServiceName, string? ClusterName);

/// <summary>Whether CodeDeploy rolls back on its own, and on which events.</summary>
public sealed record CodeDeployAutoRollback(bool Enabled, IReadOnlyList<string>? Events);

/// <summary>The target group pairs of an ECS deployment group, with its production and test listeners.</summary>
public sealed record CodeDeployLoadBalancerInfo(IReadOnlyList<CodeDeployTargetGroupPair>? TargetGroupPairInfoList);

/// <summary>Blue and green target groups and the listeners CodeDeploy moves between them.</summary>
public sealed record CodeDeployTargetGroupPair(
    IReadOnlyList<CodeDeployTargetGroup>? TargetGroups, CodeDeployTrafficRoute? ProdTrafficRoute, CodeDeployTrafficRoute? TestTrafficRoute);

/// <summary>A target group by name.</summary>
public sealed record CodeDeployTargetGroup(string? Name);

/// <summary>The listeners of a traffic route.</summary>
public sealed record CodeDeployTrafficRoute(IReadOnlyList<string>? ListenerArns);

/// <summary>A deployment as GetDeployment reports it.</summary>
public sealed record CodeDeployDeployment
{
    public required string DeploymentId { get; init; }
    public string? ApplicationName { get; init; }
    public string? DeploymentGroupName { get; init; }
    public string? DeploymentConfigName { get; init; }
    public CodeDeployDeploymentStatus Status { get; init; }
    public CodeDeployError? ErrorInformation { get; init; }
    public CodeDeployRevision? Revision { get; init; }
    public CodeDeployRevision? PreviousRevision { get; init; }
    public CodeDeployRollbackInfo? RollbackInfo { get; init; }
    public string? Description { get; init; }
    public string? Creator { get; init; }
    public DateTimeOffset? CreateTime { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? CompleteTime { get; init; }
}

/// <summary>Why a deployment failed, in CodeDeploy's words.</summary>
public sealed record CodeDeployError(string? Code, string? Message);

/// <summary>The rollback of a deployment: the deployment that rolls it back, or the one it rolls back.</summary>
public sealed record CodeDeployRollbackInfo(string? RollbackDeploymentId, string? RollbackTriggeringDeploymentId, string? RollbackMessage);

/// <summary>A revision; for ECS an AppSpec given inline (revisionType AppSpecContent).</summary>
public sealed record CodeDeployRevision(string? RevisionType, CodeDeployAppSpecContent? AppSpecContent);

/// <summary>The AppSpec's text (YAML or JSON) and, optionally, its SHA-256.</summary>
public sealed record CodeDeployAppSpecContent(string? Content, string? Sha256 = null);

/// <summary>StopDeployment's answer.</summary>
public sealed record CodeDeployStopResult(CodeDeployStopStatus Status, string? StatusMessage);

/// <summary>
/// A CreateDeployment for an ECS service: the AppSpec names the task definition, container and port; the deployment
/// config defaults to the group's when null.
/// </summary>
public sealed record CodeDeployDeploymentRequest(
    string ApplicationName,
    string DeploymentGroupName,
    string AppSpecContent,
    string? Description = null,
    string? DeploymentConfigName = null);
