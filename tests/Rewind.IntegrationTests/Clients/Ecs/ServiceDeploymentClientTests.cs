using Rewind.Aws.Ecs;
using Rewind.Aws.Errors;
using Rewind.IntegrationTests.Shapes;
using Xunit;

namespace Rewind.IntegrationTests.Clients.Ecs;

/// <summary>
/// Rewind's EcsClient against the shape emulator: the service deployment history, the stop and continue calls, real
/// calls and real answers; the production rule's weights read back with Rewind's ElbClient.
/// </summary>
[Collection("shape-emulator")]
public sealed class ServiceDeploymentClientTests(ShapeEmulatorFixture emulator)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_a_rolling_service_when_listing_its_history_then_each_deployment_names_the_revision_it_ran()
    {
        var world = await ShapeWorld.SeedAsync(emulator, ServiceShape.Rolling, FourthDeployment.Completed, Ct);

        var listed = await world.Ecs.ListServiceDeploymentsAsync(world.Cluster, world.Service, Ct);
        var described = await world.Ecs.DescribeServiceDeploymentsAsync([.. listed.Deployments.Select(d => d.ServiceDeploymentArn)], Ct);
        var revisions = await world.Ecs.DescribeServiceRevisionsAsync([.. listed.Deployments.Select(d => d.TargetServiceRevisionArn!)], Ct);

        Assert.True(listed.Supported);
        Assert.Equal([world.FourthDeploymentArn, world.GoodDeploymentArn], listed.Deployments.Select(d => d.ServiceDeploymentArn));
        Assert.All(listed.Deployments, d => Assert.Equal(ServiceDeploymentStatus.Successful, d.Status));
        Assert.Equal([world.Bad, world.Good], revisions.Deployments.Select(r => r.TaskDefinition));
        var fourth = described.Deployments[0];
        Assert.Equal(listed.Deployments[1].TargetServiceRevisionArn, Assert.Single(fourth.SourceServiceRevisions).Arn);
        Assert.Equal((2, 2), (fourth.TargetServiceRevision!.RequestedTaskCount, fourth.TargetServiceRevision.RunningTaskCount));
        Assert.NotNull(fourth.FinishedAt);
        Assert.Empty(described.Failures);
    }

    [Fact]
    public async Task Given_a_rolling_rollout_in_flight_when_stopped_with_rollback_then_the_good_revision_is_primary_again()
    {
        var world = await ShapeWorld.SeedAsync(emulator, ServiceShape.Rolling, FourthDeployment.InProgress, Ct);

        var stopped = await world.Ecs.StopServiceDeploymentAsync(world.FourthDeploymentArn!, StopServiceDeploymentType.Rollback, Ct);
        var service = Assert.Single((await world.Ecs.DescribeServicesAsync(world.Cluster, [world.Service], Ct)).Services);
        var done = await world.WaitForAsync(d => d.Status == ServiceDeploymentStatus.RollbackSuccessful, Patience, Ct);

        Assert.Equal(world.FourthDeploymentArn, stopped);
        Assert.Equal(world.Good, service.PrimaryDeployment!.TaskDefinition);
        Assert.Equal(done.SourceServiceRevisions[0].Arn, done.Rollback!.ServiceRevisionArn);
    }

    [Theory]
    [InlineData(ServiceShape.BlueGreen)]
    [InlineData(ServiceShape.Linear)]
    [InlineData(ServiceShape.Canary)]
    public async Task Given_a_shifting_deployment_in_bake_time_when_stopped_then_production_flips_back_to_blue(ServiceShape shape)
    {
        var world = await ShapeWorld.SeedAsync(emulator, shape, FourthDeployment.InBakeTime, Ct);
        var baking = (await world.DescribeAsync(world.FourthDeploymentArn!, Ct))!;
        var shifted = await world.ProductionWeightsAsync(Ct);

        await world.Ecs.StopServiceDeploymentAsync(world.FourthDeploymentArn!, StopServiceDeploymentType.Rollback, Ct);
        var flipped = await world.ProductionWeightsAsync(Ct);
        var done = await world.WaitForAsync(d => d.Status == ServiceDeploymentStatus.RollbackSuccessful, Patience, Ct);
        var service = Assert.Single((await world.Ecs.DescribeServicesAsync(world.Cluster, [world.Service], Ct)).Services);

        Assert.Equal(ServiceDeploymentLifecycleStage.BakeTime, baking.LifecycleStage);
        Assert.Equal(100, baking.TargetServiceRevision!.RequestedProductionTrafficWeight);
        Assert.Equal(2, baking.SourceServiceRevisions.Single().RunningTaskCount);
        Assert.Equal(new Dictionary<string, int> { [world.BlueTargetGroupArn!] = 0, [world.GreenTargetGroupArn!] = 100 }, shifted);
        Assert.Equal(new Dictionary<string, int> { [world.BlueTargetGroupArn!] = 100, [world.GreenTargetGroupArn!] = 0 }, flipped);
        Assert.Equal(0, done.TargetServiceRevision!.RequestedProductionTrafficWeight);
        Assert.Equal(world.Good, service.TaskDefinition);
        Assert.Equal(Enum.Parse<DeploymentStrategy>(shape.ToString()), service.DeploymentConfiguration!.Strategy);
        Assert.Equal(world.GreenTargetGroupArn, Assert.Single(service.LoadBalancers).AdvancedConfiguration!.AlternateTargetGroupArn);
    }

    [Fact]
    public async Task Given_a_deployment_paused_at_a_hook_when_continued_then_it_completes_on_green()
    {
        var world = await ShapeWorld.SeedAsync(emulator, ServiceShape.BlueGreen, FourthDeployment.PausedAtHook, Ct);
        var paused = (await world.DescribeAsync(world.FourthDeploymentArn!, Ct))!;
        var hook = Assert.Single(paused.LifecycleHookDetails);
        var whilePaused = await world.ProductionWeightsAsync(Ct);

        var wrongHook = await Assert.ThrowsAsync<AwsServiceException>(
            () => world.Ecs.ContinueServiceDeploymentAsync(world.FourthDeploymentArn!, "no-such-hook", LifecycleHookAction.Continue, Ct));
        await world.Ecs.ContinueServiceDeploymentAsync(world.FourthDeploymentArn!, hook.HookId, LifecycleHookAction.Continue, Ct);
        var done = await world.WaitForAsync(d => d.Status == ServiceDeploymentStatus.Successful, Patience, Ct);

        Assert.Equal(ShapeWorld.PauseStage, paused.LifecycleStage);
        Assert.Equal((LifecycleHookTargetType.Pause, LifecycleHookStatus.AwaitingAction), (hook.TargetType, hook.Status));
        Assert.Equal(100, whilePaused[world.BlueTargetGroupArn!]);
        Assert.Equal("InvalidParameterException", wrongHook.Code);
        Assert.Equal(ServiceDeploymentStatus.Successful, done.Status);
        Assert.Equal(100, (await world.ProductionWeightsAsync(Ct))[world.GreenTargetGroupArn!]);
    }

    [Fact]
    public async Task Given_a_paused_deployment_when_answered_with_rollback_then_it_rolls_back()
    {
        var world = await ShapeWorld.SeedAsync(emulator, ServiceShape.Canary, FourthDeployment.PausedAtHook, Ct);
        var hook = Assert.Single((await world.DescribeAsync(world.FourthDeploymentArn!, Ct))!.LifecycleHookDetails);

        await world.Ecs.ContinueServiceDeploymentAsync(world.FourthDeploymentArn!, hook.HookId, LifecycleHookAction.Rollback, Ct);
        var done = await world.WaitForAsync(d => d.Status == ServiceDeploymentStatus.RollbackSuccessful, Patience, Ct);

        Assert.Contains(hook.HookId, done.Rollback!.Reason, StringComparison.Ordinal);
        Assert.Equal(100, (await world.ProductionWeightsAsync(Ct))[world.BlueTargetGroupArn!]);
    }

    [Fact]
    public async Task Given_a_finished_deployment_when_stopped_then_ecs_answers_conflict()
    {
        var world = await ShapeWorld.SeedAsync(emulator, ServiceShape.BlueGreen, FourthDeployment.Completed, Ct);

        var error = await Assert.ThrowsAsync<AwsServiceException>(
            () => world.Ecs.StopServiceDeploymentAsync(world.FourthDeploymentArn!, StopServiceDeploymentType.Rollback, Ct));

        Assert.Equal("ConflictException", error.Code);
        Assert.Equal(100, (await world.ProductionWeightsAsync(Ct))[world.GreenTargetGroupArn!]);
    }

    [Fact]
    public async Task Given_a_code_deploy_service_deployed_by_codedeploy_then_ecs_runs_the_new_revision_and_refuses_updates()
    {
        var world = await ShapeWorld.SeedAsync(emulator, ServiceShape.CodeDeploy, FourthDeployment.Completed, Ct);

        var error = await Assert.ThrowsAsync<AwsServiceException>(
            () => world.Ecs.UpdateServiceAsync(new ServiceUpdate(world.Cluster, world.Service, world.Good), Ct));
        var service = Assert.Single((await world.Ecs.DescribeServicesAsync(world.Cluster, [world.Service], Ct)).Services);
        var weights = await world.CodeDeployListenerWeightsAsync(Ct);

        Assert.Equal("InvalidParameterException", error.Code);
        Assert.Contains("Use AWS CodeDeploy to trigger a new deployment.", error.Message, StringComparison.Ordinal);
        Assert.Equal(DeploymentControllerType.CodeDeploy, service.DeploymentController!.Type);
        Assert.Equal(world.Bad, service.TaskDefinition);
        Assert.Equal(new Dictionary<string, int> { [world.BlueTargetGroupArn!] = 0, [world.GreenTargetGroupArn!] = 100 }, weights);
    }

    [Fact]
    public async Task Given_an_external_service_then_it_has_no_service_deployments()
    {
        var world = await ShapeWorld.SeedAsync(emulator, ServiceShape.External, FourthDeployment.Completed, Ct);

        var listed = await world.Ecs.ListServiceDeploymentsAsync(world.Cluster, world.Service, Ct);
        var service = Assert.Single((await world.Ecs.DescribeServicesAsync(world.Cluster, [world.Service], Ct)).Services);

        Assert.True(listed.Supported);
        Assert.Empty(listed.Deployments);
        Assert.Equal(DeploymentControllerType.External, service.DeploymentController!.Type);
    }
}
