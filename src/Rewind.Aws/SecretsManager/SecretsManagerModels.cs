using System.Text.Json.Serialization;

namespace Rewind.Aws.SecretsManager;

/// <summary>A secret's identity and which staging labels each version carries.</summary>
public sealed record SecretDescription
{
    [JsonPropertyName("ARN")]
    public required string Arn { get; init; }

    public required string Name { get; init; }

    /// <summary>Version id → its staging labels (AWSCURRENT, AWSPREVIOUS, custom ones).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> VersionIdsToStages { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The id of the version carrying <paramref name="stage"/>, or null when no version carries it.</summary>
    public string? VersionWithStage(string stage) =>
        VersionIdsToStages.FirstOrDefault(v => v.Value.Contains(stage, StringComparer.Ordinal)).Key;
}

/// <summary>One version of a secret.</summary>
public sealed record SecretVersion
{
    public required string VersionId { get; init; }

    public IReadOnlyList<string> VersionStages { get => field ?? []; init; }

    /// <summary>When the version was created (moto reports the time of the listing call instead).</summary>
    public DateTimeOffset? CreatedDate { get; init; }
}

/// <summary>
/// Moves (or removes) a staging label: <see cref="VersionStage"/> goes to <see cref="MoveToVersionId"/> and leaves
/// <see cref="RemoveFromVersionId"/>. Moving AWSCURRENT needs both; AWS then moves AWSPREVIOUS to the old version.
/// </summary>
public sealed record SecretStageMove(string SecretId, string VersionStage, string? MoveToVersionId, string? RemoveFromVersionId);

/// <summary>The secret a call acted on.</summary>
public sealed record SecretIdentity
{
    [JsonPropertyName("ARN")]
    public required string Arn { get; init; }

    public required string Name { get; init; }
}

/// <summary>A secret version's value and where it came from. <see cref="Value"/> prints as "***".</summary>
public sealed record SecretVersionValue(
    string Arn,
    string Name,
    string VersionId,
    IReadOnlyList<string> VersionStages,
    DateTimeOffset? CreatedDate,
    SecretValue Value);
