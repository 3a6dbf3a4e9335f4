using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Rewind.Aws.Errors;

namespace Rewind.Aws.Credentials;

/// <summary>
/// Credentials from AWSSDK.Core's provider chain: environment, profiles (static, credential_process, SSO,
/// assume-role), web identity, container and instance credentials. Asked before every request, so
/// refreshing credentials refresh.
/// </summary>
public sealed class SdkCredentialSource : ICredentialSource
{
    private const string NoCredentialsHint =
        "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass --profile NAME for a profile in ~/.aws/config, or run 'aws sso login'";

    private SdkCredentialSource(AWSCredentials credentials, string description)
    {
        Credentials = credentials;
        Description = description;
    }

    /// <summary>The SDK object, for the official AWSSDK clients (SSM, STS, DynamoDB).</summary>
    public AWSCredentials Credentials { get; }

    public string Description { get; }

    public AWSCredentials AsSdkCredentials() => Credentials;

    /// <summary>Resolves the named profile, or the default chain when <paramref name="profile"/> is null.</summary>
    public static SdkCredentialSource Resolve(string? profile)
    {
        AwsSdkRuntime.EnsureRegistered();
        if (profile is not null)
            return FromProfile(profile);
        try
        {
            var credentials = DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
            return new SdkCredentialSource(credentials, Describe(credentials, DefaultAWSCredentialsIdentityResolver.GetProfileName()));
        }
        catch (AmazonClientException e)
        {
            throw new AwsConfigurationException("no AWS credentials found", NoCredentialsHint, e);
        }
    }

    private static SdkCredentialSource FromProfile(string profile)
    {
        var store = new CredentialProfileStoreChain();
        if (!store.TryGetProfile(profile, out var found))
        {
            throw new AwsConfigurationException(
                $"AWS profile '{profile}' was not found in ~/.aws/config or ~/.aws/credentials",
                "list the profiles with 'aws configure list-profiles', or fix --profile / AWS_PROFILE");
        }
        try
        {
            if (AwsSdkRuntime.IsNativeAot && found.Options.SourceProfile is { Length: > 0 } sourceProfile
                && store.TryGetAWSCredentials(sourceProfile, out var source))
            {
                AwsSdkRuntime.UseAssumeRoleSource(source);
            }
            if (store.TryGetAWSCredentials(profile, out var credentials))
                return new SdkCredentialSource(credentials, Describe(credentials, profile));
        }
        catch (AmazonClientException e)
        {
            throw new AwsConfigurationException($"AWS profile '{profile}' cannot give credentials: {e.Message}", NoCredentialsHint, e);
        }
        throw new AwsConfigurationException(
            $"AWS profile '{profile}' has no usable credentials",
            "give it aws_access_key_id/aws_secret_access_key, credential_process, sso_session or role_arn with a source");
    }

    public async ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken)
    {
        ImmutableCredentials current;
        try
        {
            current = await Credentials.GetCredentialsAsync().WaitAsync(cancellationToken);
        }
        catch (AmazonClientException e)
        {
            throw new AwsConfigurationException($"AWS credentials from {Description} could not be read: {Explain(e)}", NoCredentialsHint, e);
        }
        catch (AmazonServiceException e)
        {
            throw new AwsConfigurationException($"AWS credentials from {Description} were refused: {Explain(e)}", NoCredentialsHint, e);
        }
        return new AwsCredentials(current.AccessKey, current.SecretKey, current.UseToken ? current.Token : null);
    }

    /// <summary>The SDK's message and, when it wraps one, the root cause's, which is the one that says what to fix.</summary>
    private static string Explain(Exception e)
    {
        var root = e;
        while (root.InnerException is not null)
            root = root.InnerException;
        return ReferenceEquals(root, e) ? e.Message : $"{e.Message.TrimEnd('.')}: {root.Message}";
    }

    private static string Describe(AWSCredentials credentials, string? profile) => credentials.GetType().Name switch
    {
        "EnvironmentVariablesAWSCredentials" => "environment variables",
        "ProcessAWSCredentials" => $"credential_process of profile {profile}",
        "AssumeRoleAWSCredentials" => $"assumed role of profile {profile}",
        "SSOAWSCredentials" => $"SSO of profile {profile}",
        "AssumeRoleWithWebIdentityCredentials" => "web identity token",
        "GenericContainerCredentials" or "ECSTaskCredentials" => "container credentials endpoint",
        "DefaultInstanceProfileAWSCredentials" or "InstanceProfileAWSCredentials" => "instance profile",
        _ => profile is null ? "default chain" : $"profile {profile}",
    };
}
