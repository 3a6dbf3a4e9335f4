using Rewind.Aws.CodeDeploy;
using Rewind.Aws.Ecs;
using Rewind.Aws.Tests.Transport;
using Rewind.Aws.Transport;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Aws.Tests.Models;

/// <summary>
/// Every request of the deployment-shape operations, as the clients send it, fits the operation's input shape in
/// botocore's service model. Without python3 and botocore the tests skip with the reason; in CI (CI=true) they fail.
/// </summary>
public sealed class RequestShapeTests
{
    private const string DeploymentArn = "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/api/AbCdEf";
    private const string RevisionArn = "arn:aws:ecs:us-east-1:123456789012:service-revision/prod/api/123";
    private const string TaskDefinition = "arn:aws:ecs:us-east-1:123456789012:task-definition/api:2";

    private static readonly Lazy<(string? Folder, string Why)> Botocore = new(ServiceModel.LocateBotocore);
    private static readonly Dictionary<string, ServiceModel> Loaded = [];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Each case: the service's model, a canned answer the client can read, and the call.</summary>
    private static readonly Dictionary<string, (string Model, string Answer, Func<AwsTransport, Task> Call)> Cases = new(StringComparer.Ordinal)
    {
        ["ecs ListServiceDeployments"] = ("ecs", """{"serviceDeployments":[]}""",
            t => new EcsClient(t).ListServiceDeploymentsAsync("prod", "api", Token)),
        ["ecs DescribeServiceDeployments"] = ("ecs", """{"serviceDeployments":[],"failures":[]}""",
            t => new EcsClient(t).DescribeServiceDeploymentsAsync([DeploymentArn], Token)),
        ["ecs DescribeServiceRevisions"] = ("ecs", """{"serviceRevisions":[],"failures":[]}""",
            t => new EcsClient(t).DescribeServiceRevisionsAsync([RevisionArn], Token)),
        ["ecs StopServiceDeployment"] = ("ecs", $$"""{"serviceDeploymentArn":"{{DeploymentArn}}"}""",
            t => new EcsClient(t).StopServiceDeploymentAsync(DeploymentArn, StopServiceDeploymentType.Rollback, Token)),
        ["ecs ContinueServiceDeployment"] = ("ecs", $$"""{"serviceDeploymentArn":"{{DeploymentArn}}"}""",
            t => new EcsClient(t).ContinueServiceDeploymentAsync(DeploymentArn, "hook-1", LifecycleHookAction.Rollback, Token)),
        ["ecs UpdateService"] = ("ecs", """{"service":{"serviceArn":"arn:aws:ecs:us-east-1:123456789012:service/prod/api","serviceName":"api","events":[],"deployments":[]}}""",
            t => new EcsClient(t).UpdateServiceAsync(new ServiceUpdate("prod", "api", TaskDefinition, ForceNewDeployment: true, DesiredCount: 2), Token)),
        ["ecs DescribeServices"] = ("ecs", """{"services":[],"failures":[]}""",
            t => new EcsClient(t).DescribeServicesAsync("prod", ["api"], Token)),
        ["codedeploy ListApplications"] = ("codedeploy", """{"applications":[]}""",
            t => new CodeDeployClient(t).ListApplicationsAsync(Token)),
        ["codedeploy ListDeploymentGroups"] = ("codedeploy", """{"deploymentGroups":[]}""",
            t => new CodeDeployClient(t).ListDeploymentGroupsAsync("shop", Token)),
        ["codedeploy BatchGetDeploymentGroups"] = ("codedeploy", """{"deploymentGroupsInfo":[]}""",
            t => new CodeDeployClient(t).BatchGetDeploymentGroupsAsync("shop", ["api-dg", "web-dg"], Token)),
        ["codedeploy GetDeploymentGroup"] = ("codedeploy", """{"deploymentGroupInfo":{"applicationName":"shop","deploymentGroupName":"api-dg"}}""",
            t => new CodeDeployClient(t).GetDeploymentGroupAsync("shop", "api-dg", Token)),
        ["codedeploy ListDeployments"] = ("codedeploy", """{"deployments":[]}""",
            t => new CodeDeployClient(t).ListDeploymentsAsync("shop", "api-dg", [.. Enum.GetValues<CodeDeployDeploymentStatus>().Skip(1)], Token)),
        ["codedeploy GetDeployment"] = ("codedeploy", """{"deploymentInfo":{"deploymentId":"d-1"}}""",
            t => new CodeDeployClient(t).GetDeploymentAsync("d-1", Token)),
        ["codedeploy StopDeployment"] = ("codedeploy", """{"status":"Pending"}""",
            t => new CodeDeployClient(t).StopDeploymentAsync("d-1", autoRollbackEnabled: true, Token)),
        ["codedeploy CreateDeployment"] = ("codedeploy", """{"deploymentId":"d-2"}""",
            t => new CodeDeployClient(t).CreateDeploymentAsync(
                new CodeDeployDeploymentRequest("shop", "api-dg", "{\"version\":0.0}", "rewind run r-1: roll back to api:2", "CodeDeployDefault.ECSAllAtOnce"), Token)),
    };

    public static TheoryData<string> Operations => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task The_request_the_client_sends_fits_the_operations_input_shape_in_botocores_model(string operation)
    {
        var (modelName, answer, call) = Cases[operation];
        var model = ModelOf(modelName);
        await using var stub = LoopbackStub.Start(StubResponse.Ok(answer));

        await call(TestTransport.For(stub.Url, new AwsTransportOptions { MaxAttempts = 1 }, TimeProvider.System));

        Assert.NotEmpty(stub.Requests);
        foreach (var request in stub.Requests)
        {
            var target = request.Header("X-Amz-Target");
            Assert.Equal($"{model.TargetPrefix}.{operation.Split(' ')[1]}", target);
            Assert.Empty(model.Validate(operation.Split(' ')[1], request.Body));
        }
    }

    [Fact]
    public void Every_operation_of_the_CodeDeploy_client_is_checked()
    {
        var methods = typeof(ICodeDeployClient).GetMethods().Select(m => m.Name.Replace("Async", "", StringComparison.Ordinal));

        Assert.All(methods, m => Assert.Contains($"codedeploy {m}", Cases.Keys));
    }

    [Fact]
    public void The_validator_catches_a_missing_required_member()
    {
        var errors = ModelOf("codedeploy").Validate("StopDeployment", """{"autoRollbackEnabled":true}""");

        Assert.Equal(["StopDeployment.deploymentId: required member missing"], errors);
    }

    [Fact]
    public void The_validator_catches_a_bad_enum_as_the_enum_converter_would_write_it()
    {
        var errors = ModelOf("codedeploy").Validate(
            "ListDeployments", """{"applicationName":"shop","deploymentGroupName":"api-dg","includeOnlyStatuses":["IN_PROGRESS"]}""");

        var error = Assert.Single(errors);
        Assert.StartsWith("ListDeployments.includeOnlyStatuses[0]: 'IN_PROGRESS' is not one of DeploymentStatus", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"serviceDeploymentArn":"a","stopType":"ROLLBACK","force":true}""", "StopServiceDeployment.force: unknown member of StopServiceDeploymentRequest")]
    [InlineData("""{"serviceDeploymentArn":7}""", "StopServiceDeployment.serviceDeploymentArn: String must be a string")]
    public void The_validator_catches_unknown_members_and_wrong_types(string body, string expected)
    {
        Assert.Equal([expected], ModelOf("ecs").Validate("StopServiceDeployment", body));
    }

    [Fact]
    public void The_validator_catches_lengths_and_ranges()
    {
        var tooLong = new string('a', 101);
        var codeDeploy = ModelOf("codedeploy").Validate("GetDeploymentGroup", $$"""{"applicationName":"{{tooLong}}","deploymentGroupName":""}""");
        var ecs = ModelOf("ecs").Validate("ListServiceDeployments", """{"service":"api","maxResults":1.5}""");

        Assert.Equal(
            ["GetDeploymentGroup.applicationName: 101 characters, more than the maximum 100", "GetDeploymentGroup.deploymentGroupName: 0 characters, fewer than the minimum 1"],
            codeDeploy);
        Assert.Equal(["ListServiceDeployments.maxResults: BoxedInteger must be a whole number"], ecs);
    }

    /// <summary>The model, or a skip with the reason (a failure in CI, where botocore must be there).</summary>
    private static ServiceModel ModelOf(string service)
    {
        var (folder, why) = Botocore.Value;
        if (folder is null)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                Assert.Fail($"CI needs botocore's service models for the request shape checks: {why}");
            Assert.Skip(why);
        }
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(service, out var model))
                Loaded[service] = model = ServiceModel.Load(folder, service);
            return model;
        }
    }
}
