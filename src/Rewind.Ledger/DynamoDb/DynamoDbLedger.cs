using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Rewind.Core.Ledger;
using static Rewind.Ledger.DynamoDb.DynamoItem;

namespace Rewind.Ledger.DynamoDb;

/// <summary>The team ledger: one on-demand DynamoDB table shared by every operator and CI runner.</summary>
/// <remarks>
/// Key schema: <c>pk</c> (S, HASH) + <c>sk</c> (S, RANGE). Items:
/// <list type="table">
/// <item><term>release</term><description>pk <c>REL#{id}</c>, sk <c>REL</c>; listed through pk <c>RELEASES</c>, sk <c>{recordedAt}#{id}</c>.</description></item>
/// <item><term>run</term><description>pk <c>RUN#{id}</c>, sk <c>RUN</c> (with the journal head); listed through pk <c>RUNS</c>, sk <c>{startedAt}#{id}</c>.</description></item>
/// <item><term>journal entry</term><description>pk <c>RUN#{id}</c>, sk <c>J#{seq:D12}</c>; a seq is claimed by <c>attribute_not_exists(pk)</c>.</description></item>
/// <item><term>lease</term><description>pk <c>LEASE#{service}</c>, sk <c>LEASE</c>; acquired only if absent or expired.</description></item>
/// <item><term>freeze</term><description>pk <c>FREEZES</c>, sk <c>ACTIVE#{scope}</c> while active, <c>LIFTED#{since}#{id}</c> once lifted.</description></item>
/// <item><term>incident</term><description>pk <c>INCIDENTS</c>, sk <c>INC-0001</c>…; numbers from an atomic counter pk <c>COUNTER</c>, sk <c>INCIDENT</c>.</description></item>
/// <item><term>outbox item</term><description>pk <c>OUTBOX</c>, sk the idempotency key.</description></item>
/// </list>
/// Reads that decide a write are strongly consistent. Times are ISO-8601 UTC text with fixed precision, so
/// conditions compare them as strings. Lease expiry is judged by the writer's clock: keep hosts NTP-synced.
/// </remarks>
public sealed partial class DynamoDbLedger :
    ILedger, IReleaseStore, IRunStore, ILeaseStore, IFreezeStore, IIncidentStore, IOutboxStore
{
    /// <summary>How many times a write that lost a race is retried before giving up with a conflict.</summary>
    public const int MaxContentionRetries = 500;

    private readonly IAmazonDynamoDB _client;
    private readonly string _table;
    private readonly TimeProvider _time;

    /// <summary>A ledger on <paramref name="tableName"/>; the composition root builds the client (credentials, region, endpoint).</summary>
    public DynamoDbLedger(IAmazonDynamoDB client, string tableName, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        _client = client;
        _table = tableName;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public string Location => $"dynamodb:{_table}";

    /// <inheritdoc />
    public IReleaseStore Releases => this;

    /// <inheritdoc />
    public IRunStore Runs => this;

    /// <inheritdoc />
    public ILeaseStore Leases => this;

    /// <inheritdoc />
    public IFreezeStore Freezes => this;

    /// <inheritdoc />
    public IIncidentStore Incidents => this;

    /// <inheritdoc />
    public IOutboxStore Outbox => this;

    /// <summary>A ledger on <paramref name="tableName"/> after checking the table exists with the right key schema.</summary>
    public static async Task<DynamoDbLedger> OpenAsync(
        IAmazonDynamoDB client, string tableName, TimeProvider? timeProvider, CancellationToken cancellationToken)
    {
        await DynamoDbTable.ValidateAsync(client, tableName, cancellationToken);
        return new DynamoDbLedger(client, tableName, timeProvider);
    }

    /// <summary>Does not dispose the client: the composition root owns it.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private DateTimeOffset Now() => LedgerTime.Normalize(_time.GetUtcNow());

    /// <summary>Runs one DynamoDB interaction, translating store failures into <see cref="LedgerException"/>.</summary>
    private async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is not LedgerException && DynamoErrors.IsStoreFailure(e))
        {
            throw DynamoErrors.Translate(e, _table, _client);
        }
    }

    private async Task<Dictionary<string, AttributeValue>?> GetAsync(string pk, string sk, CancellationToken cancellationToken)
    {
        var response = await _client.GetItemAsync(
            new GetItemRequest { TableName = _table, Key = Key(pk, sk), ConsistentRead = true },
            cancellationToken);
        return IsPresent(response.Item) ? response.Item : null;
    }

    /// <summary>Every item of a partition (optionally with a sort-key prefix), consistently read, all pages.</summary>
    private async Task<List<Dictionary<string, AttributeValue>>> QueryAsync(
        string pk, string? sortKeyPrefix, bool newestFirst, CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var request = new QueryRequest
            {
                TableName = _table,
                ConsistentRead = true,
                ScanIndexForward = !newestFirst,
                KeyConditionExpression = sortKeyPrefix is null ? "#pk = :pk" : "#pk = :pk AND begins_with(#sk, :prefix)",
                ExpressionAttributeNames = sortKeyPrefix is null
                    ? new() { ["#pk"] = PkName }
                    : new() { ["#pk"] = PkName, ["#sk"] = SkName },
                ExpressionAttributeValues = sortKeyPrefix is null
                    ? new() { [":pk"] = S(pk) }
                    : new() { [":pk"] = S(pk), [":prefix"] = S(sortKeyPrefix) },
                ExclusiveStartKey = start,
            };
            var response = await _client.QueryAsync(request, cancellationToken);
            items.AddRange(response.Items ?? []);
            start = IsPresent(response.LastEvaluatedKey) ? response.LastEvaluatedKey : null;
        }
        while (start is not null);

        return items;
    }

    /// <summary>The items at <paramref name="keys"/>, consistently read, in the order of the keys; missing ones skipped.</summary>
    private async Task<List<Dictionary<string, AttributeValue>>> BatchGetAsync(
        IReadOnlyList<(string Pk, string Sk)> keys, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, Dictionary<string, AttributeValue>>(StringComparer.Ordinal);
        foreach (var chunk in keys.Chunk(100))
        {
            var pending = new KeysAndAttributes { ConsistentRead = true, Keys = chunk.Select(key => Key(key.Pk, key.Sk)).ToList() };
            for (var attempt = 0; pending.Keys is { Count: > 0 }; attempt++)
            {
                var response = await _client.BatchGetItemAsync(
                    new BatchGetItemRequest { RequestItems = new() { [_table] = pending } },
                    cancellationToken);
                if (response.Responses?.TryGetValue(_table, out var items) == true)
                {
                    foreach (var item in items)
                    {
                        found[Str(item, PkName)] = item;
                    }
                }

                if (response.UnprocessedKeys?.GetValueOrDefault(_table) is not { } unprocessed)
                {
                    break;
                }

                pending = unprocessed;
                await BackOffAsync(attempt, TimeSpan.FromMilliseconds(10), cancellationToken);
            }
        }

        return keys.Select(key => found.GetValueOrDefault(key.Pk)).OfType<Dictionary<string, AttributeValue>>().ToList();
    }

    /// <summary>
    /// A random pause after losing a race, growing with the attempts and scaled to the store's round trip, so
    /// contending writers spread out instead of colliding again. Real time, not the injected clock: it spreads
    /// writers and measures nothing, and a fake clock in tests must not stall it.
    /// </summary>
    private static Task BackOffAsync(int attempt, TimeSpan roundTrip, CancellationToken cancellationToken)
    {
        var window = Math.Clamp(roundTrip.TotalMilliseconds, 1, 50) * (1 << Math.Min(attempt, 4));
        return Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * window), cancellationToken);
    }

    private LedgerException Contended(string what) =>
        new(
            LedgerFailureReason.Conflict,
            $"gave up on {what} in {Location} after {MaxContentionRetries} conflicting writes: too many writers at once; retry");

    private LedgerException NotFound(string what, string id, Exception? inner = null) =>
        new(LedgerFailureReason.NotFound, $"{what} {id} is not in the ledger {Location}: check the id with `rewind history`", inner);
}
