namespace Rewind.Aws.CloudFront;

/// <summary>
/// An invalidation of cached paths. AWS reports <see cref="Status"/> as InProgress then Completed; compare it with
/// <see cref="IsCompleted"/>, which ignores case.
/// </summary>
public sealed record Invalidation(
    string Id,
    string Status,
    DateTimeOffset CreateTime,
    IReadOnlyList<string> Paths,
    string CallerReference)
{
    public bool IsCompleted => string.Equals(Status, InvalidationStatus.Completed, StringComparison.OrdinalIgnoreCase);
}

/// <summary>The values of <see cref="Invalidation.Status"/>, as AWS spells them.</summary>
public static class InvalidationStatus
{
    public const string InProgress = "InProgress";
    public const string Completed = "Completed";
}

/// <summary>
/// A distribution: <see cref="Status"/> is InProgress while a change propagates, then Deployed (compare with
/// <see cref="IsDeployed"/>, which ignores case); <see cref="ETag"/> is its current version, for conditional updates.
/// </summary>
public sealed record Distribution(
    string Id,
    string Arn,
    string Status,
    string DomainName,
    bool Enabled,
    int InProgressInvalidationBatches,
    DateTimeOffset? LastModifiedTime,
    string? ETag)
{
    public bool IsDeployed => string.Equals(Status, DistributionStatus.Deployed, StringComparison.OrdinalIgnoreCase);
}

/// <summary>The values of <see cref="Distribution.Status"/>, as AWS spells them.</summary>
public static class DistributionStatus
{
    public const string InProgress = "InProgress";
    public const string Deployed = "Deployed";
}
