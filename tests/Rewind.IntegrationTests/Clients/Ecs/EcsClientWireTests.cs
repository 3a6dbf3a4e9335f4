using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Rewind.Aws.Ecs;
using Rewind.Aws.Errors;
using Rewind.IntegrationTests.Clients.Support;
using Xunit;

namespace Rewind.IntegrationTests.Clients.Ecs;

// Shapes moto cannot produce (real AWS answers, several pages, many events, other error bodies), served by canned
// answers in-process: no emulator, no signature check.
public sealed class EcsClientWireTests
{
    private const string MotoUnknownActionPage =
        "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n" +
        "<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded " +
        "or there is an error in the application.</p>\n";

    [Fact]
    public async Task Given_a_service_with_25_events_when_described_then_the_newest_20_are_kept_newest_first()
    {
        var ct = TestContext.Current.CancellationToken;
        var start = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        // Shuffled on purpose: the newest 20 are kept whatever order the answer uses.
        var events = new JsonArray([.. Enumerable.Range(0, 25).OrderBy(i => (i * 7) % 25).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = $"e{i}",
            ["createdAt"] = start.AddMinutes(i).ToUnixTimeSeconds() + 0.25,
            ["message"] = $"(service web) event {i}",
        })]);
        var answers = new CannedAnswers().Json(new JsonObject
        {
            ["services"] = new JsonArray(Service("web", events)),
            ["failures"] = new JsonArray(),
        }.ToJsonString());

        var service = Assert.Single((await new EcsClient(ClientFactory.Transport(answers)).DescribeServicesAsync("c", ["web"], ct)).Services);

        Assert.Equal(EcsClient.MaxEvents, service.Events.Count);
        Assert.Equal([.. Enumerable.Range(5, 20).Reverse().Select(i => $"e{i}")], service.Events.Select(e => e.Id));
        Assert.Equal(start.AddMinutes(24).AddMilliseconds(250), service.Events[0].CreatedAt);
        Assert.Equal("(service web) event 24", service.Events[0].Message);
    }

    [Fact]
    public async Task Given_a_real_rollout_when_described_then_both_deployments_and_their_rollout_states_are_read()
    {
        var ct = TestContext.Current.CancellationToken;
        var answers = new CannedAnswers().Json("""
            {"services":[{"serviceArn":"arn:aws:ecs:us-east-1:123456789012:service/prod/web","serviceName":"web",
              "clusterArn":"arn:aws:ecs:us-east-1:123456789012:cluster/prod","status":"ACTIVE",
              "taskDefinition":"arn:aws:ecs:us-east-1:123456789012:task-definition/web:42",
              "desiredCount":4,"runningCount":5,"pendingCount":1,
              "deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true,"rollback":false},"maximumPercent":200,"minimumHealthyPercent":100},
              "deployments":[
                {"id":"ecs-svc/2","status":"PRIMARY","taskDefinition":"arn:aws:ecs:us-east-1:123456789012:task-definition/web:42",
                 "desiredCount":4,"pendingCount":1,"runningCount":1,"failedTasks":3,"createdAt":1740830400.123,"updatedAt":1740830460.5,
                 "launchType":"FARGATE","rolloutState":"FAILED","rolloutStateReason":"ECS deployment circuit breaker: tasks failed to start."},
                {"id":"ecs-svc/1","status":"ACTIVE","taskDefinition":"arn:aws:ecs:us-east-1:123456789012:task-definition/web:41",
                 "desiredCount":4,"pendingCount":0,"runningCount":4,"failedTasks":0,"createdAt":1740744000,"updatedAt":1740744300,
                 "rolloutState":"COMPLETED","rolloutStateReason":"ECS deployment ecs-svc/1 completed."}],
              "events":[],"createdAt":1700000000,"someFutureField":{"x":1}}],"failures":[]}
            """);

        var service = Assert.Single((await new EcsClient(ClientFactory.Transport(answers)).DescribeServicesAsync("prod", ["web"], ct)).Services);

        Assert.Equal(new DeploymentCircuitBreaker(true, false), service.DeploymentConfiguration!.DeploymentCircuitBreaker);
        Assert.Equal(["ecs-svc/2", "ecs-svc/1"], service.Deployments.Select(d => d.Id));
        var primary = service.PrimaryDeployment!;
        Assert.Equal((RolloutState.Failed, 3), (primary.RolloutState, primary.FailedTasks));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1740830400123), primary.CreatedAt);
        Assert.Equal(new TaskDefinitionRevision("web", 42), TaskDefinitionRevision.Parse(primary.TaskDefinition!));
        var draining = service.Deployments[1];
        Assert.Equal((DeploymentStatus.Active, RolloutState.Completed, 4), (draining.Status, draining.RolloutState, draining.RunningCount));
    }

    [Fact]
    public async Task Given_a_status_value_ecs_adds_later_when_read_then_it_is_Unknown_instead_of_an_error()
    {
        var ct = TestContext.Current.CancellationToken;
        var answers = new CannedAnswers().Json(new JsonObject
        {
            ["services"] = new JsonArray(Service("web", new JsonArray(), deploymentStatus: "SOMETHING_NEW")),
        }.ToJsonString());

        var service = Assert.Single((await new EcsClient(ClientFactory.Transport(answers)).DescribeServicesAsync("c", ["web"], ct)).Services);

        Assert.Equal(DeploymentStatus.Unknown, Assert.Single(service.Deployments).Status);
        Assert.Null(service.PrimaryDeployment);
    }

    [Fact]
    public async Task List_task_definitions_follows_next_tokens_and_sends_status_and_sort()
    {
        var ct = TestContext.Current.CancellationToken;
        var answers = new CannedAnswers()
            .Json("""{"taskDefinitionArns":["arn:aws:ecs:us-east-1:123456789012:task-definition/web:3"],"nextToken":"page-2"}""")
            .Json("""{"taskDefinitionArns":["arn:aws:ecs:us-east-1:123456789012:task-definition/web:2","arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"]}""");

        var arns = await new EcsClient(ClientFactory.Transport(answers)).ListTaskDefinitionsAsync("web", TaskDefinitionStatus.Active, SortOrder.Desc, ct);

        Assert.Equal([3, 2, 1], arns.Select(a => TaskDefinitionRevision.Parse(a).Revision));
        Assert.Equal("AmazonEC2ContainerServiceV20141113.ListTaskDefinitions", answers.Sent[0].Target);
        Assert.Equal("""{"familyPrefix":"web","status":"ACTIVE","sort":"DESC"}""", answers.Sent[0].Body);
        Assert.Equal("""{"familyPrefix":"web","status":"ACTIVE","sort":"DESC","nextToken":"page-2"}""", answers.Sent[1].Body);
    }

    [Fact]
    public async Task List_services_follows_next_tokens()
    {
        var ct = TestContext.Current.CancellationToken;
        var answers = new CannedAnswers()
            .Json("""{"serviceArns":["a"],"nextToken":"t"}""")
            .Json("""{"serviceArns":["b"]}""");

        var arns = await new EcsClient(ClientFactory.Transport(answers)).ListServicesAsync("prod", ct);

        Assert.Equal(["a", "b"], arns);
        Assert.Equal("""{"cluster":"prod","nextToken":"t"}""", answers.Sent[1].Body);
    }

    [Fact]
    public async Task Update_service_sends_only_the_members_it_was_given()
    {
        var ct = TestContext.Current.CancellationToken;
        var answers = new CannedAnswers().Json(new JsonObject { ["service"] = Service("web", new JsonArray()) }.ToJsonString());

        await new EcsClient(ClientFactory.Transport(answers)).UpdateServiceAsync(new ServiceUpdate("prod", "web", "web:41", ForceNewDeployment: true), ct);

        Assert.Equal("""{"cluster":"prod","service":"web","taskDefinition":"web:41","forceNewDeployment":true}""", answers.Sent[0].Body);
    }

    [Fact]
    public async Task Given_an_endpoint_with_service_deployments_when_listed_and_described_then_they_are_read()
    {
        var ct = TestContext.Current.CancellationToken;
        const string Arn = "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/r4nd0m";
        var answers = new CannedAnswers()
            .Json("""{"serviceDeployments":[{"serviceDeploymentArn":"ARN","serviceArn":"arn:aws:ecs:us-east-1:123456789012:service/prod/web","clusterArn":"arn:aws:ecs:us-east-1:123456789012:cluster/prod","startedAt":1740830400,"createdAt":1740830399,"targetServiceRevisionArn":"arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/2","status":"ROLLBACK_SUCCESSFUL","statusReason":"circuit breaker"}],"nextToken":"n"}""".Replace("ARN", Arn, StringComparison.Ordinal))
            .Json("""{"serviceDeployments":[]}""")
            .Json("""
                {"serviceDeployments":[{"serviceDeploymentArn":"ARN","status":"ROLLBACK_SUCCESSFUL","createdAt":1740830399,"finishedAt":1740831000,
                  "sourceServiceRevisions":[{"arn":"arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/1","requestedTaskCount":4,"runningTaskCount":4,"pendingTaskCount":0}],
                  "targetServiceRevision":{"arn":"arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/2","requestedTaskCount":4,"runningTaskCount":0,"pendingTaskCount":0},
                  "rollback":{"reason":"Circuit breaker triggered","startedAt":1740830700,"serviceRevisionArn":"arn:aws:ecs:us-east-1:123456789012:service-revision/prod/web/1"},
                  "deploymentCircuitBreaker":{"status":"TRIGGERED","failureCount":10,"threshold":10}}],
                 "failures":[{"arn":"arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/gone","reason":"MISSING"}]}
                """.Replace("\"ARN\"", $"\"{Arn}\"", StringComparison.Ordinal));
        var ecs = new EcsClient(ClientFactory.Transport(answers));

        var listed = await ecs.ListServiceDeploymentsAsync("prod", "web", ct);
        var described = await ecs.DescribeServiceDeploymentsAsync([Arn, Arn.Replace("r4nd0m", "gone", StringComparison.Ordinal)], ct);

        Assert.True(listed.Supported);
        Assert.Null(listed.Reason);
        var brief = Assert.Single(listed.Deployments);
        Assert.Equal((Arn, ServiceDeploymentStatus.RollbackSuccessful), (brief.ServiceDeploymentArn, brief.Status));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1740830400), brief.StartedAt);
        Assert.True(described.Supported);
        var deployment = Assert.Single(described.Deployments);
        Assert.Equal(4, Assert.Single(deployment.SourceServiceRevisions).RunningTaskCount);
        Assert.EndsWith("/web/2", deployment.TargetServiceRevision!.Arn, StringComparison.Ordinal);
        Assert.Equal("Circuit breaker triggered", deployment.Rollback!.Reason);
        Assert.Equal(new ServiceDeploymentCircuitBreaker(CircuitBreakerStatus.Triggered, 10, 10), deployment.DeploymentCircuitBreaker);
        Assert.Equal("MISSING", Assert.Single(described.Failures).Reason);
        Assert.Equal(3, answers.Sent.Count);
    }

    [Fact]
    public async Task Describe_service_deployments_sends_twenty_arns_per_call()
    {
        var ct = TestContext.Current.CancellationToken;
        var answers = new CannedAnswers().Json("""{"serviceDeployments":[]}""").Json("""{"serviceDeployments":[]}""");
        var arns = Enumerable.Range(0, 21).Select(i => $"arn:aws:ecs:us-east-1:1:service-deployment/c/s/{i}").ToList();

        var result = await new EcsClient(ClientFactory.Transport(answers)).DescribeServiceDeploymentsAsync(arns, ct);

        Assert.True(result.Supported);
        Assert.Equal(2, answers.Sent.Count);
        Assert.Equal(20, JsonNode.Parse(answers.Sent[0].Body)!["serviceDeploymentArns"]!.AsArray().Count);
    }

    [Fact]
    public async Task Given_aws_answers_UnknownOperationException_when_listing_service_deployments_then_the_result_says_not_supported()
    {
        var ct = TestContext.Current.CancellationToken;
        var answers = new CannedAnswers().Json("""{"__type":"UnknownOperationException"}""", HttpStatusCode.BadRequest);

        var result = await new EcsClient(ClientFactory.Transport(answers)).ListServiceDeploymentsAsync("prod", "web", ct);

        Assert.False(result.Supported);
        Assert.Equal(ServiceDeploymentsResult<ServiceDeploymentBrief>.NotSupportedReason, result.Reason);
    }

    [Fact]
    public async Task Given_moto_answers_its_unknown_action_page_when_describing_service_deployments_then_the_result_says_not_supported()
    {
        var ct = TestContext.Current.CancellationToken;
        var answers = new CannedAnswers().Answer(HttpStatusCode.InternalServerError, MotoUnknownActionPage, "text/html");

        var result = await new EcsClient(ClientFactory.Transport(answers)).DescribeServiceDeploymentsAsync(["arn"], ct);

        Assert.False(result.Supported);
    }

    [Theory]
    [InlineData(500, """{"__type":"ServerException","message":"Service Unavailable. Please try again later."}""", "application/x-amz-json-1.1", "ServerException")]
    [InlineData(400, """{"__type":"AccessDeniedException","message":"not authorized to perform: ecs:ListServiceDeployments"}""", "application/x-amz-json-1.1", "AccessDeniedException")]
    [InlineData(400, """{"__type":"ThrottlingException","message":"Rate exceeded"}""", "application/x-amz-json-1.1", "ThrottlingException")]
    [InlineData(500, "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body><center><h1>500 Internal Server Error</h1></center></body></html>", "text/html", "InternalFailure")]
    [InlineData(502, MotoUnknownActionPage, "text/html", "InternalFailure")]
    public async Task Given_any_other_error_when_listing_service_deployments_then_it_propagates(int status, string body, string contentType, string code)
    {
        var ct = TestContext.Current.CancellationToken;
        var answers = new CannedAnswers().Answer((HttpStatusCode)status, body, contentType);

        var error = await Assert.ThrowsAsync<AwsServiceException>(
            () => new EcsClient(ClientFactory.Transport(answers)).ListServiceDeploymentsAsync("prod", "web", ct));

        Assert.Equal(code, error.Code);
        Assert.Equal(status, error.HttpStatus);
    }

    private static JsonObject Service(string name, JsonArray events, string deploymentStatus = "PRIMARY") => new()
    {
        ["serviceArn"] = $"arn:aws:ecs:us-east-1:123456789012:service/c/{name}",
        ["serviceName"] = name,
        ["status"] = "ACTIVE",
        ["taskDefinition"] = $"arn:aws:ecs:us-east-1:123456789012:task-definition/{name}:1",
        ["desiredCount"] = 1,
        ["runningCount"] = 1,
        ["pendingCount"] = 0,
        ["deployments"] = new JsonArray(new JsonObject
        {
            ["id"] = "ecs-svc/1",
            ["status"] = deploymentStatus,
            ["createdAt"] = 1740830400.ToString(CultureInfo.InvariantCulture),
        }),
        ["events"] = events,
    };
}
