namespace Rewind.Aws.SecretsManager;

/// <summary>
/// Which version of a secret to read: by staging label or by version id. GetSecretValue always sends one, so what
/// is read is named in the request (and in the journal), never left to the service's default.
/// </summary>
public sealed class SecretVersionSelector
{
    public const string CurrentStage = "AWSCURRENT";
    public const string PreviousStage = "AWSPREVIOUS";
    public const string PendingStage = "AWSPENDING";

    private SecretVersionSelector(string? versionStage, string? versionId)
    {
        VersionStage = versionStage;
        VersionId = versionId;
    }

    /// <summary>The version carrying AWSCURRENT.</summary>
    public static SecretVersionSelector Current { get; } = new(CurrentStage, null);

    /// <summary>The version carrying AWSPREVIOUS.</summary>
    public static SecretVersionSelector Previous { get; } = new(PreviousStage, null);

    public string? VersionStage { get; }

    public string? VersionId { get; }

    /// <summary>The version carrying this staging label.</summary>
    public static SecretVersionSelector ByStage(string versionStage)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(versionStage);
        return new(versionStage, null);
    }

    /// <summary>The version with this id.</summary>
    public static SecretVersionSelector ById(string versionId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(versionId);
        return new(null, versionId);
    }

    public override string ToString() => VersionStage is not null ? $"stage {VersionStage}" : $"version {VersionId}";
}
