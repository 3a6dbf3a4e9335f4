using System.Text.Json.Serialization;
using Rewind.Aws.Ecs;
using Rewind.Core;

namespace Rewind.Playbook.Ecs;

/// <summary>How the ecs step rolls a service back; stored in <see cref="EcsPlan.Path"/>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RollbackPath>))]
public enum RollbackPath
{
    /// <summary>UpdateService to the target with a forced new deployment (under a strategy: a new deployment with its shifts and bake).</summary>
    UpdateService,

    /// <summary>StopServiceDeployment ROLLBACK on the deployment in flight: ECS returns to its source revision.</summary>
    StopServiceDeployment,

    /// <summary>ContinueServiceDeployment ROLLBACK on the PAUSE hook awaiting action.</summary>
    ContinueServiceDeployment,

    /// <summary>The service's controller is CODE_DEPLOY: CodeDeploy stops or creates a deployment (ICodeDeployRollback).</summary>
    CodeDeploy,
}

/// <summary>How far an UpdateService under BLUE_GREEN/LINEAR/CANARY is waited for (<c>--wait-until</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WaitUntil>))]
public enum WaitUntil
{
    /// <summary>Production traffic 100 % on the good revision: the mitigation.</summary>
    Traffic,

    /// <summary>The deployment reached its bake time (or beyond).</summary>
    Bake,

    /// <summary>The deployment SUCCESSFUL, the old revision gone.</summary>
    Completed,
}

/// <summary>The path chosen for a shape, and why, in the words of the plan line.</summary>
public sealed record PathChoice(RollbackPath Path, string Reason, string? ServiceDeploymentArn = null, string? HookId = null, bool NothingToDo = false);

/// <summary>
/// One rollback path per shape (issue 17's table): ROLLING in flight → StopServiceDeployment ROLLBACK when the
/// deployment's source revision runs the target, else UpdateService; BLUE_GREEN/LINEAR/CANARY in flight →
/// ContinueServiceDeployment ROLLBACK on an awaiting PAUSE hook, else StopServiceDeployment ROLLBACK; completed →
/// UpdateService; CODE_DEPLOY → CodeDeploy; EXTERNAL → refused. Whenever ECS's own rollback target (the source
/// revision) is not Rewind's target, UpdateService to Rewind's target, and the reason says so.
/// </summary>
public static class RollbackPathChooser
{
    public static PathChoice Choose(ServiceShape shape, string target)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var name = shape.Service.ServiceName;
        if (shape.Controller == DeploymentControllerType.External)
            throw new RewindException(
                $"ECS service {name} uses the EXTERNAL deployment controller: its task sets are managed outside ECS and Rewind cannot roll it back",
                "roll the service back with the tool that manages its task sets (aws ecs update-service-primary-task-set), then run rewind for the other layers with --skip ecs",
                FailureKind.BadInput);
        if (shape.Controller == DeploymentControllerType.CodeDeploy)
            return new PathChoice(RollbackPath.CodeDeploy, "CODE_DEPLOY controller: CodeDeploy rolls it back (UpdateService with a task definition is refused)");

        var strategy = ServiceShape.Wire(shape.Strategy);
        if (shape.InFlight is { } flight)
            return InFlight(shape, flight, strategy, target);
        if (shape.RolledBack is { ReturnedTo: var returned } back && Same(returned, target) && Same(Running(shape), target))
            return new PathChoice(RollbackPath.UpdateService, $"{back.Describe()}: the service already runs the target, nothing to do", back.Deployment.ServiceDeploymentArn, NothingToDo: true);
        return new PathChoice(RollbackPath.UpdateService, shape.EcsShiftsTraffic
            ? $"no {strategy} deployment in flight: UpdateService to {ServiceShape.Short(target)}, a new deployment waited for under the strategy"
            : $"no deployment in flight: UpdateService to {ServiceShape.Short(target)}");
    }

    private static PathChoice InFlight(ServiceShape shape, DeploymentInFlight flight, string strategy, string target)
    {
        var deployment = flight.Deployment;
        var arn = deployment.ServiceDeploymentArn;
        var stage = deployment.LifecycleStage is { } s ? ServiceShape.Wire(s) : ServiceShape.Wire(deployment.Status);
        var head = $"{strategy} deployment {flight.Id} of {ServiceShape.Short(flight.TargetTaskDefinition)} is in {stage}";
        if (Same(flight.TargetTaskDefinition, target))
            return new PathChoice(RollbackPath.UpdateService, $"{head}: it deploys the target itself; waiting for it");
        if (!Same(flight.SourceTaskDefinition, target))
        {
            var source = flight.SourceTaskDefinition is null ? "could not be read" : $"runs {ServiceShape.Short(flight.SourceTaskDefinition)}";
            return new PathChoice(RollbackPath.UpdateService,
                $"{head}; its source revision {source}, not the target {ServiceShape.Short(target)}: UpdateService to {ServiceShape.Short(target)} (ECS's own rollback would end elsewhere)");
        }
        var because = $"{head}; its source revision runs {ServiceShape.Short(target)}, the target";
        if (deployment.Status is ServiceDeploymentStatus.RollbackRequested or ServiceDeploymentStatus.RollbackInProgress)
            return new PathChoice(RollbackPath.StopServiceDeployment, $"{because}: ECS is already rolling it back; waiting for ROLLBACK_SUCCESSFUL", arn);
        if (shape.EcsShiftsTraffic && flight.AwaitingHook is { } hook)
            return new PathChoice(RollbackPath.ContinueServiceDeployment, $"{because}: ContinueServiceDeployment ROLLBACK on PAUSE hook {hook.HookId} (awaiting action)", arn, hook.HookId);
        var effect = !shape.EcsShiftsTraffic
            ? "ECS's own rollback to the last successful revision"
            : deployment.LifecycleStage is ServiceDeploymentLifecycleStage.BakeTime or ServiceDeploymentLifecycleStage.PostProductionTrafficShift
                ? "traffic back in seconds, no new tasks"
                : "the source revision keeps production traffic";
        return new PathChoice(RollbackPath.StopServiceDeployment, $"{because}: StopServiceDeployment ROLLBACK ({effect})", arn);
    }

    private static string? Running(ServiceShape shape) => shape.Service.PrimaryDeployment?.TaskDefinition ?? shape.Service.TaskDefinition;

    internal static bool Same(string? a, string? b) =>
        TaskDefinitionRevision.TryParse(a, out var left) && TaskDefinitionRevision.TryParse(b, out var right) && left == right;
}
