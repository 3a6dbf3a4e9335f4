using Rewind.Aws.Ecs;

namespace Rewind.Playbook.Ecs.CodeDeploy;

/// <summary>
/// CodeDeploy's own deployment history of a CODE_DEPLOY service, for target selection: ECS's service deployments do
/// not cover such a service, so the deployment group's deployments say which revisions ran and which one is in flight.
/// </summary>
public interface ICodeDeployHistory
{
    /// <summary>
    /// The deployment group's deployment in flight (if any) and its Succeeded deployments, newest first; null when no
    /// deployment group deploys the service (planning the ecs step then says so). A configured group or application
    /// that does not exist is bad input (RewindException, FailureKind.BadInput).
    /// </summary>
    Task<CodeDeployHistory?> ReadHistoryAsync(EcsService service, CancellationToken cancellationToken);
}

/// <summary>What CodeDeploy says a deployment group deployed.</summary>
/// <param name="Group">"application/deployment group", for reasons.</param>
/// <param name="InFlight">The newest deployment that has not ended, or null.</param>
/// <param name="Succeeded">The Succeeded deployments (rollback deployments included), newest first.</param>
public sealed record CodeDeployHistory(string Group, CodeDeployDeployed? InFlight, IReadOnlyList<CodeDeployDeployed> Succeeded);

/// <summary>One deployment and the task definition its AppSpec names.</summary>
/// <param name="DeploymentId">CodeDeploy's deployment id.</param>
/// <param name="TaskDefinition">The AppSpec's TaskDefinition.</param>
/// <param name="At">When it completed (or was created, while in flight).</param>
/// <param name="Replaced">The task definition its previousRevision names (what ran before it), when CodeDeploy says.</param>
public sealed record CodeDeployDeployed(string DeploymentId, string TaskDefinition, DateTimeOffset? At, string? Replaced = null);
