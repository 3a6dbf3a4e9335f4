namespace Rewind.Aws.SecretsManager;

/// <summary>The Secrets Manager operations Rewind uses. No method returns a secret value as a plain string.</summary>
public interface ISecretsManagerClient
{
    /// <summary>A secret's ARN, name and version stages, or null when the secret does not exist (ResourceNotFoundException).</summary>
    Task<SecretDescription?> DescribeSecretAsync(string secretId, CancellationToken cancellationToken);

    /// <summary>Every version of a secret with its stages and creation date, all pages (deprecated ones only when asked).</summary>
    Task<IReadOnlyList<SecretVersion>> ListSecretVersionIdsAsync(string secretId, bool includeDeprecated, CancellationToken cancellationToken);

    /// <summary>Moves a staging label between versions (e.g. AWSCURRENT back to the previous version).</summary>
    Task<SecretIdentity> UpdateSecretVersionStageAsync(SecretStageMove move, CancellationToken cancellationToken);

    /// <summary>The value of the version chosen by stage or id (always sent), wrapped so it cannot be printed.</summary>
    Task<SecretVersionValue> GetSecretValueAsync(string secretId, SecretVersionSelector version, CancellationToken cancellationToken);
}
