namespace Rewind.Aws.CloudFront;

/// <summary>The CloudFront operations Rewind uses. AWS errors (NoSuchDistribution, NoSuchInvalidation, …) surface as AwsServiceException.</summary>
public interface ICloudFrontClient
{
    /// <summary>Starts invalidating the paths (each starting with '/'); the same caller reference and paths again return the same invalidation on AWS.</summary>
    Task<Invalidation> CreateInvalidationAsync(string distributionId, IReadOnlyList<string> paths, string callerReference, CancellationToken cancellationToken);

    /// <summary>One invalidation of a distribution, with its current status.</summary>
    Task<Invalidation> GetInvalidationAsync(string distributionId, string invalidationId, CancellationToken cancellationToken);

    /// <summary>The distribution's id, ARN, status, domain name, enabled flag and ETag.</summary>
    Task<Distribution> GetDistributionAsync(string distributionId, CancellationToken cancellationToken);
}
