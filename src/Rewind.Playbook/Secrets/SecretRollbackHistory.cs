using System.Text.Json;
using System.Text.Json.Nodes;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Secrets;

/// <summary>
/// Which secret versions earlier rollbacks of a service moved AWSCURRENT away from, read from their journals: a
/// version a rollback left is the bad one, and AWSPREVIOUS points at it right after that rollback.
/// </summary>
public sealed class SecretRollbackHistory(IRunStore runs)
{
    /// <summary>How many of the service's latest runs are read.</summary>
    public const int RunsRead = 50;

    /// <summary>Version id → the run that moved AWSCURRENT of <paramref name="secretId"/> away from it (the latest such run).</summary>
    public async Task<IReadOnlyDictionary<string, string>> MovedAwayFromAsync(string service, string secretId, CancellationToken cancellationToken)
    {
        var left = new Dictionary<string, string>(StringComparer.Ordinal);
        // Newest run first: the first run found to leave a version is the latest one that did.
        foreach (var run in await runs.ListRunsAsync(service, RunsRead, cancellationToken))
        {
            foreach (var entry in await runs.ReadJournalAsync(run.Id, cancellationToken))
            {
                // A sent call counts even without its answer: the move may have happened.
                if (entry.Kind != JournalKind.CallSent || MoveOf(entry.Detail) is not { } move || move.SecretId != secretId || move.From is null)
                    continue;
                left.TryAdd(move.From, run.Id);
            }
        }
        return left;
    }

    private static (string SecretId, string? From)? MoveOf(string detail)
    {
        try
        {
            return JsonNode.Parse(detail) is JsonObject json
                && json["call"]?.GetValue<string>() == "UpdateSecretVersionStage"
                && json["versionStage"]?.GetValue<string>() == "AWSCURRENT"
                && json["secretId"]?.GetValue<string>() is { } id
                ? (id, json["removeFromVersionId"]?.GetValue<string>())
                : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
