using Rewind.Aws.CodeDeploy;
using Rewind.Aws.Ecs;
using Rewind.Core.Engine;
using Rewind.Playbook.Ecs;
using Rewind.Playbook.Ecs.CodeDeploy;
using Rewind.Playbook.Tests.Fakes;
using Rewind.Playbook.Tests.Layers;
using Xunit;

namespace Rewind.Playbook.Tests.Ecs;

/// <summary>
/// Target selection for a CODE_DEPLOY service with no ledger release: CodeDeploy's Succeeded deployments are the
/// deployment history (ECS keeps none for it), and a deployment in flight makes the revision it replaces the candidate.
/// </summary>
public sealed class CodeDeployTargetTests
{
    private const string App = "shop";
    private const string Group = "api-dg";
    private static readonly string V2 = FakeEcs.TaskDefinition(2);
    private static readonly string V3 = FakeEcs.TaskDefinition(3);
    private static readonly string V4 = FakeEcs.TaskDefinition(4);

    private readonly FakeEcs _ecs = new();
    private readonly FakeCodeDeploy _codeDeploy = new FakeCodeDeploy().WithGroup(App, Group, "prod", "api");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<RollbackTarget> SelectAsync(int running, ICodeDeployHistory? history)
    {
        _ecs.WithService("prod", "api", running).Reshape("prod", "api", s => s with
        {
            ClusterArn = $"{FakeEcs.Account}:cluster/prod",
            DeploymentController = new DeploymentController(DeploymentControllerType.CodeDeploy),
            Deployments = [],
        });
        return new RollbackTargetSelector(_ecs, new FakeReleaseStore(), new EcsSettings("prod", "api", "claude-proxy-api", TimeSpan.FromSeconds(30)), history)
            .SelectAsync(LayerRun.Service, null, Ct);
    }

    private CodeDeployRollback History() => new(_codeDeploy, null, null, PollSchedule.Immediate);

    [Fact]
    public async Task Given_4_completed_after_3_and_2_when_selected_then_the_newest_Succeeded_CodeDeploy_deployment_of_another_revision_is_the_target()
    {
        _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.Succeeded, V3, minutesAgo: 120);
        var second = _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.Succeeded, V2, minutesAgo: 60);
        _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.Succeeded, V4, minutesAgo: 5);

        var target = await SelectAsync(4, History());

        Assert.Equal(("claude-proxy-api:2", V2), (target.Label, target.TaskDefinitionArn));
        Assert.Equal($"last Succeeded CodeDeploy deployment of another revision (2026-12-03 07:00Z, {second} of shop/api-dg)", target.Reason);
        Assert.Equal(0, _codeDeploy.StopCount + _codeDeploy.CreateCount);
    }

    [Fact]
    public async Task Given_the_first_CodeDeploy_deployment_of_the_group_completed_4_over_2_when_selected_then_the_revision_it_replaced_is_the_target_not_3()
    {
        var only = _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.Succeeded, V4, V2, minutesAgo: 5);

        var target = await SelectAsync(4, History());

        Assert.Equal(("claude-proxy-api:2", V2), (target.Label, target.TaskDefinitionArn));
        Assert.Equal($"the revision that Succeeded CodeDeploy deployment {only} of shop/api-dg replaced (2026-12-03 07:55Z)", target.Reason);
    }

    [Fact]
    public async Task Given_4_in_flight_over_2_and_no_Succeeded_deployment_when_selected_then_the_revision_it_replaces_is_the_target_not_1()
    {
        var inFlight = _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.InProgress, V4, V2, minutesAgo: 3);

        var target = await SelectAsync(2, History());

        Assert.Equal(("claude-proxy-api:2", V2), (target.Label, target.TaskDefinitionArn));
        Assert.Equal($"the revision CodeDeploy deployment {inFlight} of shop/api-dg replaces with claude-proxy-api:4 (in flight); the service still runs it", target.Reason);
    }

    [Fact]
    public async Task Given_4_in_flight_after_a_Succeeded_deployment_of_4_when_selected_then_4_is_never_the_target()
    {
        _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.Succeeded, V4, V3, minutesAgo: 60);
        _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.Succeeded, V2, V4, minutesAgo: 30);
        _codeDeploy.WithDeployment(App, Group, CodeDeployDeploymentStatus.InProgress, V4, V2, minutesAgo: 3);

        var target = await SelectAsync(2, History());

        Assert.Equal("claude-proxy-api:2", target.Label);
        Assert.StartsWith("last Succeeded CodeDeploy deployment of another revision", target.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_no_CodeDeploy_history_source_when_selected_then_it_falls_back_to_the_next_lower_ACTIVE_revision()
    {
        var target = await SelectAsync(4, history: null);

        Assert.Equal("claude-proxy-api:3", target.Label);
        Assert.StartsWith("next lower ACTIVE revision below the running claude-proxy-api:4", target.Reason, StringComparison.Ordinal);
    }
}
