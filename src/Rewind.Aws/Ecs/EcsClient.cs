using Rewind.Aws.Errors;
using Rewind.Aws.Protocols;
using Rewind.Aws.Transport;

namespace Rewind.Aws.Ecs;

/// <summary>ECS over awsJson1_1 (target prefix AmazonEC2ContainerServiceV20141113).</summary>
public sealed class EcsClient : IEcsClient
{
    /// <summary>How many service events are kept per service (the newest).</summary>
    public const int MaxEvents = 20;

    /// <summary>DescribeServices accepts at most this many services per call.</summary>
    public const int DescribeServicesBatch = 10;

    /// <summary>DescribeServiceDeployments and DescribeServiceRevisions accept at most this many ARNs per call.</summary>
    public const int DescribeServiceDeploymentsBatch = 20;

    private static readonly string[] IncludeTags = ["TAGS"];

    private readonly JsonProtocol _json;

    public EcsClient(AwsTransport transport) =>
        _json = new JsonProtocol(transport, AwsService.Ecs, "AmazonEC2ContainerServiceV20141113", "1.1");

    public async Task<IReadOnlyList<string>> ListTaskDefinitionsAsync(
        string? familyPrefix, TaskDefinitionStatus status, SortOrder sort, CancellationToken cancellationToken)
    {
        var arns = new List<string>();
        await foreach (var arn in Paging.AllAsync(
            (token, ct) => _json.InvokeAsync(
                "ListTaskDefinitions", new ListTaskDefinitionsRequest(familyPrefix, status, sort, token),
                EcsJsonContext.Default.ListTaskDefinitionsRequest, EcsJsonContext.Default.ListTaskDefinitionsResponse, ct),
            page => page.TaskDefinitionArns ?? [],
            page => page.NextToken,
            cancellationToken))
        {
            arns.Add(arn);
        }
        return arns;
    }

    public async Task<TaskDefinitionDescription> DescribeTaskDefinitionAsync(string taskDefinition, CancellationToken cancellationToken)
    {
        var response = await _json.InvokeAsync(
            "DescribeTaskDefinition", new DescribeTaskDefinitionRequest(taskDefinition, IncludeTags),
            EcsJsonContext.Default.DescribeTaskDefinitionRequest, EcsJsonContext.Default.DescribeTaskDefinitionResponse, cancellationToken);
        var definition = response.TaskDefinition ?? throw Malformed("DescribeTaskDefinition", "taskDefinition");
        return new TaskDefinitionDescription(definition, response.Tags ?? []);
    }

    public async Task<ServicesDescription> DescribeServicesAsync(string cluster, IReadOnlyList<string> services, CancellationToken cancellationToken)
    {
        var found = new List<EcsService>();
        var failures = new List<EcsFailure>();
        foreach (var batch in services.Chunk(DescribeServicesBatch))
        {
            var response = await _json.InvokeAsync(
                "DescribeServices", new DescribeServicesRequest(cluster, batch),
                EcsJsonContext.Default.DescribeServicesRequest, EcsJsonContext.Default.DescribeServicesResponse, cancellationToken);
            found.AddRange((response.Services ?? []).Select(NewestEventsOnly));
            failures.AddRange(response.Failures ?? []);
        }
        return new ServicesDescription(found, failures);
    }

    public async Task<EcsService> UpdateServiceAsync(ServiceUpdate update, CancellationToken cancellationToken)
    {
        var response = await _json.InvokeAsync(
            "UpdateService", update, EcsJsonContext.Default.ServiceUpdate, EcsJsonContext.Default.ServiceResponse,
            cancellationToken, readOnly: false);
        return NewestEventsOnly(response.Service ?? throw Malformed("UpdateService", "service"));
    }

    public async Task<IReadOnlyList<string>> ListServicesAsync(string cluster, CancellationToken cancellationToken)
    {
        var arns = new List<string>();
        await foreach (var arn in Paging.AllAsync(
            (token, ct) => _json.InvokeAsync(
                "ListServices", new ListServicesRequest(cluster, token),
                EcsJsonContext.Default.ListServicesRequest, EcsJsonContext.Default.ListServicesResponse, ct),
            page => page.ServiceArns ?? [],
            page => page.NextToken,
            cancellationToken))
        {
            arns.Add(arn);
        }
        return arns;
    }

    public async Task<ServiceDeploymentsResult<ServiceDeploymentBrief>> ListServiceDeploymentsAsync(
        string cluster, string service, CancellationToken cancellationToken)
    {
        var deployments = new List<ServiceDeploymentBrief>();
        try
        {
            await foreach (var deployment in Paging.AllAsync(
                (token, ct) => _json.InvokeAsync(
                    "ListServiceDeployments", new ListServiceDeploymentsRequest(cluster, service, token),
                    EcsJsonContext.Default.ListServiceDeploymentsRequest, EcsJsonContext.Default.ListServiceDeploymentsResponse, ct),
                page => page.ServiceDeployments ?? [],
                page => page.NextToken,
                cancellationToken))
            {
                deployments.Add(deployment);
            }
        }
        catch (AwsServiceException e) when (IsUnknownOperation(e))
        {
            return ServiceDeploymentsResult<ServiceDeploymentBrief>.NotSupported();
        }
        return ServiceDeploymentsResult<ServiceDeploymentBrief>.Found(deployments);
    }

    public Task<ServiceDeploymentsResult<ServiceDeployment>> DescribeServiceDeploymentsAsync(
        IReadOnlyList<string> serviceDeploymentArns, CancellationToken cancellationToken) =>
        DescribeBatchedAsync(
            "DescribeServiceDeployments", serviceDeploymentArns,
            batch => new DescribeServiceDeploymentsRequest(batch), EcsJsonContext.Default.DescribeServiceDeploymentsRequest,
            EcsJsonContext.Default.DescribeServiceDeploymentsResponse, r => (r.ServiceDeployments, r.Failures), cancellationToken);

    public Task<ServiceDeploymentsResult<ServiceRevision>> DescribeServiceRevisionsAsync(
        IReadOnlyList<string> serviceRevisionArns, CancellationToken cancellationToken) =>
        DescribeBatchedAsync(
            "DescribeServiceRevisions", serviceRevisionArns,
            batch => new DescribeServiceRevisionsRequest(batch), EcsJsonContext.Default.DescribeServiceRevisionsRequest,
            EcsJsonContext.Default.DescribeServiceRevisionsResponse, r => (r.ServiceRevisions, r.Failures), cancellationToken);

    /// <summary>One of the newer describe operations, 20 ARNs a call; an endpoint without it gives "not supported".</summary>
    private async Task<ServiceDeploymentsResult<T>> DescribeBatchedAsync<TRequest, TResponse, T>(
        string operation, IReadOnlyList<string> arns, Func<string[], TRequest> request,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestType, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType,
        Func<TResponse, (IReadOnlyList<T>? Items, IReadOnlyList<EcsFailure>? Failures)> read, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        var failures = new List<EcsFailure>();
        try
        {
            foreach (var batch in arns.Chunk(DescribeServiceDeploymentsBatch))
            {
                var (found, failed) = read(await _json.InvokeAsync(operation, request(batch), requestType, responseType, cancellationToken));
                items.AddRange(found ?? []);
                failures.AddRange(failed ?? []);
            }
        }
        catch (AwsServiceException e) when (IsUnknownOperation(e))
        {
            return ServiceDeploymentsResult<T>.NotSupported();
        }
        return ServiceDeploymentsResult<T>.Found(items, failures);
    }

    public async Task<string> StopServiceDeploymentAsync(
        string serviceDeploymentArn, StopServiceDeploymentType stopType, CancellationToken cancellationToken)
    {
        var response = await _json.InvokeAsync(
            "StopServiceDeployment", new StopServiceDeploymentRequest(serviceDeploymentArn, stopType),
            EcsJsonContext.Default.StopServiceDeploymentRequest, EcsJsonContext.Default.ServiceDeploymentArnResponse,
            cancellationToken, readOnly: false);
        return response.ServiceDeploymentArn ?? serviceDeploymentArn;
    }

    public async Task<string> ContinueServiceDeploymentAsync(
        string serviceDeploymentArn, string hookId, LifecycleHookAction action, CancellationToken cancellationToken)
    {
        var response = await _json.InvokeAsync(
            "ContinueServiceDeployment", new ContinueServiceDeploymentRequest(serviceDeploymentArn, hookId, action),
            EcsJsonContext.Default.ContinueServiceDeploymentRequest, EcsJsonContext.Default.ServiceDeploymentArnResponse,
            cancellationToken, readOnly: false);
        return response.ServiceDeploymentArn ?? serviceDeploymentArn;
    }

    public async Task TagResourceAsync(string resourceArn, IReadOnlyList<EcsTag> tags, CancellationToken cancellationToken) =>
        await _json.InvokeAsync(
            "TagResource", new TagResourceRequest(resourceArn, tags),
            EcsJsonContext.Default.TagResourceRequest, EcsJsonContext.Default.EmptyResponse, cancellationToken, readOnly: false);

    public async Task<IReadOnlyList<EcsTag>> ListTagsForResourceAsync(string resourceArn, CancellationToken cancellationToken)
    {
        var response = await _json.InvokeAsync(
            "ListTagsForResource", new ResourceArnRequest(resourceArn),
            EcsJsonContext.Default.ResourceArnRequest, EcsJsonContext.Default.ListTagsForResourceResponse, cancellationToken);
        return response.Tags ?? [];
    }

    /// <summary>
    /// True only for "this endpoint does not have the operation": AWS's JSON protocol answers UnknownOperationException;
    /// moto 5.2.1 has no handler, raises NotImplementedError, and Flask answers with Werkzeug's generic HTML 500 page
    /// (see <see cref="AwsServiceException.IsEmulatorErrorPage"/>). Real ECS never sends that page: its 5xx answers are
    /// JSON (ServerException), so those, throttling and auth failures still propagate.
    /// </summary>
    internal static bool IsUnknownOperation(AwsServiceException e) => e.Code == "UnknownOperationException" || e.IsEmulatorErrorPage;

    private static EcsService NewestEventsOnly(EcsService service) =>
        service.Events.Count <= MaxEvents && IsNewestFirst(service.Events)
            ? service
            : service with { Events = [.. service.Events.OrderByDescending(e => e.CreatedAt).Take(MaxEvents)] };

    private static bool IsNewestFirst(IReadOnlyList<ServiceEvent> events)
    {
        for (var i = 1; i < events.Count; i++)
        {
            if (events[i].CreatedAt > events[i - 1].CreatedAt)
                return false;
        }
        return true;
    }

    private AwsServiceException Malformed(string operation, string member) =>
        new(_json.Service, operation, "MalformedResponse", $"the answer has no '{member}'", 200, null);
}
