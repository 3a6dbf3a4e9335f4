using System.Text.Json.Nodes;
using Rewind.Aws.CodeDeploy;
using Rewind.Aws.Errors;
using Rewind.Aws.Tests.Transport;
using Rewind.Aws.Transport;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Aws.Tests.CodeDeploy;

// The CodeDeploy client against a loopback stub: what goes on the wire, paging, error mapping, and no resend of the
// two mutating calls after a lost answer.
public sealed class CodeDeployClientWireTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static CodeDeployClient ClientFor(LoopbackStub stub, TimeProvider? clock = null, AwsTransportOptions? options = null) =>
        new(TestTransport.For(stub.Url, options ?? new AwsTransportOptions { Jitter = () => 0 }, clock ?? TimeProvider.System));

    private static JsonNode Body(StubRequest request) => JsonNode.Parse(request.Body)!;

    [Fact]
    public async Task Every_call_is_awsJson1_1_with_the_CodeDeploy_target_and_signed_for_codedeploy()
    {
        await using var stub = LoopbackStub.Start(StubResponse.Ok("""{"applications":["shop"]}"""));

        Assert.Equal(["shop"], await ClientFor(stub).ListApplicationsAsync(Token));

        var request = Assert.Single(stub.Requests);
        Assert.Equal(("POST", "/"), (request.Method, request.Path));
        Assert.Equal("CodeDeploy_20141006.ListApplications", request.Header("X-Amz-Target"));
        Assert.Equal("application/x-amz-json-1.1", request.Header("Content-Type"));
        Assert.Contains("/us-east-1/codedeploy/aws4_request", request.Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal("{}", request.Body);
    }

    [Fact]
    public async Task Given_deployments_on_two_pages_when_listed_by_status_then_both_pages_are_read_and_statuses_go_as_CodeDeploy_spells_them()
    {
        await using var stub = LoopbackStub.Start(
            StubResponse.Ok("""{"deployments":["d-2","d-1"],"nextToken":"t1"}"""),
            StubResponse.Ok("""{"deployments":["d-0"]}"""));

        var ids = await ClientFor(stub).ListDeploymentsAsync(
            "shop", "shop-dg", [CodeDeployDeploymentStatus.InProgress, CodeDeployDeploymentStatus.Ready], Token);

        Assert.Equal(["d-2", "d-1", "d-0"], ids);
        Assert.Equal(2, stub.Requests.Count);
        Assert.Equal(
            """{"applicationName":"shop","deploymentGroupName":"shop-dg","includeOnlyStatuses":["InProgress","Ready"]}""",
            stub.Requests[0].Body);
        Assert.Equal("t1", (string?)Body(stub.Requests[1])["nextToken"]);
        Assert.Equal("CodeDeploy_20141006.ListDeployments", stub.Requests[1].Header("X-Amz-Target"));
    }

    [Fact]
    public async Task Given_groups_on_two_pages_when_listed_then_both_pages_are_read()
    {
        await using var stub = LoopbackStub.Start(
            StubResponse.Ok("""{"applicationName":"shop","deploymentGroups":["a"],"nextToken":"n"}"""),
            StubResponse.Ok("""{"applicationName":"shop","deploymentGroups":["b"]}"""));

        Assert.Equal(["a", "b"], await ClientFor(stub).ListDeploymentGroupsAsync("shop", Token));
        Assert.Equal("""{"applicationName":"shop"}""", stub.Requests[0].Body);
        Assert.Equal("""{"applicationName":"shop","nextToken":"n"}""", stub.Requests[1].Body);
    }

    [Fact]
    public async Task Given_150_group_names_when_batch_got_then_they_go_in_calls_of_at_most_100_and_the_ecs_services_are_read()
    {
        const string group = """
            {"deploymentGroupsInfo":[{"applicationName":"shop","deploymentGroupName":"g0","deploymentGroupId":"id-0",
             "computePlatform":"ECS","deploymentConfigName":"CodeDeployDefault.ECSAllAtOnce",
             "ecsServices":[{"serviceName":"api","clusterName":"prod"}],
             "autoRollbackConfiguration":{"enabled":true,"events":["DEPLOYMENT_FAILURE"]},
             "loadBalancerInfo":{"targetGroupPairInfoList":[{"targetGroups":[{"name":"blue"},{"name":"green"}],
               "prodTrafficRoute":{"listenerArns":["arn:listener/prod"]},"testTrafficRoute":{"listenerArns":[]}}]}},
             {"applicationName":"shop","deploymentGroupName":"g1"}],"errorMessage":""}
            """;
        await using var stub = LoopbackStub.Start(StubResponse.Ok(group), StubResponse.Ok("""{"deploymentGroupsInfo":[]}"""));
        var names = Enumerable.Range(0, 150).Select(i => $"g{i}").ToArray();

        var groups = await ClientFor(stub).BatchGetDeploymentGroupsAsync("shop", names, Token);

        Assert.Equal([100, 50], stub.Requests.Select(r => Body(r)["deploymentGroupNames"]!.AsArray().Count));
        Assert.Equal("g100", (string?)Body(stub.Requests[1])["deploymentGroupNames"]![0]);
        Assert.Equal(2, groups.Count);
        var first = groups[0];
        Assert.Equal(("shop", "g0", "id-0", "ECS"), (first.ApplicationName, first.DeploymentGroupName, first.DeploymentGroupId, first.ComputePlatform));
        Assert.Equal(new CodeDeployEcsService("api", "prod"), Assert.Single(first.EcsServices));
        Assert.True(first.AutoRollbackConfiguration!.Enabled);
        var pair = Assert.Single(first.LoadBalancerInfo!.TargetGroupPairInfoList!);
        Assert.Equal(["blue", "green"], pair.TargetGroups!.Select(t => t.Name));
        Assert.Equal(["arn:listener/prod"], pair.ProdTrafficRoute!.ListenerArns!);
        // A group without ecsServices reads as an empty list, never null.
        Assert.Empty(groups[1].EcsServices);
    }

    [Fact]
    public async Task Given_a_stopped_deployment_when_got_then_status_error_rollback_revision_and_times_are_read()
    {
        const string answer = """
            {"deploymentInfo":{"deploymentId":"d-BAD","applicationName":"shop","deploymentGroupName":"shop-dg",
             "status":"Stopped","errorInformation":{"code":"DEPLOYMENT_STOPPED","message":"stopped by user"},
             "rollbackInfo":{"rollbackDeploymentId":"d-RB","rollbackMessage":"rolling back"},
             "revision":{"revisionType":"AppSpecContent","appSpecContent":{"content":"version: 0.0","sha256":"abc"}},
             "createTime":1741944413.5,"completeTime":1741944473,"creator":"user"}}
            """;
        await using var stub = LoopbackStub.Start(StubResponse.Ok(answer));

        var deployment = await ClientFor(stub).GetDeploymentAsync("d-BAD", Token);

        Assert.Equal("""{"deploymentId":"d-BAD"}""", Assert.Single(stub.Requests).Body);
        Assert.Equal(CodeDeployDeploymentStatus.Stopped, deployment.Status);
        Assert.Equal(new CodeDeployError("DEPLOYMENT_STOPPED", "stopped by user"), deployment.ErrorInformation);
        Assert.Equal("d-RB", deployment.RollbackInfo!.RollbackDeploymentId);
        Assert.Equal("version: 0.0", deployment.Revision!.AppSpecContent!.Content);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1741944413500), deployment.CreateTime);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1741944473), deployment.CompleteTime);
    }

    [Fact]
    public async Task Given_a_status_CodeDeploy_adds_later_when_got_then_it_reads_as_Unknown()
    {
        await using var stub = LoopbackStub.Start(StubResponse.Ok("""{"deploymentInfo":{"deploymentId":"d-1","status":"Levitating"}}"""));

        Assert.Equal(CodeDeployDeploymentStatus.Unknown, (await ClientFor(stub).GetDeploymentAsync("d-1", Token)).Status);
    }

    [Fact]
    public async Task Given_no_such_group_when_got_then_CodeDeploys_error_code_and_message_surface_without_a_retry()
    {
        await using var stub = LoopbackStub.Start(StubResponse.Json(400,
            """{"__type":"DeploymentGroupDoesNotExistException","message":"No Deployment Group found for name: nope"}"""));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => ClientFor(stub).GetDeploymentGroupAsync("shop", "nope", Token));

        Assert.Equal(("DeploymentGroupDoesNotExistException", "No Deployment Group found for name: nope"), (error.Code, error.ErrorMessage));
        Assert.Equal(AwsService.CodeDeploy, error.Service);
        Assert.Equal("GetDeploymentGroup", error.Operation);
        Assert.Single(stub.Requests);
        Assert.Equal("""{"applicationName":"shop","deploymentGroupName":"nope"}""", stub.Requests[0].Body);
    }

    [Fact]
    public async Task Given_an_answer_without_deploymentInfo_when_got_then_it_is_a_malformed_answer()
    {
        await using var stub = LoopbackStub.Start(StubResponse.Ok("{}"));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => ClientFor(stub).GetDeploymentAsync("d-1", Token));

        Assert.Equal("MalformedResponse", error.Code);
    }

    [Fact]
    public async Task Stop_deployment_sends_the_id_and_auto_rollback_and_reads_the_stop_status()
    {
        await using var stub = LoopbackStub.Start(StubResponse.Ok("""{"status":"Pending","statusMessage":"Stopping"}"""));

        var result = await ClientFor(stub).StopDeploymentAsync("d-1", autoRollbackEnabled: true, Token);

        Assert.Equal(new CodeDeployStopResult(CodeDeployStopStatus.Pending, "Stopping"), result);
        Assert.Equal("""{"deploymentId":"d-1","autoRollbackEnabled":true}""", Assert.Single(stub.Requests).Body);
        Assert.Equal("CodeDeploy_20141006.StopDeployment", stub.Requests[0].Header("X-Amz-Target"));
    }

    [Fact]
    public async Task Create_deployment_sends_the_AppSpec_inline_and_returns_the_new_id()
    {
        await using var stub = LoopbackStub.Start(StubResponse.Ok("""{"deploymentId":"d-NEW"}"""));

        var id = await ClientFor(stub).CreateDeploymentAsync(
            new CodeDeployDeploymentRequest("shop", "shop-dg", "version: 0.0\n", "rewind rollback"), Token);

        Assert.Equal("d-NEW", id);
        Assert.Equal(
            """{"applicationName":"shop","deploymentGroupName":"shop-dg","revision":{"revisionType":"AppSpecContent","appSpecContent":{"content":"version: 0.0\n"}},"description":"rewind rollback"}""",
            Assert.Single(stub.Requests).Body);
    }

    public static TheoryData<string> MutatingCalls => ["StopDeployment", "CreateDeployment"];

    [Theory]
    [MemberData(nameof(MutatingCalls))]
    public async Task Given_a_mutating_call_whose_answer_never_comes_when_the_attempt_times_out_then_it_is_not_resent(string operation)
    {
        var clock = new ManualClock(TestTransport.Start);
        await using var stub = LoopbackStub.Start(clock, StubResponse.Stall(), StubResponse.Ok("""{"deploymentId":"d-2","status":"Pending"}"""));
        var client = ClientFor(stub, clock, new AwsTransportOptions { AttemptTimeout = TimeSpan.FromSeconds(2), Jitter = () => 0 });

        var call = Send(client, operation);
        await stub.WaitForRequestsAsync(1, Token);
        clock.Advance(TimeSpan.FromSeconds(2));
        var error = await Assert.ThrowsAsync<AwsAnswerLostException>(() => call.WaitAsync(TimeSpan.FromSeconds(5), Token));

        Assert.Equal(operation, error.Operation);
        Assert.Single(stub.Requests);
    }

    [Theory]
    [MemberData(nameof(MutatingCalls))]
    public async Task Given_a_mutating_call_answered_with_a_500_when_sent_then_it_is_not_resent(string operation)
    {
        await using var stub = LoopbackStub.Start(StubResponse.Json(500, ""), StubResponse.Ok("""{"deploymentId":"d-2","status":"Pending"}"""));

        await Assert.ThrowsAsync<AwsAnswerLostException>(() => Send(ClientFor(stub), operation));

        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task Given_a_read_whose_answer_never_comes_when_the_attempt_times_out_then_it_is_resent()
    {
        var clock = new ManualClock(TestTransport.Start);
        await using var stub = LoopbackStub.Start(clock, StubResponse.Stall(), StubResponse.Ok("""{"deploymentInfo":{"deploymentId":"d-1","status":"InProgress"}}"""));
        var client = ClientFor(stub, clock, new AwsTransportOptions { AttemptTimeout = TimeSpan.FromSeconds(2), Jitter = () => 0 });

        var call = client.GetDeploymentAsync("d-1", Token);
        await stub.WaitForRequestsAsync(1, Token);
        clock.Advance(TimeSpan.FromSeconds(2));
        var deployment = await call.WaitAsync(TimeSpan.FromSeconds(5), Token);

        Assert.Equal(CodeDeployDeploymentStatus.InProgress, deployment.Status);
        Assert.Equal(2, stub.Requests.Count);
    }

    private static Task Send(CodeDeployClient client, string operation) => operation switch
    {
        "StopDeployment" => client.StopDeploymentAsync("d-1", autoRollbackEnabled: true, Token),
        _ => client.CreateDeploymentAsync(new CodeDeployDeploymentRequest("shop", "shop-dg", "version: 0.0"), Token),
    };
}
