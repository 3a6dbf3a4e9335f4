using Rewind.Aws.Ecs;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Playbook.Ecs;
using Rewind.Playbook.Ecs.CodeDeploy;
using Rewind.Playbook.Tests.Fakes;
using Rewind.Playbook.Tests.Layers;
using Xunit;

namespace Rewind.Playbook.Tests.Ecs;

/// <summary>The CODE_DEPLOY row: the ecs step plans and executes through ICodeDeployRollback and never sends UpdateService.</summary>
public sealed class CodeDeployPathTests
{
    private static readonly EcsSettings Prod = new("prod", "api", "claude-proxy-api", TimeSpan.FromSeconds(30));
    private static readonly string V2 = FakeEcs.TaskDefinition(2);

    private readonly LayerRun _run = new();
    private readonly FakeEcs _ecs = new FakeEcs().WithService("prod", "api", 4)
        .Reshape("prod", "api", s => s with { DeploymentController = new DeploymentController(DeploymentControllerType.CodeDeploy) });

    /// <summary>CodeDeploy as the ecs step sees it: the plan it returns, and each execution it is asked for.</summary>
    private sealed class RecordingRollback(bool succeeds) : ICodeDeployRollback
    {
        public List<CodeDeployPlan> Executed { get; } = [];

        public Task<CodeDeployPlan> PlanAsync(EcsService service, string targetTaskDefinition, CancellationToken cancellationToken) =>
            Task.FromResult(new CodeDeployPlan("app", "dg", "d-IN", true, targetTaskDefinition, "api", 8080, "StopDeployment d-IN with auto-rollback"));

        public Task<CodeDeployOutcome> ExecuteAsync(CodeDeployPlan plan, StepContext context, CancellationToken cancellationToken)
        {
            Executed.Add(plan);
            return Task.FromResult(succeeds
                ? new CodeDeployOutcome(true, "rollback deployment d-RB Succeeded", "d-RB", "Succeeded", null)
                : new CodeDeployOutcome(false, "rollback deployment d-RB Failed", "d-RB", "Failed", "tasks failed health checks"));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Given_a_code_deploy_service_when_planned_and_executed_then_the_code_deploy_plan_is_stored_and_executed_once_without_update_service(bool succeeds)
    {
        var codeDeploy = new RecordingRollback(succeeds);
        var step = new EcsStep(_ecs, Prod, PollSchedule.Immediate, codeDeploy: codeDeploy);

        var plan = await _run.PlanAsync(step, LayerRun.Target(V2));
        var (_, result) = Assert.Single((await _run.StartAsync(EcsStep.ForExecution(_ecs, PollSchedule.Immediate, codeDeploy), plan)).Steps);

        var planned = EcsStep.Read(Assert.Single(plan.Steps));
        Assert.Equal((RollbackPath.CodeDeploy, "dg", V2), (planned.Path, planned.CodeDeploy!.DeploymentGroup, planned.CodeDeploy.TargetTaskDefinition));
        Assert.Equal("CODE_DEPLOY controller: CodeDeploy rolls it back (UpdateService with a task definition is refused): StopDeployment d-IN with auto-rollback", Assert.Single(plan.Steps).Summary);
        Assert.Equal(planned.CodeDeploy, Assert.Single(codeDeploy.Executed));
        Assert.Equal(succeeds ? StepStatus.Succeeded : StepStatus.Failed, result.Status);
        Assert.Equal(("CodeDeploy", "d-RB"), (Assert.IsType<ServiceReverted>(result.Evidence).Path, Assert.IsType<ServiceReverted>(result.Evidence).ServiceDeployment));
        if (!succeeds)
            Assert.Equal("rollback deployment d-RB Failed: tasks failed health checks", result.Summary);
        Assert.Equal(0, _ecs.UpdateCount);
    }
}
