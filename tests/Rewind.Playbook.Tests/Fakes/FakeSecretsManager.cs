using Rewind.Aws;
using Rewind.Aws.Errors;
using Rewind.Aws.SecretsManager;

namespace Rewind.Playbook.Tests.Fakes;

/// <summary>
/// Secrets Manager in memory: secrets with versions and their staging labels, never a value. Every call is recorded in
/// <see cref="Calls"/>; <see cref="After"/> runs after a call took effect; <see cref="IgnoreMoves"/> answers a stage
/// move without making it (the stage is not moved).
/// </summary>
internal sealed class FakeSecretsManager : ISecretsManagerClient
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, List<string>>> _secrets = new(StringComparer.Ordinal);

    public List<string> Calls { get; } = [];

    public bool IgnoreMoves { get; set; }

    public Action<string>? After { get; set; }

    public static string Arn(string name) => $"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{name}-AbCdEf";

    /// <summary>A secret with a version on AWSPREVIOUS and one on AWSCURRENT.</summary>
    public FakeSecretsManager WithSecret(string id, string previous, string current)
    {
        lock (_gate)
            _secrets[id] = new(StringComparer.Ordinal) { [previous] = ["AWSPREVIOUS"], [current] = ["AWSCURRENT"] };
        return this;
    }

    public string? Current(string id)
    {
        lock (_gate)
            return _secrets[id].FirstOrDefault(v => v.Value.Contains("AWSCURRENT")).Key;
    }

    public int MoveCount => Calls.Count(c => c.StartsWith("UpdateSecretVersionStage", StringComparison.Ordinal));

    public Task<SecretDescription?> DescribeSecretAsync(string secretId, CancellationToken cancellationToken)
    {
        SecretDescription? described;
        lock (_gate)
        {
            Calls.Add($"DescribeSecret {secretId}");
            described = _secrets.TryGetValue(secretId, out var versions)
                ? new SecretDescription
                {
                    Arn = Arn(secretId),
                    Name = secretId,
                    VersionIdsToStages = versions.ToDictionary(v => v.Key, v => (IReadOnlyList<string>)[.. v.Value], StringComparer.Ordinal),
                }
                : null;
        }
        After?.Invoke("DescribeSecret");
        return Task.FromResult(described);
    }

    public Task<SecretIdentity> UpdateSecretVersionStageAsync(SecretStageMove move, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(move);
        lock (_gate)
        {
            Calls.Add($"UpdateSecretVersionStage {move.SecretId} {move.VersionStage} {move.RemoveFromVersionId} → {move.MoveToVersionId}");
            var versions = _secrets[move.SecretId];
            if (move.RemoveFromVersionId is { } from && !versions[from].Contains(move.VersionStage))
                throw new AwsServiceException(AwsService.SecretsManager, "UpdateSecretVersionStage", "InvalidParameterException", $"{move.VersionStage} is not on {from}", 400, "req-1");
            if (!IgnoreMoves)
            {
                foreach (var stages in versions.Values)
                    stages.Remove(move.VersionStage);
                versions[move.MoveToVersionId!].Add(move.VersionStage);
            }
        }
        After?.Invoke("UpdateSecretVersionStage");
        return Task.FromResult(new SecretIdentity { Arn = Arn(move.SecretId), Name = move.SecretId });
    }

    public Task<IReadOnlyList<SecretVersion>> ListSecretVersionIdsAsync(string secretId, bool includeDeprecated, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the secrets step");

    public Task<SecretVersionValue> GetSecretValueAsync(string secretId, SecretVersionSelector version, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the secrets step");
}
