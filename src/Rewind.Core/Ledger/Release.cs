namespace Rewind.Core.Ledger;

/// <summary>Where a release stands: deployed, proven good by verification, or rolled back.</summary>
public enum ReleaseStatus
{
    /// <summary>Recorded by the deploy pipeline, not yet verified.</summary>
    Deployed,

    /// <summary>Verified healthy; a rollback target.</summary>
    KnownGood,

    /// <summary>Rolled back from; never a target again unless pinned.</summary>
    RolledBack,
}

/// <summary>Listener weights between the main and the canary target group.</summary>
public readonly record struct CanaryWeights(int Main, int Canary);

/// <summary>A snapshot of what one release deployed, taken by <c>rewind record</c>.</summary>
/// <param name="Id">Release id, e.g. <c>rel-20261127-091500-ab12</c>.</param>
/// <param name="Service">The Rewind service name (from rewind.yaml).</param>
/// <param name="Version">The version label the pipeline gave it.</param>
/// <param name="RecordedAt">When it was recorded.</param>
/// <param name="TaskDefinitions">Task definition ARN per ECS service name.</param>
/// <param name="Canary">Canary weights at the time, if the service has a canary.</param>
/// <param name="SecretVersions">Secrets Manager version id per secret id (never values).</param>
/// <param name="TerraformRevision">Git revision of the Terraform configuration, if any.</param>
/// <param name="DistributionId">CloudFront distribution id, if any.</param>
/// <param name="Status">Deployed, known-good or rolled back.</param>
public sealed record Release(
    string Id,
    string Service,
    string Version,
    DateTimeOffset RecordedAt,
    IReadOnlyDictionary<string, string> TaskDefinitions,
    CanaryWeights? Canary,
    IReadOnlyDictionary<string, string> SecretVersions,
    string? TerraformRevision,
    string? DistributionId,
    ReleaseStatus Status);
