using System.Text.Json.Serialization;
using Rewind.Aws.Ecs;
using Rewind.Core.Engine;

namespace Rewind.Playbook.Ecs.CodeDeploy;

/// <summary>
/// The ecs step's path for a service whose deployment controller is CODE_DEPLOY (UpdateService with a task definition
/// is refused there): CodeDeploy StopDeployment with auto-rollback for a deployment in flight that returns to the
/// target, StopDeployment without auto-rollback then CreateDeployment for one that returns elsewhere, else
/// CreateDeployment with an ECS AppSpec naming the target task definition. The ecs step plans and executes through
/// this seam; the plan it returns is stored inside the ecs step's plan.
/// </summary>
public interface ICodeDeployRollback
{
    /// <summary>
    /// Finds the service's application and deployment group (named in rewind.yaml, else found from the service) and
    /// the CodeDeploy deployment in flight, and chooses stop, stop then create, or create. A service with no deployment
    /// group found is bad input (RewindException, FailureKind.BadInput: one line naming the service and the keys to set).
    /// </summary>
    Task<CodeDeployPlan> PlanAsync(EcsService service, string targetTaskDefinition, CancellationToken cancellationToken);

    /// <summary>
    /// Executes <paramref name="plan"/> exactly once through <paramref name="context"/> (journaled; after a lost answer
    /// or a crash it reads CodeDeploy before deciding, never sends a second deployment), then waits until the
    /// rollback (or created) deployment Succeeded, or reports Failed/Stopped with CodeDeploy's own reason.
    /// </summary>
    Task<CodeDeployOutcome> ExecuteAsync(CodeDeployPlan plan, StepContext context, CancellationToken cancellationToken);
}

/// <summary>What the CODE_DEPLOY path was approved to do.</summary>
/// <param name="Application">The CodeDeploy application.</param>
/// <param name="DeploymentGroup">The deployment group that deploys the service.</param>
/// <param name="InFlightDeployment">The deployment in flight when planned (its id), or null.</param>
/// <param name="StopInFlight">
/// True: StopDeployment on <paramref name="InFlightDeployment"/> (with auto-rollback unless <paramref name="CreateAfterStop"/>);
/// false: CreateDeployment.
/// </param>
/// <param name="TargetTaskDefinition">The task definition the AppSpec names (and the rollback must end on).</param>
/// <param name="ContainerName">The load balancer's container name the AppSpec needs.</param>
/// <param name="ContainerPort">The load balancer's container port the AppSpec needs.</param>
/// <param name="Reason">Why this path, for the plan line.</param>
/// <param name="CreateAfterStop">
/// With <paramref name="StopInFlight"/>: the deployment in flight returns to another revision than the target, so it is
/// stopped WITHOUT auto-rollback, awaited until it ended, and then one CreateDeployment of the target follows. False
/// (the default, and what plans stored before it existed read as): the plain stop or create.
/// </param>
public sealed record CodeDeployPlan(
    string Application,
    string DeploymentGroup,
    string? InFlightDeployment,
    bool StopInFlight,
    string TargetTaskDefinition,
    string? ContainerName,
    int? ContainerPort,
    string Reason,
    bool CreateAfterStop = false);

/// <summary>How the CODE_DEPLOY path ended: the deployment awaited (the rollback's, or the created one) and its status.</summary>
/// <param name="Succeeded">The awaited deployment Succeeded.</param>
/// <param name="Summary">One line for the step's result.</param>
/// <param name="Deployment">The awaited deployment's id.</param>
/// <param name="Status">Its last status as CodeDeploy names it (Succeeded, Failed, Stopped, InProgress…).</param>
/// <param name="Failure">CodeDeploy's own reason when it did not succeed.</param>
public sealed record CodeDeployOutcome(bool Succeeded, string Summary, string? Deployment, string? Status, string? Failure);

/// <summary>The CODE_DEPLOY plan's JSON inside the ecs step's plan (source-generated: NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CodeDeployPlan))]
public sealed partial class CodeDeployPlanJson : JsonSerializerContext;
