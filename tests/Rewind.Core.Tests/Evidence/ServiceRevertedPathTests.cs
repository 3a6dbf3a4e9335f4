using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Xunit;

namespace Rewind.Core.Tests.Evidence;

/// <summary>The "service reverted" tick for each ECS rollback path (issue 17): each path's own proof, and nothing less.</summary>
public sealed class ServiceRevertedPathTests
{
    // ECS's own rollback of a BLUE_GREEN deployment in bake: the old deployment may still drain, so its proof is the
    // service deployment's ROLLBACK_SUCCESSFUL with the target running.
    private static readonly ServiceReverted StoppedInBake = EvidenceRuns.Ecs with
    {
        RolloutState = "IN_PROGRESS",
        Deployments = 2,
        Path = "StopServiceDeployment",
        ServiceDeployment = "arn:aws:ecs:us-east-1:123456789012:service-deployment/claude-proxy/claude-proxy-api/sd-4",
        ServiceDeploymentStatus = "ROLLBACK_SUCCESSFUL",
        StageReached = "rolled back",
        TargetProductionWeight = 100,
    };

    private static ChecklistItem Item(ServiceReverted evidence) =>
        Checklist.Evaluate(EvidenceRuns.Record([("ecs", StepResult.Succeeded("done", evidence))])).Single(i => i.Key == "service-reverted");

    [Theory]
    [InlineData("StopServiceDeployment")]
    [InlineData("ContinueServiceDeployment")]
    public void Given_ecs_rolled_the_deployment_back_successfully_with_the_target_running_then_the_item_is_ticked(string path) =>
        Assert.True(Item(StoppedInBake with { Path = path }).Ticked);

    [Theory]
    [InlineData("ROLLBACK_FAILED")]
    [InlineData("ROLLBACK_IN_PROGRESS")]
    [InlineData("STOPPED")]
    [InlineData(null)]
    public void Given_an_ecs_rollback_that_did_not_succeed_then_the_item_is_never_ticked(string? status)
    {
        var item = Item(StoppedInBake with { ServiceDeploymentStatus = status });

        Assert.False(item.Ticked);
        Assert.Contains("not ROLLBACK_SUCCESSFUL", item.Missing, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_an_ecs_rollback_successful_but_another_revision_running_then_the_item_is_not_ticked() =>
        Assert.False(Item(StoppedInBake with { TaskDefinition = "claude-proxy-api:4" }).Ticked);

    [Fact]
    public void Given_an_update_service_under_a_strategy_waited_until_traffic_then_production_traffic_on_the_target_ticks_it_and_less_does_not()
    {
        var traffic = EvidenceRuns.Ecs with { RolloutState = "IN_PROGRESS", Deployments = 2, Path = "UpdateService", StageReached = "traffic", TargetProductionWeight = 100 };

        Assert.True(Item(traffic).Ticked);
        Assert.False(Item(traffic with { TargetProductionWeight = 50 }).Ticked);
        Assert.False(Item(traffic with { TargetProductionWeight = null }).Ticked);
    }

    [Fact]
    public void Given_an_update_service_waited_until_completed_then_the_rollout_rules_of_before_apply() =>
        Assert.False(Item(EvidenceRuns.Ecs with { Path = "UpdateService", StageReached = "completed", Deployments = 2 }).Ticked);

    // CodeDeploy's CreateDeployment of the target on a CODE_DEPLOY service: task sets, no ECS deployment or rollout.
    private static readonly ServiceReverted ByCodeDeploy = EvidenceRuns.Ecs with
    {
        Deployment = "d-ABCDEF123",
        RolloutState = null,
        Deployments = 0,
        Path = "CodeDeploy",
        ServiceDeployment = "d-ABCDEF123",
        ServiceDeploymentStatus = "Succeeded",
    };

    [Fact]
    public void Given_codedeploy_deployed_the_target_and_succeeded_then_the_item_is_ticked_without_an_ecs_rollout() =>
        Assert.True(Item(ByCodeDeploy).Ticked, Item(ByCodeDeploy).Missing);

    [Theory]
    [InlineData("Failed")]
    [InlineData("Stopped")]
    [InlineData("InProgress")]
    [InlineData(null)]
    public void Given_a_codedeploy_deployment_that_did_not_succeed_then_the_item_is_never_ticked(string? status)
    {
        var item = Item(ByCodeDeploy with { ServiceDeploymentStatus = status });

        Assert.False(item.Ticked);
        Assert.Contains("not Succeeded", item.Missing, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_codedeploy_succeeded_but_the_service_runs_another_revision_or_fewer_tasks_then_the_item_is_not_ticked()
    {
        Assert.False(Item(ByCodeDeploy with { TaskDefinition = "claude-proxy-api:4" }).Ticked);
        Assert.False(Item(ByCodeDeploy with { Running = 0 }).Ticked);
    }
}
