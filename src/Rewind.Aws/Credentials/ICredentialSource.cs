namespace Rewind.Aws.Credentials;

/// <summary>Supplies credentials for each request; refreshing sources return fresh ones as they rotate.</summary>
public interface ICredentialSource
{
    /// <summary>Where the credentials come from, for <c>rewind doctor</c> ("environment variables", "profile prod").</summary>
    string Description { get; }

    ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken);

    /// <summary>The same credentials for the official AWSSDK clients (SSM, STS, DynamoDB).</summary>
    Amazon.Runtime.AWSCredentials AsSdkCredentials();
}

/// <summary>Fixed credentials, for tests and for callers that already hold keys.</summary>
public sealed class StaticCredentialSource(AwsCredentials credentials, string description = "static keys") : ICredentialSource
{
    public string Description { get; } = description;

    public ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(credentials);

    public Amazon.Runtime.AWSCredentials AsSdkCredentials() => credentials.SessionToken is null
        ? new Amazon.Runtime.BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey)
        : new Amazon.Runtime.SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken);
}
