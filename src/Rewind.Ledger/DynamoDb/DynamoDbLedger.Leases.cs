using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Rewind.Core.Ledger;
using static Rewind.Ledger.DynamoDb.DynamoItem;

namespace Rewind.Ledger.DynamoDb;

public sealed partial class DynamoDbLedger
{
    private const string LeaseSortKey = "LEASE";

    /// <inheritdoc />
    public Task<LeaseAttempt> TryAcquireAsync(
        string service, string owner, string host, TimeSpan ttl, CancellationToken cancellationToken)
    {
        LedgerRules.ValidateLease(service, owner, host, ttl);
        return CallAsync(async () =>
        {
            for (var attempt = 0; attempt < MaxContentionRetries; attempt++)
            {
                var now = Now();
                try
                {
                    // An update, not a put: the new generation is one more than the lapsed lease's, in the same write.
                    var response = await _client.UpdateItemAsync(
                        new UpdateItemRequest
                        {
                            TableName = _table,
                            Key = Key(LeasePk(service), LeaseSortKey),
                            UpdateExpression = "SET #service = :service, #owner = :owner, #host = :host, #acquired = :now, #expires = :expires, #generation = if_not_exists(#generation, :zero) + :one",
                            ConditionExpression = "attribute_not_exists(#pk) OR #expires <= :now",
                            ExpressionAttributeNames = new()
                            {
                                ["#pk"] = PkName,
                                ["#service"] = "service",
                                ["#owner"] = "owner",
                                ["#host"] = "host",
                                ["#acquired"] = "acquiredAt",
                                ["#expires"] = "expiresAt",
                                ["#generation"] = "generation",
                            },
                            ExpressionAttributeValues = new()
                            {
                                [":service"] = S(service),
                                [":owner"] = S(owner),
                                [":host"] = S(host),
                                [":now"] = Time(now),
                                [":expires"] = Time(now + ttl),
                                [":zero"] = N(0),
                                [":one"] = N(1),
                            },
                            ReturnValues = ReturnValue.ALL_NEW,
                            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
                        },
                        cancellationToken);
                    return new LeaseAttempt(true, ReadLease(response.Attributes));
                }
                catch (ConditionalCheckFailedException e)
                {
                    var holder = IsPresent(e.Item) ? ReadLease(e.Item) : await ReadLeaseAsync(service, cancellationToken);
                    if (holder is not null && !holder.IsExpiredAt(now))
                    {
                        return new LeaseAttempt(false, holder);
                    }

                    // The holder released or lapsed between our write and our read: try again.
                }
            }

            throw Contended($"acquiring the lease on {service}");
        });
    }

    /// <inheritdoc />
    public Task<Lease> RenewAsync(string service, string owner, string host, TimeSpan ttl, CancellationToken cancellationToken)
    {
        LedgerRules.ValidateLease(service, owner, host, ttl);
        return CallAsync(async () =>
        {
            try
            {
                var response = await _client.UpdateItemAsync(
                    new UpdateItemRequest
                    {
                        TableName = _table,
                        Key = Key(LeasePk(service), LeaseSortKey),
                        UpdateExpression = "SET #expires = :expires",
                        ConditionExpression = "#owner = :owner AND #host = :host",
                        ExpressionAttributeNames = new()
                        {
                            ["#expires"] = "expiresAt",
                            ["#owner"] = "owner",
                            ["#host"] = "host",
                        },
                        ExpressionAttributeValues = new()
                        {
                            [":expires"] = Time(Now() + ttl),
                            [":owner"] = S(owner),
                            [":host"] = S(host),
                        },
                        ReturnValues = ReturnValue.ALL_NEW,
                    },
                    cancellationToken);
                return ReadLease(response.Attributes);
            }
            catch (ConditionalCheckFailedException e)
            {
                var current = IsPresent(e.Item) ? ReadLease(e.Item) : await ReadLeaseAsync(service, cancellationToken);
                throw current is null ? LedgerRules.NoLease(service) : LedgerRules.LeaseHeldByOther(current);
            }
        });
    }

    /// <inheritdoc />
    public Task<bool> ReleaseAsync(string service, string owner, string host, CancellationToken cancellationToken) =>
        CallAsync(async () =>
        {
            try
            {
                await _client.DeleteItemAsync(
                    new DeleteItemRequest
                    {
                        TableName = _table,
                        Key = Key(LeasePk(service), LeaseSortKey),
                        ConditionExpression = "#owner = :owner AND #host = :host",
                        ExpressionAttributeNames = new() { ["#owner"] = "owner", ["#host"] = "host" },
                        ExpressionAttributeValues = new() { [":owner"] = S(owner), [":host"] = S(host) },
                    },
                    cancellationToken);
                return true;
            }
            catch (ConditionalCheckFailedException)
            {
                return false;
            }
        });

    /// <inheritdoc />
    public Task<LeaseTakeover> TakeOverAsync(
        string service, string owner, string host, TimeSpan ttl, CancellationToken cancellationToken)
    {
        LedgerRules.ValidateLease(service, owner, host, ttl);
        return CallAsync(async () =>
        {
            for (var attempt = 0; attempt < MaxContentionRetries; attempt++)
            {
                var previous = await ReadLeaseAsync(service, cancellationToken);
                var now = Now();
                var lease = new Lease(service, owner, host, now, now + ttl, (previous?.Generation ?? 0) + 1);
                var request = new PutItemRequest { TableName = _table, Item = LeaseItem(lease) };
                if (previous is null)
                {
                    request.ConditionExpression = "attribute_not_exists(#pk)";
                    request.ExpressionAttributeNames = new() { ["#pk"] = PkName };
                }
                else
                {
                    // Replace exactly the lease we read, so the previous holder we return is the one we displaced.
                    request.ConditionExpression = "#owner = :owner AND #host = :host AND #acquired = :acquired AND #expires = :expires";
                    request.ExpressionAttributeNames = new()
                    {
                        ["#owner"] = "owner",
                        ["#host"] = "host",
                        ["#acquired"] = "acquiredAt",
                        ["#expires"] = "expiresAt",
                    };
                    request.ExpressionAttributeValues = new()
                    {
                        [":owner"] = S(previous.Owner),
                        [":host"] = S(previous.Host),
                        [":acquired"] = Time(previous.AcquiredAt),
                        [":expires"] = Time(previous.ExpiresAt),
                    };
                }

                try
                {
                    await _client.PutItemAsync(request, cancellationToken);
                    return new LeaseTakeover(lease, previous);
                }
                catch (ConditionalCheckFailedException)
                {
                    await BackOffAsync(attempt, TimeSpan.FromMilliseconds(10), cancellationToken);
                }
            }

            throw Contended($"taking over the lease on {service}");
        });
    }

    /// <inheritdoc />
    public Task<Lease?> GetLeaseAsync(string service, CancellationToken cancellationToken) =>
        CallAsync(() => ReadLeaseAsync(service, cancellationToken));

    private static string LeasePk(string service) => $"LEASE#{service}";

    private async Task<Lease?> ReadLeaseAsync(string service, CancellationToken cancellationToken) =>
        await GetAsync(LeasePk(service), LeaseSortKey, cancellationToken) is { } item ? ReadLease(item) : null;

    private static Dictionary<string, AttributeValue> LeaseItem(Lease lease) => new(StringComparer.Ordinal)
    {
        [PkName] = S(LeasePk(lease.Service)),
        [SkName] = S(LeaseSortKey),
        ["service"] = S(lease.Service),
        ["owner"] = S(lease.Owner),
        ["host"] = S(lease.Host),
        ["acquiredAt"] = Time(lease.AcquiredAt),
        ["expiresAt"] = Time(lease.ExpiresAt),
        ["generation"] = N(lease.Generation),
    };

    // A lease written by a build without generations has no attribute: it counts as generation 0.
    private static Lease ReadLease(Dictionary<string, AttributeValue> item) => new(
        Str(item, "service"), Str(item, "owner"), Str(item, "host"), TimeOf(item, "acquiredAt"), TimeOf(item, "expiresAt"), OptNum(item, "generation") ?? 0);

    /// <summary>The condition on the lease item under which a fenced write may happen.</summary>
    private ConditionCheck LeaseFenceCheck(LeaseFence fence) => new()
    {
        TableName = _table,
        Key = Key(LeasePk(fence.Service), LeaseSortKey),
        ConditionExpression = fence.Generation == 0
            ? "#owner = :owner AND #host = :host AND (attribute_not_exists(#generation) OR #generation = :generation)"
            : "#owner = :owner AND #host = :host AND #generation = :generation",
        ExpressionAttributeNames = new() { ["#owner"] = "owner", ["#host"] = "host", ["#generation"] = "generation" },
        ExpressionAttributeValues = new() { [":owner"] = S(fence.Owner), [":host"] = S(fence.Host), [":generation"] = N(fence.Generation) },
    };
}
