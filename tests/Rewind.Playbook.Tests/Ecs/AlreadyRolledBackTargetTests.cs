using Rewind.Playbook.Ecs;
using Rewind.Playbook.Tests.Fakes;
using Rewind.Playbook.Tests.Layers;
using Xunit;

namespace Rewind.Playbook.Tests.Ecs;

/// <summary>Target selection after ECS rolled the service back itself: the revision it returned to, not one further back.</summary>
public sealed class AlreadyRolledBackTargetTests
{
    private readonly LayerRun _run = new();
    private readonly FakeEcs _ecs = new();

    private RollbackTargetSelector Selector() =>
        new(_ecs, new FakeReleaseStore(), new EcsSettings("prod", "api", "claude-proxy-api", TimeSpan.FromSeconds(30)));

    [Fact]
    public async Task Given_the_circuit_breaker_returned_the_service_from_5_to_2_when_a_target_is_selected_then_it_is_2_not_1()
    {
        _ecs.WithRolledBackByEcs("prod", "api", failed: 5, returnedTo: 2);

        var target = await Selector().SelectAsync(LayerRun.Service, null, TestContext.Current.CancellationToken);

        Assert.Equal(("claude-proxy-api:2", FakeEcs.TaskDefinition(2)), (target.Label, target.TaskDefinitionArn));
        Assert.Equal("ECS rolled back deployment sd-5 of claude-proxy-api:5 at 2026-12-04 18:05Z to claude-proxy-api:2 (circuit breaker); the service already runs it", target.Reason);
        Assert.Equal(1, _ecs.CallCount("ListServiceDeployments"));
    }

    [Fact]
    public async Task Given_an_old_endpoint_and_a_failed_deployment_beside_the_completed_one_it_was_rolled_back_to_when_selected_then_the_running_revision_is_the_target()
    {
        _ecs.Rollout = Rollout.RolledBackByCircuitBreaker;
        _ecs.WithService("prod", "api", 2);
        await _ecs.UpdateServiceAsync(new Rewind.Aws.Ecs.ServiceUpdate("prod", "api", FakeEcs.TaskDefinition(5)), TestContext.Current.CancellationToken);
        // Two reads: the circuit breaker starts the rollback deployment; the next completes it.
        _ = _ecs.DescribeServicesAsync("prod", ["api"], TestContext.Current.CancellationToken);
        _ = _ecs.DescribeServicesAsync("prod", ["api"], TestContext.Current.CancellationToken);
        _ecs.Reshape("prod", "api", s => s with
        {
            Deployments = [s.PrimaryDeployment! with { RolloutState = Rewind.Aws.Ecs.RolloutState.Completed, RunningCount = 2 }, .. s.Deployments.Skip(1)],
        });

        var target = await Selector().SelectAsync(LayerRun.Service, null, TestContext.Current.CancellationToken);

        Assert.Equal("claude-proxy-api:2", target.Label);
        Assert.StartsWith("ECS rolled back deployment ecs-svc/", target.Reason, StringComparison.Ordinal);
    }
}
