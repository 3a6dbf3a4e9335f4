using Rewind.Aws.Errors;
using Rewind.Aws.Protocols;
using Rewind.Aws.Transport;

namespace Rewind.Aws.CodeDeploy;

/// <summary>CodeDeploy over awsJson1_1 (target prefix CodeDeploy_20141006).</summary>
public sealed class CodeDeployClient : ICodeDeployClient
{
    /// <summary>BatchGetDeploymentGroups takes at most this many names per call.</summary>
    public const int MaxGroupsPerBatch = 100;

    /// <summary>The revision type of an AppSpec given inline, the one ECS deployments use.</summary>
    public const string AppSpecContentRevision = "AppSpecContent";

    private readonly JsonProtocol _json;

    public CodeDeployClient(AwsTransport transport) =>
        _json = new JsonProtocol(transport, AwsService.CodeDeploy, "CodeDeploy_20141006", "1.1");

    public async Task<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var name in Paging.AllAsync(
            (token, ct) => _json.InvokeAsync(
                "ListApplications", new ListApplicationsRequest(token),
                CodeDeployJsonContext.Default.ListApplicationsRequest, CodeDeployJsonContext.Default.ListApplicationsResponse, ct),
            page => page.Applications ?? [],
            page => page.NextToken,
            cancellationToken))
        {
            names.Add(name);
        }
        return names;
    }

    public async Task<IReadOnlyList<string>> ListDeploymentGroupsAsync(string applicationName, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var name in Paging.AllAsync(
            (token, ct) => _json.InvokeAsync(
                "ListDeploymentGroups", new ListDeploymentGroupsRequest(applicationName, token),
                CodeDeployJsonContext.Default.ListDeploymentGroupsRequest, CodeDeployJsonContext.Default.ListDeploymentGroupsResponse, ct),
            page => page.DeploymentGroups ?? [],
            page => page.NextToken,
            cancellationToken))
        {
            names.Add(name);
        }
        return names;
    }

    public async Task<IReadOnlyList<CodeDeployDeploymentGroup>> BatchGetDeploymentGroupsAsync(
        string applicationName, IReadOnlyList<string> deploymentGroupNames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deploymentGroupNames);
        var groups = new List<CodeDeployDeploymentGroup>();
        foreach (var chunk in deploymentGroupNames.Chunk(MaxGroupsPerBatch))
        {
            var answer = await _json.InvokeAsync(
                "BatchGetDeploymentGroups", new BatchGetDeploymentGroupsRequest(applicationName, chunk),
                CodeDeployJsonContext.Default.BatchGetDeploymentGroupsRequest, CodeDeployJsonContext.Default.BatchGetDeploymentGroupsResponse,
                cancellationToken);
            groups.AddRange(answer.DeploymentGroupsInfo ?? []);
        }
        return groups;
    }

    public async Task<CodeDeployDeploymentGroup> GetDeploymentGroupAsync(
        string applicationName, string deploymentGroupName, CancellationToken cancellationToken)
    {
        var answer = await _json.InvokeAsync(
            "GetDeploymentGroup", new GetDeploymentGroupRequest(applicationName, deploymentGroupName),
            CodeDeployJsonContext.Default.GetDeploymentGroupRequest, CodeDeployJsonContext.Default.GetDeploymentGroupResponse, cancellationToken);
        return answer.DeploymentGroupInfo ?? throw Malformed("GetDeploymentGroup", "deploymentGroupInfo");
    }

    public async Task<IReadOnlyList<string>> ListDeploymentsAsync(
        string applicationName, string deploymentGroupName, IReadOnlyList<CodeDeployDeploymentStatus>? statuses, CancellationToken cancellationToken)
    {
        IReadOnlyList<string>? wireStatuses = statuses is null ? null : [.. statuses.Select(WireStatus)];
        var ids = new List<string>();
        await foreach (var id in Paging.AllAsync(
            (token, ct) => _json.InvokeAsync(
                "ListDeployments", new ListDeploymentsRequest(applicationName, deploymentGroupName, wireStatuses, token),
                CodeDeployJsonContext.Default.ListDeploymentsRequest, CodeDeployJsonContext.Default.ListDeploymentsResponse, ct),
            page => page.Deployments ?? [],
            page => page.NextToken,
            cancellationToken))
        {
            ids.Add(id);
        }
        return ids;
    }

    public async Task<CodeDeployDeployment> GetDeploymentAsync(string deploymentId, CancellationToken cancellationToken)
    {
        var answer = await _json.InvokeAsync(
            "GetDeployment", new DeploymentIdRequest(deploymentId),
            CodeDeployJsonContext.Default.DeploymentIdRequest, CodeDeployJsonContext.Default.GetDeploymentResponse, cancellationToken);
        return answer.DeploymentInfo ?? throw Malformed("GetDeployment", "deploymentInfo");
    }

    public Task<CodeDeployStopResult> StopDeploymentAsync(string deploymentId, bool autoRollbackEnabled, CancellationToken cancellationToken) =>
        _json.InvokeAsync(
            "StopDeployment", new StopDeploymentRequest(deploymentId, autoRollbackEnabled),
            CodeDeployJsonContext.Default.StopDeploymentRequest, CodeDeployJsonContext.Default.CodeDeployStopResult,
            cancellationToken, readOnly: false);

    public async Task<string> CreateDeploymentAsync(CodeDeployDeploymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var answer = await _json.InvokeAsync(
            "CreateDeployment",
            new CreateDeploymentRequest(
                request.ApplicationName, request.DeploymentGroupName,
                new CodeDeployRevision(AppSpecContentRevision, new CodeDeployAppSpecContent(request.AppSpecContent)),
                request.DeploymentConfigName, request.Description),
            CodeDeployJsonContext.Default.CreateDeploymentRequest, CodeDeployJsonContext.Default.CreateDeploymentResponse,
            cancellationToken, readOnly: false);
        return answer.DeploymentId ?? throw Malformed("CreateDeployment", "deploymentId");
    }

    private static string WireStatus(CodeDeployDeploymentStatus status) =>
        status is CodeDeployDeploymentStatus.Unknown
            ? throw new ArgumentException("Unknown is not a CodeDeploy status to filter by", nameof(status))
            : status.ToString();

    private AwsServiceException Malformed(string operation, string member) =>
        new(_json.Service, operation, "MalformedResponse", $"the answer has no {member}", 200, null);
}
