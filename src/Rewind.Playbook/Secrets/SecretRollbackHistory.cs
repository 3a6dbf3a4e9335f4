using System.Text.Json;
using System.Text.Json.Nodes;
using Rewind.Core.Engine;
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
        var undone = new HashSet<string>(StringComparer.Ordinal);
        // Newest run first: the first run found to leave a version is the latest one that did.
        foreach (var run in await runs.ListRunsAsync(service, RunsRead, cancellationToken))
        {
            // An undo declares the versions its run left good again: neither its own moves nor the undone run's count
            // (unless the undo was itself undone, which makes the undone run's moves count again).
            if (undone.Contains(run.Id))
                continue;
            if (UndoesOf(run) is { } undoes)
            {
                undone.Add(undoes);
                continue;
            }
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

    /// <summary>The run <paramref name="run"/> undoes (<c>rewind undo</c>), from its stored plan; null for any other run.</summary>
    private static string? UndoesOf(Run run)
    {
        try
        {
            return EngineJson.DeserializePlan(run.PlanJson).Undoes;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A journaled UpdateSecretVersionStage of AWSCURRENT: the secret, the version it moved onto and the one it left.</summary>
    internal static (string SecretId, string? To, string? From)? MoveOf(string detail)
    {
        try
        {
            return JsonNode.Parse(detail) is JsonObject json
                && json["call"]?.GetValue<string>() == "UpdateSecretVersionStage"
                && json["versionStage"]?.GetValue<string>() == "AWSCURRENT"
                && json["secretId"]?.GetValue<string>() is { } id
                ? (id, json["moveToVersionId"]?.GetValue<string>(), json["removeFromVersionId"]?.GetValue<string>())
                : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
