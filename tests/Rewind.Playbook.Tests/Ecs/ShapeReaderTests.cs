using Rewind.Aws.Ecs;
using Rewind.Playbook.Ecs;
using Rewind.Playbook.Tests.Fakes;
using Xunit;

namespace Rewind.Playbook.Tests.Ecs;

/// <summary>Shape detection: the controller, strategy, ECS-owned rules, the deployment in flight, ECS's own rollback, and the fallbacks.</summary>
public sealed class ShapeReaderTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly FakeEcs _ecs = new();

    private Task<ServiceShape> ReadAsync() => new ServiceShapeReader(_ecs).ReadAsync("prod", "api", Ct);

    [Fact]
    public async Task Given_a_blue_green_deployment_in_bake_when_read_then_the_shape_names_the_strategy_the_owned_rule_the_stage_and_both_revisions()
    {
        _ecs.WithDeploymentInFlight("prod", "api", source: 2, target: 4, DeploymentStrategy.BlueGreen, ServiceDeploymentLifecycleStage.BakeTime);

        var shape = await ReadAsync();

        Assert.Equal((DeploymentControllerType.Ecs, DeploymentStrategy.BlueGreen, true), (shape.Controller, shape.Strategy, shape.EcsShiftsTraffic));
        Assert.Equal(FakeEcs.TaskDefinition(2), shape.InFlight!.SourceTaskDefinition);
        Assert.Equal(FakeEcs.TaskDefinition(4), shape.InFlight.TargetTaskDefinition);
        Assert.Null(shape.Note);
        Assert.Equal(TimeSpan.FromMinutes(10), shape.StrategyDuration);
        Assert.Equal(
            "ECS controller, BLUE_GREEN, bake 10 min; ECS owns production rule prod; deployment sd-4 of claude-proxy-api:4 IN_PROGRESS in BAKE_TIME, source claude-proxy-api:2",
            shape.Describe());
    }

    [Fact]
    public async Task Given_a_paused_hook_when_read_then_the_deployment_in_flight_names_the_hook_awaiting_action()
    {
        _ecs.WithDeploymentInFlight("prod", "api", 2, 4, DeploymentStrategy.Canary, ServiceDeploymentLifecycleStage.PostTestTrafficShift, pausedHook: "hook-7");

        var shape = await ReadAsync();

        Assert.Equal("hook-7", shape.InFlight!.AwaitingHook!.HookId);
        Assert.Contains("PAUSE hook hook-7 AWAITING_ACTION", shape.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_an_endpoint_without_service_deployments_when_read_then_the_shape_comes_from_describe_services_alone_and_says_so()
    {
        _ecs.WithService("prod", "api", 4);

        var shape = await ReadAsync();

        Assert.Null(shape.InFlight);
        Assert.Equal("shape from DescribeServices alone: ListServiceDeployments not supported by this endpoint", shape.Note);
    }

    [Fact]
    public async Task Given_revisions_too_old_to_describe_when_read_then_the_task_definitions_come_from_the_services_deployments_with_the_reason()
    {
        _ecs.WithDeploymentInFlight("prod", "api", 2, 4, DeploymentStrategy.Rolling);
        _ecs.TooOld.Add(FakeEcs.RevisionArn("api", 2));
        _ecs.TooOld.Add(FakeEcs.RevisionArn("api", 4));

        var shape = await ReadAsync();

        Assert.Equal(FakeEcs.TaskDefinition(2), shape.InFlight!.SourceTaskDefinition);
        Assert.Equal(FakeEcs.TaskDefinition(4), shape.InFlight.TargetTaskDefinition);
        Assert.StartsWith("service revision 2 could not be described (MISSING: the service revision was created before 2024-10-25", shape.Note, StringComparison.Ordinal);
        Assert.EndsWith("taken from DescribeServices (PRIMARY runs claude-proxy-api:4, ACTIVE runs claude-proxy-api:2)", shape.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_deployment_the_circuit_breaker_rolled_back_when_read_then_the_shape_names_it_when_and_to_which_revision()
    {
        _ecs.WithRolledBackByEcs("prod", "api", failed: 5, returnedTo: 2);

        var shape = await ReadAsync();

        Assert.Null(shape.InFlight);
        Assert.Equal(FakeEcs.TaskDefinition(2), shape.RolledBack!.ReturnedTo);
        Assert.Equal("ECS rolled back deployment sd-5 of claude-proxy-api:5 at 2026-12-04 18:05Z to claude-proxy-api:2 (circuit breaker)", shape.RolledBack.Describe());
    }

    [Theory]
    [InlineData(DeploymentControllerType.CodeDeploy, "CODE_DEPLOY controller; no deployment in flight")]
    [InlineData(DeploymentControllerType.External, "EXTERNAL controller; no deployment in flight")]
    public async Task Given_another_controller_when_read_then_no_service_deployment_is_listed(DeploymentControllerType controller, string described)
    {
        _ecs.WithService("prod", "api", 4).Reshape("prod", "api", s => s with { DeploymentController = new DeploymentController(controller) });

        var shape = await ReadAsync();

        Assert.Equal(controller, shape.Controller);
        Assert.Equal(described, shape.Describe());
        Assert.DoesNotContain(_ecs.Calls, c => c.StartsWith("ListServiceDeployments", StringComparison.Ordinal));
    }
}
