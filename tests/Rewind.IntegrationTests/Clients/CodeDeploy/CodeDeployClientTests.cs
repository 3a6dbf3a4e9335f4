using Rewind.Aws.CodeDeploy;
using Rewind.Aws.Ecs;
using Rewind.Aws.Errors;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Emulator;
using Rewind.Playbook.Ecs.CodeDeploy;
using Xunit;

namespace Rewind.IntegrationTests.Clients.CodeDeploy;

// Every CodeDeploy operation is a POST, so these run against the signature-checking emulator (plain moto: it has no
// StopDeployment or BatchGetDeploymentGroups; the wire tests in Rewind.Aws.Tests cover those).
[Collection("signed-emulator")]
public sealed class CodeDeployClientTests(SignedEmulatorFixture emulator)
{
    private const string AppSpec = """
        {"version":0.0,"Resources":[{"TargetService":{"Type":"AWS::ECS::Service","Properties":{"TaskDefinition":"arn:aws:ecs:us-east-1:123456789012:task-definition/api:2","LoadBalancerInfo":{"ContainerName":"api","ContainerPort":8080}}}}]}
        """;

    private readonly CodeDeployClient _codeDeploy = new(ClientFactory.Transport(emulator));

    private CodeDeploySeeder Seed => new(ClientFactory.Transport(emulator));

    [Fact]
    public async Task Given_an_ECS_application_with_a_group_when_listed_and_got_then_the_group_names_its_ecs_service()
    {
        var ct = TestContext.Current.CancellationToken;
        var app = ClientFactory.Unique("shop");
        await Seed.CreateEcsApplicationAsync(app, ct);
        await Seed.CreateEcsGroupAsync(app, "api-dg", "prod", "api", ct);
        await Seed.CreateEcsGroupAsync(app, "web-dg", "prod", "web", ct);

        Assert.Contains(app, await _codeDeploy.ListApplicationsAsync(ct));
        Assert.Equal(["api-dg", "web-dg"], (await _codeDeploy.ListDeploymentGroupsAsync(app, ct)).Order(StringComparer.Ordinal));
        var group = await _codeDeploy.GetDeploymentGroupAsync(app, "api-dg", ct);

        Assert.Equal((app, "api-dg", "CodeDeployDefault.ECSAllAtOnce"), (group.ApplicationName, group.DeploymentGroupName, group.DeploymentConfigName));
        Assert.Equal(new CodeDeployEcsService("api", "prod"), Assert.Single(group.EcsServices));
        Assert.True(group.AutoRollbackConfiguration!.Enabled);
        Assert.Equal(["blue", "green"], Assert.Single(group.LoadBalancerInfo!.TargetGroupPairInfoList!).TargetGroups!.Select(t => t.Name));
    }

    [Fact]
    public async Task Given_no_such_group_when_got_then_CodeDeploys_DeploymentGroupDoesNotExistException_surfaces()
    {
        var ct = TestContext.Current.CancellationToken;
        var app = ClientFactory.Unique("shop");
        await Seed.CreateEcsApplicationAsync(app, ct);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => _codeDeploy.GetDeploymentGroupAsync(app, "missing", ct));

        Assert.Equal("DeploymentGroupDoesNotExistException", error.Code);
    }

    [Fact]
    public async Task Given_a_created_deployment_when_got_and_listed_then_it_carries_the_AppSpec_and_is_listed_by_its_status()
    {
        var ct = TestContext.Current.CancellationToken;
        var app = ClientFactory.Unique("shop");
        await Seed.CreateEcsApplicationAsync(app, ct);
        await Seed.CreateEcsGroupAsync(app, "api-dg", "prod", "api", ct);

        var id = await _codeDeploy.CreateDeploymentAsync(new CodeDeployDeploymentRequest(app, "api-dg", AppSpec, "rewind: roll back to api:2"), ct);
        var deployment = await _codeDeploy.GetDeploymentAsync(id, ct);

        Assert.Equal((id, app, "api-dg"), (deployment.DeploymentId, deployment.ApplicationName, deployment.DeploymentGroupName));
        Assert.Equal(CodeDeployDeploymentStatus.Created, deployment.Status);
        Assert.Equal("AppSpecContent", deployment.Revision!.RevisionType);
        Assert.Equal(AppSpec, deployment.Revision.AppSpecContent!.Content);
        Assert.Equal("rewind: roll back to api:2", deployment.Description);
        Assert.InRange(deployment.CreateTime!.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal([id], await _codeDeploy.ListDeploymentsAsync(app, "api-dg", [CodeDeployDeploymentStatus.Created, CodeDeployDeploymentStatus.InProgress], ct));
        Assert.Empty(await _codeDeploy.ListDeploymentsAsync(app, "api-dg", [CodeDeployDeploymentStatus.Succeeded], ct));
        Assert.Equal([id], await _codeDeploy.ListDeploymentsAsync(app, "api-dg", null, ct));
    }

    [Fact]
    public async Task Given_a_group_among_other_applications_when_the_CodeDeploy_rollback_plans_then_it_finds_it_over_the_wire_and_plans_a_create()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, other, service) = (ClientFactory.Unique("shop"), ClientFactory.Unique("blog"), ClientFactory.Unique("api"));
        await Seed.CreateEcsApplicationAsync(other, ct);
        await Seed.CreateEcsGroupAsync(other, "web-dg", "prod", ClientFactory.Unique("web"), ct);
        await Seed.CreateEcsApplicationAsync(app, ct);
        await Seed.CreateEcsGroupAsync(app, "api-dg", "prod", service, ct);
        var ecsService = new EcsService
        {
            ServiceArn = $"arn:aws:ecs:us-east-1:123456789012:service/prod/{service}",
            ServiceName = service,
            ClusterArn = "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
            LoadBalancers = [new ServiceLoadBalancer { ContainerName = "api", ContainerPort = 8080 }],
        };

        var plan = await new CodeDeployRollback(_codeDeploy, null, null, PollSchedule.Immediate).PlanAsync(ecsService, "api:2", ct);
        var missing = await Assert.ThrowsAsync<RewindException>(() =>
            new CodeDeployRollback(_codeDeploy, null, null, PollSchedule.Immediate).PlanAsync(ecsService with { ServiceName = ClientFactory.Unique("gone") }, "api:2", ct));

        Assert.Equal((app, "api-dg", false, "api", 8080), (plan.Application, plan.DeploymentGroup, plan.StopInFlight, plan.ContainerName, plan.ContainerPort));
        Assert.Equal(FailureKind.BadInput, missing.Kind);
    }
}
