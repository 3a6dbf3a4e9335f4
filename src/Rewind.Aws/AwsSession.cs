using System.Text.RegularExpressions;
using Amazon.Runtime.CredentialManagement;
using Rewind.Aws.Credentials;
using Rewind.Aws.Endpoints;
using Rewind.Aws.Errors;

namespace Rewind.Aws;

/// <summary>What the user asked for: flags first, then the service's configuration file.</summary>
public sealed record AwsSettings(
    string? Profile = null,
    string? Region = null,
    string? EndpointUrl = null,
    string? ConfiguredRegion = null,
    string? ConfiguredEndpointUrl = null)
{
    /// <summary>The IAM role every call of the session is made as (STS AssumeRole with the base credentials); null: none.</summary>
    public string? RoleArn { get; init; }

    /// <summary>The external id the role's trust policy asks for; only with <see cref="RoleArn"/>.</summary>
    public string? ExternalId { get; init; }

    /// <summary>The role session name; null: <c>rewind-</c> and the user's login.</summary>
    public string? RoleSessionName { get; init; }
}

/// <summary>Where the region was found, for <c>rewind doctor</c>.</summary>
public enum RegionSource { Flag, Configuration, AwsRegion, AwsDefaultRegion, Profile }

/// <summary>The resolved AWS setup every client shares: region, credentials and endpoints.</summary>
public sealed partial class AwsSession
{
    public AwsSession(string region, RegionSource regionSource, ICredentialSource credentials, AwsEndpointResolver endpoints, string? profile = null)
    {
        Region = region;
        RegionSource = regionSource;
        Credentials = credentials;
        Endpoints = endpoints;
        Profile = profile;
    }

    public string Region { get; }
    public RegionSource RegionSource { get; }
    public ICredentialSource Credentials { get; }
    public AwsEndpointResolver Endpoints { get; }
    public string? Profile { get; }

    /// <summary>
    /// Resolves region (flag, configuration, AWS_REGION, AWS_DEFAULT_REGION, profile), endpoints and credentials
    /// (named profile, else AWSSDK.Core's default chain). Throws <see cref="AwsConfigurationException"/> with the fix.
    /// </summary>
    public static AwsSession Resolve(AwsSettings settings, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var endpointOverride = AwsEndpointResolver.Parse(settings.EndpointUrl, "--endpoint-url");
        var credentials = SdkCredentialSource.Resolve(settings.Profile);
        var profileName = settings.Profile ?? NonEmpty(environment("AWS_PROFILE"));
        CredentialProfile? profile = null;
        if (profileName is not null || File.Exists(SharedConfigPath(environment)) || File.Exists(SharedCredentialsPath(environment)))
            new CredentialProfileStoreChain().TryGetProfile(profileName ?? "default", out profile);

        var (region, source) = ResolveRegion(settings, environment, profile);
        var endpoints = new AwsEndpointResolver(endpointOverride?.ToString(), settings.ConfiguredEndpointUrl ?? NonEmpty(profile?.EndpointUrl), environment);
        return new AwsSession(region, source, AssumeRole(settings, credentials, region, endpoints), endpoints, profileName);
    }

    /// <summary>
    /// The base credentials, or with <see cref="AwsSettings.RoleArn"/> the role's, assumed through the session's STS
    /// endpoint with them (lazily, on the first request, and again before they expire).
    /// </summary>
    private static ICredentialSource AssumeRole(AwsSettings settings, ICredentialSource credentials, string region, AwsEndpointResolver endpoints)
    {
        if (settings.RoleArn is not { } roleArn)
            return credentials;
        var options = new Transport.AwsTransportOptions();
        var sts = new Amazon.SecurityToken.AmazonSecurityTokenServiceClient(
            credentials.AsSdkCredentials(),
            AwsClients.Configure(new Amazon.SecurityToken.AmazonSecurityTokenServiceConfig(), AwsService.Sts, region, endpoints, options));
        return new AssumedRoleCredentialSource(
            credentials, sts, roleArn, settings.ExternalId, settings.RoleSessionName ?? AssumedRoleCredentialSource.SessionNameFor(Environment.UserName), options.OverallTimeout);
    }

    private static (string Region, RegionSource Source) ResolveRegion(AwsSettings settings, Func<string, string?> environment, CredentialProfile? profile)
    {
        (string? Value, RegionSource Source, string Name)[] candidates =
        [
            (settings.Region, RegionSource.Flag, "--region"),
            (settings.ConfiguredRegion, RegionSource.Configuration, "the configuration's aws.region"),
            (NonEmpty(environment("AWS_REGION")), RegionSource.AwsRegion, "AWS_REGION"),
            (NonEmpty(environment("AWS_DEFAULT_REGION")), RegionSource.AwsDefaultRegion, "AWS_DEFAULT_REGION"),
            (profile?.Region?.SystemName, RegionSource.Profile, $"profile {profile?.Name}"),
        ];
        foreach (var (value, source, name) in candidates)
        {
            if (value is null)
                continue;
            if (!RegionName().IsMatch(value))
            {
                throw new AwsConfigurationException(
                    $"{name} '{value}' is not an AWS region name",
                    "use a region such as us-east-1 or eu-west-2");
            }
            return (value, source);
        }
        throw new AwsConfigurationException(
            "no AWS region is set",
            "pass --region, set AWS_REGION, or add 'region = ...' to your profile in ~/.aws/config");
    }

    private static string SharedConfigPath(Func<string, string?> environment) =>
        NonEmpty(environment("AWS_CONFIG_FILE")) ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aws", "config");

    private static string SharedCredentialsPath(Func<string, string?> environment) =>
        NonEmpty(environment("AWS_SHARED_CREDENTIALS_FILE")) ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aws", "credentials");

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionName();
}
