using Microsoft.Data.Sqlite;
using Rewind.Core.Ledger;

namespace Rewind.Ledger.Sqlite;

public sealed partial class SqliteLedger
{
    private const string RunColumns = "id, service, started_at, status, target_release_id, plan, incident_id";

    /// <inheritdoc />
    public Task CreateRunAsync(Run run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrWhiteSpace(run.Id);
        ArgumentException.ThrowIfNullOrWhiteSpace(run.Service);
        ArgumentNullException.ThrowIfNull(run.PlanJson);
        return WriteAsync(
            (connection, transaction) =>
            {
                var inserted = Execute(
                    connection,
                    transaction,
                    $"INSERT INTO runs ({RunColumns}, last_seq, last_hash) VALUES ($id, $service, $at, $status, $target, $plan, $incident, 0, $genesis) ON CONFLICT (id) DO NOTHING;",
                    ("$id", run.Id),
                    ("$service", run.Service),
                    ("$at", LedgerTime.ToText(run.StartedAt)),
                    ("$status", run.Status.ToString()),
                    ("$target", run.TargetReleaseId),
                    ("$plan", run.PlanJson),
                    ("$incident", run.IncidentId),
                    ("$genesis", JournalChain.GenesisHash));
                return inserted == 1
                    ? true
                    : throw new LedgerException(
                        LedgerFailureReason.Conflict, $"run {run.Id} is already in the ledger: start it under a new id");
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken) =>
        UseAsync(
            connection => Query(connection, null, ReadRun, $"SELECT {RunColumns} FROM runs WHERE id = $id;", ("$id", runId))
                .SingleOrDefault(),
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Run>> ListRunsAsync(string? service, int limit, CancellationToken cancellationToken) =>
        UseAsync<IReadOnlyList<Run>>(
            connection => service is null
                ? Query(
                    connection, null, ReadRun,
                    $"SELECT {RunColumns} FROM runs ORDER BY started_at DESC, id DESC LIMIT $limit;",
                    ("$limit", Limit(limit)))
                : Query(
                    connection, null, ReadRun,
                    $"SELECT {RunColumns} FROM runs WHERE service = $service ORDER BY started_at DESC, id DESC LIMIT $limit;",
                    ("$service", service),
                    ("$limit", Limit(limit))),
            cancellationToken);

    /// <inheritdoc />
    public Task SetRunStatusAsync(string runId, RunStatus status, CancellationToken cancellationToken) =>
        WriteAsync(
            (connection, transaction) =>
                Execute(
                    connection, transaction, "UPDATE runs SET status = $status WHERE id = $id;",
                    ("$status", status.ToString()), ("$id", runId)) == 1
                    ? true
                    : throw NotFound("run", runId),
            cancellationToken);

    /// <inheritdoc />
    public Task SetRunIncidentAsync(string runId, string incidentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(incidentId);
        return WriteAsync(
            (connection, transaction) =>
                Execute(
                    connection, transaction, "UPDATE runs SET incident_id = $incident WHERE id = $id;",
                    ("$incident", incidentId), ("$id", runId)) == 1
                    ? true
                    : throw NotFound("run", runId),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<JournalEntry> AppendJournalAsync(
        string runId, string step, JournalKind kind, string detailJson, CancellationToken cancellationToken)
    {
        JournalChain.ValidateAppend(runId, step, kind, detailJson);
        return WriteAsync((connection, transaction) => Append(connection, transaction, runId, step, kind, detailJson), cancellationToken);
    }

    /// <inheritdoc />
    public Task<JournalEntry> AppendFencedJournalAsync(
        string runId, string step, JournalKind kind, string detailJson, LeaseFence fence, CancellationToken cancellationToken)
    {
        JournalChain.ValidateAppend(runId, step, kind, detailJson);
        ArgumentNullException.ThrowIfNull(fence);
        return WriteAsync(
            (connection, transaction) =>
            {
                // Read under the same write lock as the append: a takeover cannot slip in between check and write.
                var stored = ReadLease(connection, transaction, fence.Service);
                return fence.IsHeldBy(stored)
                    ? Append(connection, transaction, runId, step, kind, detailJson)
                    : throw new LeaseLostException(fence, stored);
            },
            cancellationToken);
    }

    private JournalEntry Append(SqliteConnection connection, SqliteTransaction transaction, string runId, string step, JournalKind kind, string detailJson)
    {
        // The head is read and advanced under the write lock taken by BEGIN IMMEDIATE: no other writer can
        // claim the same seq, so the chain cannot fork.
        var head = ReadHead(connection, transaction, runId) ?? throw NotFound("run", runId);
        var entry = JournalChain.Next(head, runId, Now(), step, kind, detailJson);
        Execute(
            connection,
            transaction,
            "INSERT INTO journal (run_id, seq, time, step, kind, detail, prev_hash, hash) VALUES ($run, $seq, $time, $step, $kind, $detail, $prev, $hash);",
            ("$run", runId),
            ("$seq", entry.Seq),
            ("$time", LedgerTime.ToText(entry.Time)),
            ("$step", entry.Step),
            ("$kind", JournalChain.KindName(entry.Kind)),
            ("$detail", entry.Detail),
            ("$prev", entry.PrevHash),
            ("$hash", entry.Hash));
        Execute(
            connection,
            transaction,
            "UPDATE runs SET last_seq = $seq, last_hash = $hash WHERE id = $run;",
            ("$seq", entry.Seq),
            ("$hash", entry.Hash),
            ("$run", runId));
        return entry;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JournalEntry>> ReadJournalAsync(string runId, CancellationToken cancellationToken) =>
        UseAsync<IReadOnlyList<JournalEntry>>(
            connection => Query(
                connection,
                null,
                ReadJournalEntry,
                "SELECT run_id, seq, time, step, kind, detail, prev_hash, hash FROM journal WHERE run_id = $run ORDER BY seq;",
                ("$run", runId)),
            cancellationToken);

    /// <inheritdoc />
    public Task<JournalHead> GetJournalHeadAsync(string runId, CancellationToken cancellationToken) =>
        UseAsync(connection => ReadHead(connection, null, runId) ?? throw NotFound("run", runId), cancellationToken);

    private static JournalHead? ReadHead(SqliteConnection connection, SqliteTransaction? transaction, string runId) =>
        Query(
            connection,
            transaction,
            reader => new JournalHead(reader.GetInt64(0), reader.GetString(1)),
            "SELECT last_seq, last_hash FROM runs WHERE id = $run;",
            ("$run", runId)) is [var head] ? head : null;

    private static Run ReadRun(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        Time(reader, 2),
        Enum.Parse<RunStatus>(reader.GetString(3)),
        NullableString(reader, 4),
        reader.GetString(5),
        NullableString(reader, 6));

    private static JournalEntry ReadJournalEntry(SqliteDataReader reader)
    {
        var kindName = reader.GetString(4);
        if (!JournalChain.TryParseKind(kindName, out var kind))
        {
            // An unknown kind cannot hash to the stored value; keep the row so verification names it.
            kind = (JournalKind)(-1);
        }

        // A time that does not parse (a tampered row) reads as MinValue, which cannot hash to the stored value.
        _ = LedgerTime.TryParse(reader.GetString(2), out var time);
        return new JournalEntry(
            reader.GetString(0),
            reader.GetInt64(1),
            time,
            reader.GetString(3),
            kind,
            reader.GetString(5),
            reader.GetString(6),
            reader.GetString(7));
    }
}
