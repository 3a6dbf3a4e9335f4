using Amazon.DynamoDBv2.Model;
using Rewind.Core.Ledger;
using static Rewind.Ledger.DynamoDb.DynamoItem;

namespace Rewind.Ledger.DynamoDb;

public sealed partial class DynamoDbLedger
{
    private const string ReleaseSortKey = "REL";
    private const string ReleaseIndex = "RELEASES";

    /// <inheritdoc />
    public Task RecordReleaseAsync(Release release, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentException.ThrowIfNullOrWhiteSpace(release.Id);
        ArgumentException.ThrowIfNullOrWhiteSpace(release.Service);
        var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [PkName] = S(ReleasePk(release.Id)),
            [SkName] = S(ReleaseSortKey),
            ["id"] = S(release.Id),
            ["service"] = S(release.Service),
            ["version"] = S(release.Version),
            ["recordedAt"] = Time(release.RecordedAt),
            ["taskDefinitions"] = Map(release.TaskDefinitions),
            ["secretVersions"] = Map(release.SecretVersions),
            ["status"] = S(release.Status.ToString()),
        };
        if (release.Canary is { } canary)
        {
            item["canaryMain"] = N(canary.Main);
            item["canaryCanary"] = N(canary.Canary);
        }

        AddIfNotNull(item, "terraformRevision", release.TerraformRevision);
        AddIfNotNull(item, "distributionId", release.DistributionId);
        return CreateWithIndexAsync(
            item,
            ReleaseIndex,
            $"{LedgerTime.ToText(release.RecordedAt)}#{release.Id}",
            release.Service,
            $"release {release.Id} is already in the ledger: record it under a new id",
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<Release?> GetReleaseAsync(string releaseId, CancellationToken cancellationToken) =>
        CallAsync(async () =>
            await GetAsync(ReleasePk(releaseId), ReleaseSortKey, cancellationToken) is { } item ? ReadRelease(item) : null);

    /// <inheritdoc />
    public Task<IReadOnlyList<Release>> ListReleasesAsync(string? service, int limit, CancellationToken cancellationToken) =>
        CallAsync<IReadOnlyList<Release>>(async () =>
        {
            var ids = await ListIndexAsync(ReleaseIndex, service, limit, cancellationToken);
            var items = await BatchGetAsync(ids.Select(id => (ReleasePk(id), ReleaseSortKey)).ToList(), cancellationToken);
            return items.Select(ReadRelease).ToList();
        });

    /// <inheritdoc />
    public Task SetReleaseStatusAsync(string releaseId, ReleaseStatus status, CancellationToken cancellationToken) =>
        UpdateExistingAsync(
            ReleasePk(releaseId), ReleaseSortKey, "#status", "status", S(status.ToString()), "release", releaseId, cancellationToken);

    private static string ReleasePk(string id) => $"REL#{id}";

    private static Release ReadRelease(Dictionary<string, AttributeValue> item) => new(
        Str(item, "id"),
        Str(item, "service"),
        Str(item, "version"),
        TimeOf(item, "recordedAt"),
        MapOf(item, "taskDefinitions"),
        OptNum(item, "canaryMain") is { } main ? new CanaryWeights((int)main, (int)Num(item, "canaryCanary")) : null,
        MapOf(item, "secretVersions"),
        OptStr(item, "terraformRevision"),
        OptStr(item, "distributionId"),
        Enum.Parse<ReleaseStatus>(Str(item, "status")));

    /// <summary>Writes a record and its listing entry in one transaction; the record must not exist yet.</summary>
    private Task<bool> CreateWithIndexAsync(
        Dictionary<string, AttributeValue> item,
        string indexPk,
        string indexSk,
        string service,
        string conflictMessage,
        CancellationToken cancellationToken) =>
        CallAsync(async () =>
        {
            var index = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
            {
                [PkName] = S(indexPk),
                [SkName] = S(indexSk),
                ["id"] = item["id"],
                ["service"] = S(service),
            };
            try
            {
                await _client.TransactWriteItemsAsync(
                    new TransactWriteItemsRequest
                    {
                        TransactItems =
                        [
                            new TransactWriteItem
                            {
                                Put = new Put
                                {
                                    TableName = _table,
                                    Item = item,
                                    ConditionExpression = "attribute_not_exists(#pk)",
                                    ExpressionAttributeNames = new() { ["#pk"] = PkName },
                                },
                            },
                            new TransactWriteItem { Put = new Put { TableName = _table, Item = index } },
                        ],
                    },
                    cancellationToken);
                return true;
            }
            catch (TransactionCanceledException e)
                when (e.CancellationReasons?.Any(reason => reason.Code == "ConditionalCheckFailed") == true)
            {
                throw new LedgerException(LedgerFailureReason.Conflict, conflictMessage, e);
            }
        });

    /// <summary>Ids from a listing partition, newest first, optionally of one service, at most <paramref name="limit"/>.</summary>
    private async Task<List<string>> ListIndexAsync(string indexPk, string? service, int limit, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        Dictionary<string, AttributeValue>? start = null;
        while (ids.Count < limit)
        {
            var response = await _client.QueryAsync(
                new QueryRequest
                {
                    TableName = _table,
                    ConsistentRead = true,
                    ScanIndexForward = false,
                    KeyConditionExpression = "#pk = :pk",
                    ExpressionAttributeNames = new() { ["#pk"] = PkName },
                    ExpressionAttributeValues = new() { [":pk"] = S(indexPk) },
                    ExclusiveStartKey = start,
                },
                cancellationToken);
            ids.AddRange(
                (response.Items ?? [])
                    .Where(entry => service is null || Str(entry, "service") == service)
                    .Select(entry => Str(entry, "id"))
                    .Take(limit - ids.Count));
            if (!IsPresent(response.LastEvaluatedKey))
            {
                break;
            }

            start = response.LastEvaluatedKey;
        }

        return ids;
    }

    /// <summary>Sets one attribute of an existing item; NotFound if the item does not exist.</summary>
    private Task UpdateExistingAsync(
        string pk,
        string sk,
        string placeholder,
        string attribute,
        AttributeValue value,
        string what,
        string id,
        CancellationToken cancellationToken) =>
        CallAsync(async () =>
        {
            try
            {
                await _client.UpdateItemAsync(
                    new UpdateItemRequest
                    {
                        TableName = _table,
                        Key = Key(pk, sk),
                        UpdateExpression = $"SET {placeholder} = :value",
                        ConditionExpression = "attribute_exists(#pk)",
                        ExpressionAttributeNames = new() { ["#pk"] = PkName, [placeholder] = attribute },
                        ExpressionAttributeValues = new() { [":value"] = value },
                    },
                    cancellationToken);
                return true;
            }
            catch (ConditionalCheckFailedException e)
            {
                throw NotFound(what, id, e);
            }
        });
}
