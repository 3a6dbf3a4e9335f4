using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Rewind.Core.Ledger;
using static Rewind.Ledger.DynamoDb.DynamoItem;

namespace Rewind.Ledger.DynamoDb;

public sealed partial class DynamoDbLedger
{
    private const string OutboxPartition = "OUTBOX";

    /// <inheritdoc />
    public Task<OutboxItem> EnqueueAsync(
        string idempotencyKey, string target, string payloadHash, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(payloadHash);
        return CallAsync(async () =>
        {
            var now = Now();
            var item = new OutboxItem(idempotencyKey, target, payloadHash, OutboxStatus.Pending, 0, null, null, now, now);
            try
            {
                await _client.PutItemAsync(
                    new PutItemRequest
                    {
                        TableName = _table,
                        Item = OutboxItemAttributes(item),
                        ConditionExpression = "attribute_not_exists(#pk)",
                        ExpressionAttributeNames = new() { ["#pk"] = PkName },
                        ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
                    },
                    cancellationToken);
                return item;
            }
            catch (ConditionalCheckFailedException e)
            {
                var existing = IsPresent(e.Item)
                    ? ReadOutboxItem(e.Item)
                    : await GetAsync(OutboxPartition, idempotencyKey, cancellationToken) is { } stored
                        ? ReadOutboxItem(stored)
                        : throw Contended($"enqueueing {idempotencyKey}");
                return LedgerRules.SameMessageOrThrow(existing, target, payloadHash);
            }
        });
    }

    /// <inheritdoc />
    public Task<OutboxItem> MarkSendingAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        MarkAsync(idempotencyKey, OutboxStatus.Sending, null, "", cancellationToken);

    /// <inheritdoc />
    public Task<OutboxItem> MarkDeliveredAsync(string idempotencyKey, string receipt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return MarkAsync(idempotencyKey, OutboxStatus.Delivered, "receipt", receipt, cancellationToken);
    }

    /// <inheritdoc />
    public Task<OutboxItem> MarkFailedAsync(string idempotencyKey, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        return MarkAsync(idempotencyKey, OutboxStatus.Failed, "lastError", error, cancellationToken);
    }

    /// <inheritdoc />
    public Task<OutboxItem?> GetOutboxItemAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        CallAsync(async () =>
            await GetAsync(OutboxPartition, idempotencyKey, cancellationToken) is { } item ? ReadOutboxItem(item) : null);

    /// <inheritdoc />
    public Task<IReadOnlyList<OutboxItem>> ListOutboxAsync(OutboxStatus? status, CancellationToken cancellationToken) =>
        CallAsync<IReadOnlyList<OutboxItem>>(async () =>
            (await QueryAsync(OutboxPartition, null, newestFirst: false, cancellationToken))
                .Select(ReadOutboxItem)
                .Where(item => status is null || item.Status == status)
                .OrderBy(item => item.CreatedAt)
                .ThenBy(item => item.IdempotencyKey, StringComparer.Ordinal)
                .ToList());

    // A null textAttribute is the Sending mark: it keeps the receipt and last error, and counts no attempt.
    private Task<OutboxItem> MarkAsync(
        string idempotencyKey, OutboxStatus status, string? textAttribute, string text, CancellationToken cancellationToken) =>
        CallAsync(async () =>
        {
            try
            {
                var names = new Dictionary<string, string> { ["#pk"] = PkName, ["#status"] = "status", ["#updated"] = "updatedAt" };
                var values = new Dictionary<string, AttributeValue> { [":status"] = S(status.ToString()), [":now"] = Time(Now()) };
                var update = "SET #status = :status, #updated = :now";
                if (textAttribute is not null)
                {
                    names["#text"] = textAttribute;
                    names["#attempts"] = "attempts";
                    values[":text"] = S(text);
                    values[":one"] = N(1);
                    update += ", #text = :text ADD #attempts :one";
                }

                var response = await _client.UpdateItemAsync(
                    new UpdateItemRequest
                    {
                        TableName = _table,
                        Key = Key(OutboxPartition, idempotencyKey),
                        UpdateExpression = update,
                        ConditionExpression = "attribute_exists(#pk)",
                        ExpressionAttributeNames = names,
                        ExpressionAttributeValues = values,
                        ReturnValues = ReturnValue.ALL_NEW,
                    },
                    cancellationToken);
                return ReadOutboxItem(response.Attributes);
            }
            catch (ConditionalCheckFailedException e)
            {
                throw NotFound("outbox item", idempotencyKey, e);
            }
        });

    private static Dictionary<string, AttributeValue> OutboxItemAttributes(OutboxItem item) => new(StringComparer.Ordinal)
    {
        [PkName] = S(OutboxPartition),
        [SkName] = S(item.IdempotencyKey),
        ["key"] = S(item.IdempotencyKey),
        ["target"] = S(item.Target),
        ["payloadHash"] = S(item.PayloadHash),
        ["status"] = S(item.Status.ToString()),
        ["attempts"] = N(item.Attempts),
        ["createdAt"] = Time(item.CreatedAt),
        ["updatedAt"] = Time(item.UpdatedAt),
    };

    private static OutboxItem ReadOutboxItem(Dictionary<string, AttributeValue> item) => new(
        Str(item, "key"),
        Str(item, "target"),
        Str(item, "payloadHash"),
        Enum.Parse<OutboxStatus>(Str(item, "status")),
        (int)Num(item, "attempts"),
        OptStr(item, "lastError"),
        OptStr(item, "receipt"),
        TimeOf(item, "createdAt"),
        TimeOf(item, "updatedAt"));
}
