namespace Rewind.Aws.CodeDeploy;

/// <summary>
/// The CodeDeploy operations Rewind uses for ECS services with a CODE_DEPLOY deployment controller (awsJson1_1,
/// target prefix CodeDeploy_20141006). Hand-written: the AWSSDK.CodeDeploy package is not served.
/// </summary>
public interface ICodeDeployClient
{
    /// <summary>Every application name, all pages (to find the deployment group of a service).</summary>
    Task<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken);

    /// <summary>Every deployment group name of an application, all pages.</summary>
    Task<IReadOnlyList<string>> ListDeploymentGroupsAsync(string applicationName, CancellationToken cancellationToken);

    /// <summary>Deployment groups in detail (sent 100 names per call); the ECS services each deploys.</summary>
    Task<IReadOnlyList<CodeDeployDeploymentGroup>> BatchGetDeploymentGroupsAsync(
        string applicationName, IReadOnlyList<string> deploymentGroupNames, CancellationToken cancellationToken);

    /// <summary>One deployment group; DeploymentGroupDoesNotExistException when it is not there.</summary>
    Task<CodeDeployDeploymentGroup> GetDeploymentGroupAsync(string applicationName, string deploymentGroupName, CancellationToken cancellationToken);

    /// <summary>The deployment ids of a deployment group, newest first as CodeDeploy lists them, filtered by status when given; all pages.</summary>
    Task<IReadOnlyList<string>> ListDeploymentsAsync(
        string applicationName, string deploymentGroupName, IReadOnlyList<CodeDeployDeploymentStatus>? statuses, CancellationToken cancellationToken);

    /// <summary>One deployment: its status, error, revision and rollback information.</summary>
    Task<CodeDeployDeployment> GetDeploymentAsync(string deploymentId, CancellationToken cancellationToken);

    /// <summary>
    /// StopDeployment; with <paramref name="autoRollbackEnabled"/> CodeDeploy rolls back to the previous revision and
    /// names the rollback deployment in the stopped one's rollbackInfo. Not idempotent: never resent blindly.
    /// </summary>
    Task<CodeDeployStopResult> StopDeploymentAsync(string deploymentId, bool autoRollbackEnabled, CancellationToken cancellationToken);

    /// <summary>CreateDeployment with an ECS AppSpec (revisionType AppSpecContent); returns the new deployment's id. Not idempotent.</summary>
    Task<string> CreateDeploymentAsync(CodeDeployDeploymentRequest request, CancellationToken cancellationToken);
}
