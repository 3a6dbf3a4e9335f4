namespace Rewind.Core.Configuration;

/// <summary>The ECS service to roll back (<c>service:</c>).</summary>
/// <param name="Name">The ledger's key for this service; defaults to the family.</param>
/// <param name="Cluster">ECS cluster name or ARN.</param>
/// <param name="EcsService">ECS service name or ARN.</param>
/// <param name="Family">Task definition family.</param>
/// <param name="DeployTimeout">Deadline for the ECS rollout wait.</param>
/// <param name="CodeDeployApplication">For a CODE_DEPLOY service, the CodeDeploy application; null: found from the service.</param>
/// <param name="CodeDeployGroup">For a CODE_DEPLOY service, the deployment group; null: found from the service.</param>
public sealed record ServiceSection(
    string Name, string Cluster, string EcsService, string Family, TimeSpan DeployTimeout,
    string? CodeDeployApplication = null, string? CodeDeployGroup = null)
{
    /// <summary>The playbook's service.</summary>
    public static ServiceSection Default { get; } = new(
        PlaybookDefaults.Family,
        PlaybookDefaults.Cluster,
        PlaybookDefaults.EcsService,
        PlaybookDefaults.Family,
        PlaybookDefaults.DeployTimeout);
}
