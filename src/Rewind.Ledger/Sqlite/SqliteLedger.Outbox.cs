using Microsoft.Data.Sqlite;
using Rewind.Core.Ledger;

namespace Rewind.Ledger.Sqlite;

public sealed partial class SqliteLedger
{
    private const string OutboxColumns =
        "idempotency_key, target, payload_hash, status, attempts, last_error, receipt, created_at, updated_at";

    /// <inheritdoc />
    public Task<OutboxItem> EnqueueAsync(
        string idempotencyKey, string target, string payloadHash, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(payloadHash);
        return WriteAsync(
            (connection, transaction) =>
            {
                var existing = ReadOutboxItem(connection, transaction, idempotencyKey);
                if (existing is not null)
                {
                    return LedgerRules.SameMessageOrThrow(existing, target, payloadHash);
                }

                var now = Now();
                var item = new OutboxItem(idempotencyKey, target, payloadHash, OutboxStatus.Pending, 0, null, null, now, now);
                Execute(
                    connection,
                    transaction,
                    $"INSERT INTO outbox ({OutboxColumns}) VALUES ($key, $target, $hash, $status, 0, NULL, NULL, $now, $now);",
                    ("$key", idempotencyKey),
                    ("$target", target),
                    ("$hash", payloadHash),
                    ("$status", item.Status.ToString()),
                    ("$now", LedgerTime.ToText(now)));
                return item;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<OutboxItem> MarkSendingAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        UpdateOutboxAsync(
            idempotencyKey,
            "UPDATE outbox SET status = $status, updated_at = $now WHERE idempotency_key = $key;",
            OutboxStatus.Sending,
            "",
            cancellationToken);

    /// <inheritdoc />
    public Task<OutboxItem> MarkDeliveredAsync(string idempotencyKey, string receipt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return UpdateOutboxAsync(
            idempotencyKey,
            "UPDATE outbox SET status = $status, attempts = attempts + 1, receipt = $text, updated_at = $now WHERE idempotency_key = $key;",
            OutboxStatus.Delivered,
            receipt,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<OutboxItem> MarkFailedAsync(string idempotencyKey, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        return UpdateOutboxAsync(
            idempotencyKey,
            "UPDATE outbox SET status = $status, attempts = attempts + 1, last_error = $text, updated_at = $now WHERE idempotency_key = $key;",
            OutboxStatus.Failed,
            error,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<OutboxItem?> GetOutboxItemAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        UseAsync(connection => ReadOutboxItem(connection, null, idempotencyKey), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<OutboxItem>> ListOutboxAsync(OutboxStatus? status, CancellationToken cancellationToken) =>
        UseAsync<IReadOnlyList<OutboxItem>>(
            connection => status is null
                ? Query(connection, null, ReadOutbox, $"SELECT {OutboxColumns} FROM outbox ORDER BY created_at, idempotency_key;")
                : Query(
                    connection, null, ReadOutbox,
                    $"SELECT {OutboxColumns} FROM outbox WHERE status = $status ORDER BY created_at, idempotency_key;",
                    ("$status", status.Value.ToString())),
            cancellationToken);

    private Task<OutboxItem> UpdateOutboxAsync(
        string idempotencyKey, string sql, OutboxStatus status, string text, CancellationToken cancellationToken) =>
        WriteAsync(
            (connection, transaction) =>
            {
                var updated = Execute(
                    connection,
                    transaction,
                    sql,
                    ("$status", status.ToString()),
                    ("$text", text),
                    ("$now", LedgerTime.ToText(Now())),
                    ("$key", idempotencyKey));
                return updated == 1
                    ? ReadOutboxItem(connection, transaction, idempotencyKey)!
                    : throw NotFound("outbox item", idempotencyKey);
            },
            cancellationToken);

    private static OutboxItem? ReadOutboxItem(SqliteConnection connection, SqliteTransaction? transaction, string key) =>
        Query(
            connection, transaction, ReadOutbox,
            $"SELECT {OutboxColumns} FROM outbox WHERE idempotency_key = $key;",
            ("$key", key)) is [var item] ? item : null;

    private static OutboxItem ReadOutbox(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        Enum.Parse<OutboxStatus>(reader.GetString(3)),
        reader.GetInt32(4),
        NullableString(reader, 5),
        NullableString(reader, 6),
        Time(reader, 7),
        Time(reader, 8));
}
