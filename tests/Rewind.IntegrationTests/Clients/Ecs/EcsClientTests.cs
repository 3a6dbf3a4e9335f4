using Rewind.Aws;
using Rewind.Aws.Ecs;
using Rewind.Aws.Errors;
using Rewind.Aws.Transport;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Emulator;
using Xunit;

namespace Rewind.IntegrationTests.Clients.Ecs;

// Every ECS operation is a POST, so all of these run against the signature-checking emulator.
[Collection("signed-emulator")]
public sealed class EcsClientTests(SignedEmulatorFixture emulator)
{
    private readonly AwsTransport _transport = ClientFactory.Transport(emulator);

    private EcsClient Ecs => new(_transport);

    private EcsSeeder Seed => new(_transport);

    [Fact]
    public async Task List_task_definitions_returns_the_family_revisions_with_the_asked_status()
    {
        var ct = TestContext.Current.CancellationToken;
        var family = ClientFactory.Unique("list");
        var first = await Seed.RegisterTaskDefinitionAsync(family, "nginx:1", ct);
        var second = await Seed.RegisterTaskDefinitionAsync(family, "nginx:2", ct);
        var third = await Seed.RegisterTaskDefinitionAsync(family, "nginx:3", ct);
        await Seed.RegisterTaskDefinitionAsync(ClientFactory.Unique("other"), "nginx:1", ct);
        await Seed.DeregisterTaskDefinitionAsync(second, ct);

        var active = await Ecs.ListTaskDefinitionsAsync(family, TaskDefinitionStatus.Active, SortOrder.Desc, ct);
        var inactive = await Ecs.ListTaskDefinitionsAsync(family, TaskDefinitionStatus.Inactive, SortOrder.Desc, ct);

        // moto ignores sort: compare as sets; callers order by TaskDefinitionRevision.Parse(arn).Revision.
        Assert.Equal([first, third], active.Order(StringComparer.Ordinal));
        Assert.Equal([second], inactive);
    }

    [Fact]
    public async Task Describe_task_definition_returns_family_revision_status_containers_and_tags()
    {
        var ct = TestContext.Current.CancellationToken;
        var family = ClientFactory.Unique("describe");
        var arn = await Seed.RegisterTaskDefinitionAsync(family, "registry.example/web:v7", ct, ("release", "v7"), ("commit", "abc123"));

        var described = await Ecs.DescribeTaskDefinitionAsync($"{family}:1", ct);

        var definition = described.TaskDefinition;
        Assert.Equal(arn, definition.TaskDefinitionArn);
        Assert.Equal(family, definition.Family);
        Assert.Equal(1, definition.Revision);
        Assert.Equal(TaskDefinitionStatus.Active, definition.Status);
        var container = Assert.Single(definition.ContainerDefinitions);
        Assert.Equal(("app", "registry.example/web:v7"), (container.Name, container.Image));
        Assert.Null(definition.RegisteredAt); // moto does not report registeredAt (AWS does)
        Assert.Equal([new EcsTag("release", "v7"), new EcsTag("commit", "abc123")], described.Tags);
    }

    [Fact]
    public async Task Given_a_deregistered_revision_when_described_then_it_is_inactive()
    {
        var ct = TestContext.Current.CancellationToken;
        var family = ClientFactory.Unique("inactive");
        var arn = await Seed.RegisterTaskDefinitionAsync(family, "nginx:1", ct);
        await Seed.DeregisterTaskDefinitionAsync(arn, ct);

        var described = await Ecs.DescribeTaskDefinitionAsync(arn, ct);

        Assert.Equal(TaskDefinitionStatus.Inactive, described.TaskDefinition.Status);
        Assert.Empty(described.Tags);
    }

    [Fact]
    public async Task Given_a_missing_task_definition_when_described_then_the_ClientException_propagates()
    {
        var ct = TestContext.Current.CancellationToken;

        var error = await Assert.ThrowsAsync<AwsServiceException>(
            () => Ecs.DescribeTaskDefinitionAsync(ClientFactory.Unique("missing") + ":1", ct));

        Assert.Equal("ClientException", error.Code);
        Assert.Equal(400, error.HttpStatus);
    }

    [Fact]
    public async Task Describe_services_sends_ten_names_per_call_and_reports_missing_ones_as_failures()
    {
        var ct = TestContext.Current.CancellationToken;
        var cluster = ClientFactory.Unique("batch");
        var family = ClientFactory.Unique("batch-web");
        await Seed.CreateClusterAsync(cluster, ct);
        await Seed.RegisterTaskDefinitionAsync(family, "nginx:1", ct);
        var names = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            names.Add($"svc-{i:00}");
            await Seed.CreateServiceAsync(cluster, names[^1], $"{family}:1", 1, ct);
        }
        names.Add("no-such-service");
        var calls = CountCalls("DescribeServices");

        var described = await Ecs.DescribeServicesAsync(cluster, names, ct);

        Assert.Equal(2, calls.Count);
        Assert.Equal(names[..12], described.Services.Select(s => s.ServiceName));
        var failure = Assert.Single(described.Failures);
        Assert.EndsWith("/no-such-service", failure.Arn, StringComparison.Ordinal);
        Assert.Equal("MISSING", failure.Reason);
    }

    [Fact]
    public async Task Describe_services_returns_counts_the_primary_deployment_and_the_circuit_breaker()
    {
        var ct = TestContext.Current.CancellationToken;
        var (cluster, service, family) = await Seed.ServiceWithTwoRevisionsAsync("describe-svc", ct);
        await Seed.SetCircuitBreakerAsync(cluster, service, enable: true, rollback: true, ct);

        var described = Assert.Single((await Ecs.DescribeServicesAsync(cluster, [service], ct)).Services);

        Assert.Equal(service, described.ServiceName);
        Assert.EndsWith($":service/{cluster}/{service}", described.ServiceArn, StringComparison.Ordinal);
        Assert.Equal(ServiceStatus.Active, described.Status);
        Assert.Equal(new TaskDefinitionRevision(family, 1), TaskDefinitionRevision.Parse(described.TaskDefinition!));
        Assert.Equal((2, 0, 2), (described.DesiredCount, described.RunningCount, described.PendingCount));
        Assert.Equal(new DeploymentCircuitBreaker(Enable: true, Rollback: true), described.DeploymentConfiguration?.DeploymentCircuitBreaker);
        var primary = Assert.Single(described.Deployments);
        Assert.Same(primary, described.PrimaryDeployment);
        Assert.StartsWith("ecs-svc/", primary.Id, StringComparison.Ordinal);
        Assert.Equal(DeploymentStatus.Primary, primary.Status);
        Assert.Equal(new TaskDefinitionRevision(family, 1), TaskDefinitionRevision.Parse(primary.TaskDefinition!));
        Assert.Equal((2, 0, 2, 0), (primary.DesiredCount, primary.RunningCount, primary.PendingCount, primary.FailedTasks));
        Assert.Equal(RolloutState.InProgress, primary.RolloutState); // MOTO_ECS_SERVICE_RUNNING is not set
        Assert.NotNull(primary.RolloutStateReason);
        Assert.InRange(primary.CreatedAt!.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(primary.CreatedAt, primary.UpdatedAt);
        Assert.Empty(described.Events); // moto never records service events
    }

    [Fact]
    public async Task Update_service_sets_the_task_definition_and_forces_a_new_deployment()
    {
        var ct = TestContext.Current.CancellationToken;
        var (cluster, service, family) = await Seed.ServiceWithTwoRevisionsAsync("update", ct);
        var before = Assert.Single((await Ecs.DescribeServicesAsync(cluster, [service], ct)).Services).PrimaryDeployment!;
        var calls = CountCalls("UpdateService");

        var updated = await Ecs.UpdateServiceAsync(new ServiceUpdate(cluster, service, $"{family}:2", ForceNewDeployment: true), ct);

        Assert.False(Assert.Single(calls).IsReadOnly);
        Assert.Equal(new TaskDefinitionRevision(family, 2), TaskDefinitionRevision.Parse(updated.TaskDefinition!));
        Assert.Equal(2, updated.DesiredCount);
        // moto renews the one deployment's id instead of adding a PRIMARY one (and leaves its taskDefinition stale).
        Assert.NotEqual(before.Id, updated.PrimaryDeployment!.Id);
        var reread = Assert.Single((await Ecs.DescribeServicesAsync(cluster, [service], ct)).Services);
        Assert.Equal(new TaskDefinitionRevision(family, 2), TaskDefinitionRevision.Parse(reread.TaskDefinition!));
    }

    [Fact]
    public async Task Update_service_changes_the_desired_count_only_when_given()
    {
        var ct = TestContext.Current.CancellationToken;
        var (cluster, service, family) = await Seed.ServiceWithTwoRevisionsAsync("scale", ct);

        var unchanged = await Ecs.UpdateServiceAsync(new ServiceUpdate(cluster, service, $"{family}:1"), ct);
        var scaled = await Ecs.UpdateServiceAsync(new ServiceUpdate(cluster, service, $"{family}:1", DesiredCount: 5), ct);

        Assert.Equal(2, unchanged.DesiredCount);
        Assert.Equal(5, scaled.DesiredCount);
    }

    [Fact]
    public async Task List_services_returns_every_service_arn_of_the_cluster()
    {
        var ct = TestContext.Current.CancellationToken;
        var (cluster, service, family) = await Seed.ServiceWithTwoRevisionsAsync("list-svc", ct);
        var second = await Seed.CreateServiceAsync(cluster, "second", $"{family}:2", 1, ct);

        var arns = await Ecs.ListServicesAsync(cluster, ct);

        Assert.Equal(2, arns.Count);
        Assert.Contains(arns, arn => arn.EndsWith($"/{cluster}/{service}", StringComparison.Ordinal));
        Assert.Contains(second, arns);
    }

    [Fact]
    public async Task Given_moto_without_service_deployments_when_listed_then_the_result_says_not_supported()
    {
        var ct = TestContext.Current.CancellationToken;
        var (cluster, service, _) = await Seed.ServiceWithTwoRevisionsAsync("sd-list", ct);

        var result = await Ecs.ListServiceDeploymentsAsync(cluster, service, ct);

        Assert.False(result.Supported);
        Assert.Equal("not supported by this endpoint", result.Reason);
        Assert.Empty(result.Deployments);
    }

    [Fact]
    public async Task Given_moto_without_service_deployments_when_described_then_the_result_says_not_supported()
    {
        var ct = TestContext.Current.CancellationToken;

        var result = await Ecs.DescribeServiceDeploymentsAsync(
            ["arn:aws:ecs:us-east-1:123456789012:service-deployment/c/s/abc"], ct);

        Assert.False(result.Supported);
        Assert.Equal("not supported by this endpoint", result.Reason);
        Assert.Empty(result.Deployments);
        Assert.Empty(result.Failures);
    }

    [Fact]
    public async Task Tag_resource_adds_tags_that_list_tags_for_resource_reads_back()
    {
        var ct = TestContext.Current.CancellationToken;
        var arn = await Seed.RegisterTaskDefinitionAsync(ClientFactory.Unique("tags"), "nginx:1", ct, ("release", "v1"));
        var calls = CountCalls("TagResource");

        await Ecs.TagResourceAsync(arn, [new EcsTag("rewind:known-good", "true"), new EcsTag("release", "v1.0.1")], ct);
        var tags = await Ecs.ListTagsForResourceAsync(arn, ct);

        Assert.False(Assert.Single(calls).IsReadOnly);
        Assert.Equal(
            [new EcsTag("release", "v1.0.1"), new EcsTag("rewind:known-good", "true")],
            tags.OrderBy(t => t.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Given_a_wrong_secret_key_when_listing_services_then_SignatureDoesNotMatch_is_thrown()
    {
        var ct = TestContext.Current.CancellationToken;
        var ecs = new EcsClient(ClientFactory.WronglySignedTransport(emulator));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => ecs.ListServicesAsync("default", ct));

        Assert.Equal("SignatureDoesNotMatch", error.Code);
        Assert.Equal(403, error.HttpStatus);
    }

    [Fact]
    public async Task Given_a_wrong_secret_key_when_listing_service_deployments_then_the_auth_error_is_not_taken_for_not_supported()
    {
        var ct = TestContext.Current.CancellationToken;
        var ecs = new EcsClient(ClientFactory.WronglySignedTransport(emulator));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => ecs.ListServiceDeploymentsAsync("default", "web", ct));

        Assert.Equal("SignatureDoesNotMatch", error.Code);
    }

    private List<AwsRequest> CountCalls(string operation)
    {
        var calls = new List<AwsRequest>();
        _transport.Sending += (service, request) =>
        {
            if (service == AwsService.Ecs && request.Operation == operation)
                calls.Add(request);
        };
        return calls;
    }
}
