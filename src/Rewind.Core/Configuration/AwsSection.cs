namespace Rewind.Core.Configuration;

/// <summary>AWS access (<c>aws:</c>, and a <c>services</c> item's own keys); null values fall back to flags, then the AWS chain.</summary>
/// <param name="Profile">Profile from <c>~/.aws/config</c>.</param>
/// <param name="Region">Region such as <c>eu-west-1</c>.</param>
/// <param name="EndpointUrl">Absolute http(s) URL every AWS call goes to (an emulator, a VPC endpoint).</param>
public sealed record AwsSection(string? Profile, string? Region, string? EndpointUrl)
{
    /// <summary>Nothing set.</summary>
    public static AwsSection Default { get; } = new(null, null, null);

    /// <summary>The IAM role assumed (STS AssumeRole) with the profile's credentials before any other call; null: none.</summary>
    public string? RoleArn { get; init; }

    /// <summary>The external id the role's trust policy asks for; only with <see cref="RoleArn"/>.</summary>
    public string? ExternalId { get; init; }
}
