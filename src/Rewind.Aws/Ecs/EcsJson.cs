using System.Text.Json.Serialization;
using Rewind.Aws.Protocols;

namespace Rewind.Aws.Ecs;

// The request and response shapes of the ECS API (botocore's ecs/2014-11-13 model), camelCase on the wire.

internal sealed record ListTaskDefinitionsRequest(string? FamilyPrefix, TaskDefinitionStatus Status, SortOrder Sort, string? NextToken);

internal sealed record ListTaskDefinitionsResponse(IReadOnlyList<string>? TaskDefinitionArns, string? NextToken);

internal sealed record DescribeTaskDefinitionRequest(string TaskDefinition, IReadOnlyList<string> Include);

internal sealed record DescribeTaskDefinitionResponse(TaskDefinition? TaskDefinition, IReadOnlyList<EcsTag>? Tags);

internal sealed record DescribeServicesRequest(string Cluster, IReadOnlyList<string> Services);

internal sealed record DescribeServicesResponse(IReadOnlyList<EcsService>? Services, IReadOnlyList<EcsFailure>? Failures);

internal sealed record ServiceResponse(EcsService? Service);

internal sealed record ListServicesRequest(string Cluster, string? NextToken);

internal sealed record ListServicesResponse(IReadOnlyList<string>? ServiceArns, string? NextToken);

internal sealed record ListServiceDeploymentsRequest(string Cluster, string Service, string? NextToken);

internal sealed record ListServiceDeploymentsResponse(IReadOnlyList<ServiceDeploymentBrief>? ServiceDeployments, string? NextToken);

internal sealed record DescribeServiceDeploymentsRequest(IReadOnlyList<string> ServiceDeploymentArns);

internal sealed record DescribeServiceDeploymentsResponse(IReadOnlyList<ServiceDeployment>? ServiceDeployments, IReadOnlyList<EcsFailure>? Failures);

internal sealed record DescribeServiceRevisionsRequest(IReadOnlyList<string> ServiceRevisionArns);

internal sealed record DescribeServiceRevisionsResponse(IReadOnlyList<ServiceRevision>? ServiceRevisions, IReadOnlyList<EcsFailure>? Failures);

internal sealed record StopServiceDeploymentRequest(string ServiceDeploymentArn, StopServiceDeploymentType StopType);

internal sealed record ContinueServiceDeploymentRequest(string ServiceDeploymentArn, string HookId, LifecycleHookAction Action);

internal sealed record ServiceDeploymentArnResponse(string? ServiceDeploymentArn);

internal sealed record TagResourceRequest(string ResourceArn, IReadOnlyList<EcsTag> Tags);

internal sealed record ResourceArnRequest(string ResourceArn);

internal sealed record ListTagsForResourceResponse(IReadOnlyList<EcsTag>? Tags);

internal sealed record EmptyResponse;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(EpochSecondsConverter)])]
[JsonSerializable(typeof(ListTaskDefinitionsRequest))]
[JsonSerializable(typeof(ListTaskDefinitionsResponse))]
[JsonSerializable(typeof(DescribeTaskDefinitionRequest))]
[JsonSerializable(typeof(DescribeTaskDefinitionResponse))]
[JsonSerializable(typeof(DescribeServicesRequest))]
[JsonSerializable(typeof(DescribeServicesResponse))]
[JsonSerializable(typeof(ServiceUpdate))]
[JsonSerializable(typeof(ServiceResponse))]
[JsonSerializable(typeof(ListServicesRequest))]
[JsonSerializable(typeof(ListServicesResponse))]
[JsonSerializable(typeof(ListServiceDeploymentsRequest))]
[JsonSerializable(typeof(ListServiceDeploymentsResponse))]
[JsonSerializable(typeof(DescribeServiceDeploymentsRequest))]
[JsonSerializable(typeof(DescribeServiceDeploymentsResponse))]
[JsonSerializable(typeof(DescribeServiceRevisionsRequest))]
[JsonSerializable(typeof(DescribeServiceRevisionsResponse))]
[JsonSerializable(typeof(StopServiceDeploymentRequest))]
[JsonSerializable(typeof(ContinueServiceDeploymentRequest))]
[JsonSerializable(typeof(ServiceDeploymentArnResponse))]
[JsonSerializable(typeof(TagResourceRequest))]
[JsonSerializable(typeof(ResourceArnRequest))]
[JsonSerializable(typeof(ListTagsForResourceResponse))]
[JsonSerializable(typeof(EmptyResponse))]
internal sealed partial class EcsJsonContext : JsonSerializerContext;
