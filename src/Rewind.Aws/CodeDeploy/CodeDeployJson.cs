using System.Text.Json.Serialization;
using Rewind.Aws.Protocols;

namespace Rewind.Aws.CodeDeploy;

// The request and response shapes of the CodeDeploy API (botocore's codedeploy/2014-10-06 model), camelCase on the wire.

internal sealed record ListApplicationsRequest(string? NextToken);

internal sealed record ListApplicationsResponse(IReadOnlyList<string>? Applications, string? NextToken);

internal sealed record ListDeploymentGroupsRequest(string ApplicationName, string? NextToken);

internal sealed record ListDeploymentGroupsResponse(IReadOnlyList<string>? DeploymentGroups, string? NextToken);

internal sealed record BatchGetDeploymentGroupsRequest(string ApplicationName, IReadOnlyList<string> DeploymentGroupNames);

internal sealed record BatchGetDeploymentGroupsResponse(IReadOnlyList<CodeDeployDeploymentGroup>? DeploymentGroupsInfo, string? ErrorMessage);

internal sealed record GetDeploymentGroupRequest(string ApplicationName, string DeploymentGroupName);

internal sealed record GetDeploymentGroupResponse(CodeDeployDeploymentGroup? DeploymentGroupInfo);

// Statuses go as CodeDeploy spells them ("InProgress"), not upper snake case: strings, not the enum converter.
internal sealed record ListDeploymentsRequest(
    string ApplicationName, string DeploymentGroupName, IReadOnlyList<string>? IncludeOnlyStatuses, string? NextToken);

internal sealed record ListDeploymentsResponse(IReadOnlyList<string>? Deployments, string? NextToken);

internal sealed record DeploymentIdRequest(string DeploymentId);

internal sealed record GetDeploymentResponse(CodeDeployDeployment? DeploymentInfo);

internal sealed record StopDeploymentRequest(string DeploymentId, bool AutoRollbackEnabled);

internal sealed record CreateDeploymentRequest(
    string ApplicationName, string DeploymentGroupName, CodeDeployRevision Revision, string? DeploymentConfigName, string? Description);

internal sealed record CreateDeploymentResponse(string? DeploymentId);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(EpochSecondsConverter)])]
[JsonSerializable(typeof(ListApplicationsRequest))]
[JsonSerializable(typeof(ListApplicationsResponse))]
[JsonSerializable(typeof(ListDeploymentGroupsRequest))]
[JsonSerializable(typeof(ListDeploymentGroupsResponse))]
[JsonSerializable(typeof(BatchGetDeploymentGroupsRequest))]
[JsonSerializable(typeof(BatchGetDeploymentGroupsResponse))]
[JsonSerializable(typeof(GetDeploymentGroupRequest))]
[JsonSerializable(typeof(GetDeploymentGroupResponse))]
[JsonSerializable(typeof(ListDeploymentsRequest))]
[JsonSerializable(typeof(ListDeploymentsResponse))]
[JsonSerializable(typeof(DeploymentIdRequest))]
[JsonSerializable(typeof(GetDeploymentResponse))]
[JsonSerializable(typeof(StopDeploymentRequest))]
[JsonSerializable(typeof(CodeDeployStopResult))]
[JsonSerializable(typeof(CreateDeploymentRequest))]
[JsonSerializable(typeof(CreateDeploymentResponse))]
internal sealed partial class CodeDeployJsonContext : JsonSerializerContext;
