using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Rewind.Core.Ledger;
using static Rewind.Ledger.DynamoDb.DynamoItem;

namespace Rewind.Ledger.DynamoDb;

public sealed partial class DynamoDbLedger
{
    private const string FreezePartition = "FREEZES";
    private const string ActivePrefix = "ACTIVE#";
    private const string LiftedPrefix = "LIFTED#";

    /// <inheritdoc />
    public Task<Freeze> FreezeAsync(
        string scope, string reason, string? incidentId, string frozenBy, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(frozenBy);
        return CallAsync(async () =>
        {
            var now = Now();
            var freeze = new Freeze(LedgerIds.New("frz", now), scope, reason, incidentId, frozenBy, now);
            try
            {
                await _client.PutItemAsync(
                    new PutItemRequest
                    {
                        TableName = _table,
                        Item = FreezeItem(freeze, ActivePrefix + scope),
                        ConditionExpression = "attribute_not_exists(#pk)",
                        ExpressionAttributeNames = new() { ["#pk"] = PkName },
                        ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
                    },
                    cancellationToken);
                return freeze;
            }
            catch (ConditionalCheckFailedException e)
            {
                var existing = IsPresent(e.Item)
                    ? ReadFreeze(e.Item)
                    : await GetAsync(FreezePartition, ActivePrefix + scope, cancellationToken) is { } item ? ReadFreeze(item) : null;
                throw existing is null
                    ? Contended($"freezing {scope}")
                    : LedgerRules.AlreadyFrozen(existing);
            }
        });
    }

    /// <inheritdoc />
    public Task<Freeze> LiftAsync(string scope, string liftedBy, string rootCause, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        ArgumentException.ThrowIfNullOrWhiteSpace(liftedBy);
        ArgumentException.ThrowIfNullOrWhiteSpace(rootCause);
        return CallAsync(async () =>
        {
            var item = await GetAsync(FreezePartition, ActivePrefix + scope, cancellationToken)
                ?? throw LedgerRules.NotFrozen(scope);
            var freeze = ReadFreeze(item);
            var lifted = freeze with { LiftedBy = liftedBy, LiftedAt = Now(), RootCause = rootCause };
            try
            {
                // Move the freeze from ACTIVE to LIFTED in one transaction, only if it is still the one we read.
                await _client.TransactWriteItemsAsync(
                    new TransactWriteItemsRequest
                    {
                        TransactItems =
                        [
                            new TransactWriteItem
                            {
                                Delete = new Delete
                                {
                                    TableName = _table,
                                    Key = Key(FreezePartition, ActivePrefix + scope),
                                    ConditionExpression = "#id = :id",
                                    ExpressionAttributeNames = new() { ["#id"] = "id" },
                                    ExpressionAttributeValues = new() { [":id"] = S(freeze.Id) },
                                },
                            },
                            new TransactWriteItem
                            {
                                Put = new Put
                                {
                                    TableName = _table,
                                    Item = FreezeItem(lifted, $"{LiftedPrefix}{LedgerTime.ToText(freeze.Since)}#{freeze.Id}"),
                                },
                            },
                        ],
                    },
                    cancellationToken);
                return lifted;
            }
            catch (TransactionCanceledException e)
            {
                throw new LedgerException(
                    LedgerFailureReason.Conflict,
                    $"the freeze on {scope} changed while lifting it (someone else lifted or replaced it): check `rewind freeze status`",
                    e);
            }
        });
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Freeze>> GetActiveFreezesAsync(string? service, CancellationToken cancellationToken) =>
        CallAsync<IReadOnlyList<Freeze>>(async () =>
            (await QueryAsync(FreezePartition, ActivePrefix, newestFirst: false, cancellationToken))
                .Select(ReadFreeze)
                .Where(freeze => service is null || freeze.AppliesTo(service))
                .OrderByDescending(freeze => freeze.Since)
                .ThenByDescending(freeze => freeze.Id, StringComparer.Ordinal)
                .ToList());

    /// <inheritdoc />
    public Task<IReadOnlyList<Freeze>> ListFreezesAsync(CancellationToken cancellationToken) =>
        CallAsync<IReadOnlyList<Freeze>>(async () =>
            (await QueryAsync(FreezePartition, null, newestFirst: false, cancellationToken))
                .Select(ReadFreeze)
                .OrderByDescending(freeze => freeze.Since)
                .ThenByDescending(freeze => freeze.Id, StringComparer.Ordinal)
                .ToList());

    private static Dictionary<string, AttributeValue> FreezeItem(Freeze freeze, string sortKey)
    {
        var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [PkName] = S(FreezePartition),
            [SkName] = S(sortKey),
            ["id"] = S(freeze.Id),
            ["scope"] = S(freeze.Scope),
            ["reason"] = S(freeze.Reason),
            ["frozenBy"] = S(freeze.FrozenBy),
            ["since"] = Time(freeze.Since),
        };
        AddIfNotNull(item, "incidentId", freeze.IncidentId);
        AddIfNotNull(item, "liftedBy", freeze.LiftedBy);
        AddIfNotNull(item, "liftedAt", freeze.LiftedAt is { } at ? LedgerTime.ToText(at) : null);
        AddIfNotNull(item, "rootCause", freeze.RootCause);
        return item;
    }

    private static Freeze ReadFreeze(Dictionary<string, AttributeValue> item) => new(
        Str(item, "id"),
        Str(item, "scope"),
        Str(item, "reason"),
        OptStr(item, "incidentId"),
        Str(item, "frozenBy"),
        TimeOf(item, "since"),
        OptStr(item, "liftedBy"),
        OptTimeOf(item, "liftedAt"),
        OptStr(item, "rootCause"));
}
