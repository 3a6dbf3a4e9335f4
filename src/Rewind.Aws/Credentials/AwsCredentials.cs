namespace Rewind.Aws.Credentials;

/// <summary>One resolved set of AWS credentials. <see cref="ToString"/> never shows the secret parts.</summary>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    public override string ToString() =>
        $"AwsCredentials {{ AccessKeyId = {AccessKeyId}, SecretAccessKey = ***, SessionToken = {(SessionToken is null ? "none" : "***")} }}";
}
