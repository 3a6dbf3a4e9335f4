using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Rewind.Aws.Errors;

namespace Rewind.Aws.Credentials;

/// <summary>
/// Credentials of an IAM role (<c>role_arn</c>), assumed through STS AssumeRole with the base credentials of the
/// service's profile, at the session's own STS endpoint (so an emulator's STS answers). Assumed on first use, cached,
/// and assumed again <see cref="RefreshBefore"/> before they expire; every client of the session (the hand-written
/// transport and the official SDK clients) uses them. A role that cannot be assumed is bad input naming the role.
/// </summary>
public sealed class AssumedRoleCredentialSource : ICredentialSource
{
    /// <summary>How long before expiry the credentials are assumed again, so a request never carries expiring ones.</summary>
    public static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(5);

    private readonly Refreshing _credentials;

    /// <param name="baseCredentials">The profile's (or default chain's) credentials AssumeRole is signed with.</param>
    /// <param name="sts">The STS client to call, signed with <paramref name="baseCredentials"/>.</param>
    /// <param name="roleArn">The role to assume.</param>
    /// <param name="externalId">The external id the role's trust policy asks for, or null.</param>
    /// <param name="sessionName">The role session name, such as <c>rewind-alice</c>.</param>
    /// <param name="deadline">Overall bound of one AssumeRole call.</param>
    public AssumedRoleCredentialSource(
        ICredentialSource baseCredentials, IAmazonSecurityTokenService sts, string roleArn, string? externalId, string sessionName, TimeSpan deadline)
    {
        ArgumentNullException.ThrowIfNull(baseCredentials);
        ArgumentNullException.ThrowIfNull(sts);
        ArgumentException.ThrowIfNullOrEmpty(roleArn);
        ArgumentException.ThrowIfNullOrEmpty(sessionName);
        RoleArn = roleArn;
        SessionName = sessionName;
        Description = $"role {roleArn} assumed with {baseCredentials.Description}";
        _credentials = new Refreshing(this, sts, externalId, deadline) { PreemptExpiryTime = RefreshBefore };
    }

    public string RoleArn { get; }

    public string SessionName { get; }

    public string Description { get; }

    /// <summary>How many AssumeRole calls were made: one per expiry, not one per request.</summary>
    public int AssumeCount => _credentials.Count;

    public AWSCredentials AsSdkCredentials() => _credentials;

    public async ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken)
    {
        var current = await _credentials.GetCredentialsAsync().WaitAsync(cancellationToken);
        return new AwsCredentials(current.AccessKey, current.SecretKey, current.UseToken ? current.Token : null);
    }

    /// <summary>A safe session name from the user's login: <c>rewind-</c> and the characters STS accepts, at most 64.</summary>
    public static string SessionNameFor(string user)
    {
        var safe = new string([.. (user ?? string.Empty).Select(c => char.IsAsciiLetterOrDigit(c) || "+=,.@_-".Contains(c, StringComparison.Ordinal) ? c : '-')]);
        var name = $"rewind-{(safe.Length == 0 ? "user" : safe)}";
        return name.Length <= 64 ? name : name[..64];
    }

    private async Task<RefreshingAWSCredentials.CredentialsRefreshState> AssumeAsync(IAmazonSecurityTokenService sts, string? externalId, TimeSpan deadline)
    {
        var request = new AssumeRoleRequest { RoleArn = RoleArn, RoleSessionName = SessionName, ExternalId = externalId };
        AssumeRoleResponse response;
        try
        {
            response = await SdkErrors.CallAsync(AwsService.Sts, "AssumeRole", deadline, t => sts.AssumeRoleAsync(request, t), CancellationToken.None);
        }
        catch (AwsServiceException e) when (e.HttpStatus is >= 400 and < 500)
        {
            throw new AwsConfigurationException(
                $"role {RoleArn} cannot be assumed: {e.Code}: {e.ErrorMessage}",
                "check role_arn (and external_id) in rewind.yaml, and that the role's trust policy lets the profile's identity assume it", e);
        }

        var credentials = response.Credentials
            ?? throw new AwsConfigurationException($"role {RoleArn} cannot be assumed: STS AssumeRole answered without credentials", "check the STS endpoint");
        var expiration = credentials.Expiration is { } at ? at.ToUniversalTime() : DateTime.UtcNow.AddHours(1);
        return new RefreshingAWSCredentials.CredentialsRefreshState(
            new ImmutableCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken), expiration);
    }

    // The SDK's refreshing credentials: caching, one refresh at a time, and refresh PreemptExpiryTime before expiry.
    private sealed class Refreshing(AssumedRoleCredentialSource owner, IAmazonSecurityTokenService sts, string? externalId, TimeSpan deadline)
        : RefreshingAWSCredentials
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        protected override CredentialsRefreshState GenerateNewCredentials() =>
            GenerateNewCredentialsAsync().GetAwaiter().GetResult();

        protected override Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
        {
            Interlocked.Increment(ref _count);
            return owner.AssumeAsync(sts, externalId, deadline);
        }
    }
}
