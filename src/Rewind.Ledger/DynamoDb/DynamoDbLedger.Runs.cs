using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Rewind.Core.Ledger;
using static Rewind.Ledger.DynamoDb.DynamoItem;

namespace Rewind.Ledger.DynamoDb;

public sealed partial class DynamoDbLedger
{
    private const string RunSortKey = "RUN";
    private const string RunIndex = "RUNS";
    private const string JournalPrefix = "J#";

    private readonly ConcurrentDictionary<string, JournalHead> _heads = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task CreateRunAsync(Run run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrWhiteSpace(run.Id);
        ArgumentException.ThrowIfNullOrWhiteSpace(run.Service);
        ArgumentNullException.ThrowIfNull(run.PlanJson);
        var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [PkName] = S(RunPk(run.Id)),
            [SkName] = S(RunSortKey),
            ["id"] = S(run.Id),
            ["service"] = S(run.Service),
            ["startedAt"] = Time(run.StartedAt),
            ["status"] = S(run.Status.ToString()),
            ["plan"] = S(run.PlanJson),
            ["lastSeq"] = N(0),
            ["lastHash"] = S(JournalChain.GenesisHash),
        };
        AddIfNotNull(item, "targetReleaseId", run.TargetReleaseId);
        AddIfNotNull(item, "incidentId", run.IncidentId);
        return CreateWithIndexAsync(
            item,
            RunIndex,
            $"{LedgerTime.ToText(run.StartedAt)}#{run.Id}",
            run.Service,
            $"run {run.Id} is already in the ledger: start it under a new id",
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<Run?> GetRunAsync(string runId, CancellationToken cancellationToken) =>
        CallAsync(async () => await GetAsync(RunPk(runId), RunSortKey, cancellationToken) is { } item ? ReadRun(item) : null);

    /// <inheritdoc />
    public Task<IReadOnlyList<Run>> ListRunsAsync(string? service, int limit, CancellationToken cancellationToken) =>
        CallAsync<IReadOnlyList<Run>>(async () =>
        {
            var ids = await ListIndexAsync(RunIndex, service, limit, cancellationToken);
            var items = await BatchGetAsync(ids.Select(id => (RunPk(id), RunSortKey)).ToList(), cancellationToken);
            return items.Select(ReadRun).ToList();
        });

    /// <inheritdoc />
    public Task SetRunStatusAsync(string runId, RunStatus status, CancellationToken cancellationToken) =>
        CallAsync(async () =>
        {
            await UpdateExistingAsync(
                RunPk(runId), RunSortKey, "#status", "status", S(status.ToString()), "run", runId, cancellationToken);

            // Anchor the journal's head at every status change (the end of a run above all), so verification
            // notices trailing entries deleted later. Appends do not move it: one more write per append made
            // concurrent appends several times slower.
            var tail = await ReadTailAsync(runId, cancellationToken);
            if (tail.Seq > 0)
            {
                await AdvanceHeadAsync(runId, tail, cancellationToken);
            }

            return true;
        });

    /// <inheritdoc />
    public Task SetRunIncidentAsync(string runId, string incidentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(incidentId);
        return UpdateExistingAsync(RunPk(runId), RunSortKey, "#incident", "incidentId", S(incidentId), "run", runId, cancellationToken);
    }

    /// <inheritdoc />
    public Task<JournalEntry> AppendJournalAsync(
        string runId, string step, JournalKind kind, string detailJson, CancellationToken cancellationToken) =>
        AppendAsync(runId, step, kind, detailJson, fence: null, cancellationToken);

    /// <inheritdoc />
    public Task<JournalEntry> AppendFencedJournalAsync(
        string runId, string step, JournalKind kind, string detailJson, LeaseFence fence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fence);
        return AppendAsync(runId, step, kind, detailJson, fence, cancellationToken);
    }

    /// <summary>
    /// Claims the next seq by the write itself: only one writer can create J#{seq}, and the entry it writes already
    /// carries the hash over the previous entry, so the chain cannot fork. With a fence the entry and the lease check
    /// are one transaction: a takeover either lands before (the entry is refused) or after (it was written while the
    /// run still held the lock).
    /// </summary>
    private Task<JournalEntry> AppendAsync(
        string runId, string step, JournalKind kind, string detailJson, LeaseFence? fence, CancellationToken cancellationToken)
    {
        JournalChain.ValidateAppend(runId, step, kind, detailJson);
        return CallAsync(async () =>
        {
            // Start from the head this instance last wrote (no read when it is the only writer); if another writer
            // moved on meanwhile, the conditional write fails and the tail is re-read.
            var head = _heads.TryGetValue(runId, out var cached) ? cached : await ReadTailAsync(runId, cancellationToken);
            for (var attempt = 0; attempt < MaxContentionRetries; attempt++)
            {
                var entry = JournalChain.Next(head, runId, Now(), step, kind, detailJson);
                var sent = Stopwatch.GetTimestamp();
                if (!await TryWriteEntryAsync(entry, fence, cancellationToken))
                {
                    // Another writer took this seq. Wait a little, then re-read the tail: by then the others have
                    // usually moved on, and stepping forward one taken seq at a time would never catch up.
                    await BackOffAsync(attempt, Stopwatch.GetElapsedTime(sent), cancellationToken);
                    head = await ReadTailAsync(runId, cancellationToken);
                    continue;
                }

                _heads[runId] = new JournalHead(entry.Seq, entry.Hash);
                return entry;
            }

            throw Contended($"appending to run {runId}");
        });
    }

    /// <summary>Writes the entry if its seq is free (false when another writer took it); a lost fence throws.</summary>
    private async Task<bool> TryWriteEntryAsync(JournalEntry entry, LeaseFence? fence, CancellationToken cancellationToken)
    {
        var put = new Put
        {
            TableName = _table,
            Item = JournalItem(entry),
            ConditionExpression = "attribute_not_exists(#pk)",
            ExpressionAttributeNames = new() { ["#pk"] = PkName },
        };
        try
        {
            if (fence is null)
            {
                await _client.PutItemAsync(
                    new PutItemRequest
                    {
                        TableName = put.TableName,
                        Item = put.Item,
                        ConditionExpression = put.ConditionExpression,
                        ExpressionAttributeNames = put.ExpressionAttributeNames,
                    },
                    cancellationToken);
            }
            else
            {
                await _client.TransactWriteItemsAsync(
                    new TransactWriteItemsRequest
                    {
                        TransactItems = [new TransactWriteItem { Put = put }, new TransactWriteItem { ConditionCheck = LeaseFenceCheck(fence) }],
                    },
                    cancellationToken);
            }
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
        catch (TransactionCanceledException e)
            when (fence is not null && e.CancellationReasons?.Any(reason => reason.Code == "ConditionalCheckFailed") == true)
        {
            // Which condition failed decides: the lease's (lost: stop) or the seq's (another writer: retry).
            var stored = await ReadLeaseAsync(fence.Service, cancellationToken);
            if (!fence.IsHeldBy(stored))
                throw new LeaseLostException(fence, stored);
            return false;
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JournalEntry>> ReadJournalAsync(string runId, CancellationToken cancellationToken) =>
        CallAsync<IReadOnlyList<JournalEntry>>(async () =>
            (await QueryAsync(RunPk(runId), JournalPrefix, newestFirst: false, cancellationToken))
                .Select(ReadJournalEntry)
                .ToList());

    /// <inheritdoc />
    public Task<JournalHead> GetJournalHeadAsync(string runId, CancellationToken cancellationToken) =>
        CallAsync(async () =>
            await GetAsync(RunPk(runId), RunSortKey, cancellationToken) is { } item
                ? new JournalHead(Num(item, "lastSeq"), Str(item, "lastHash"))
                : throw NotFound("run", runId));

    private static string RunPk(string id) => $"RUN#{id}";

    private static string JournalSk(long seq) => JournalPrefix + seq.ToString("D12", CultureInfo.InvariantCulture);

    /// <summary>The last stored entry of a run (strongly consistent), or the empty head if the run has none yet.</summary>
    private async Task<JournalHead> ReadTailAsync(string runId, CancellationToken cancellationToken)
    {
        var response = await _client.QueryAsync(
            new QueryRequest
            {
                TableName = _table,
                ConsistentRead = true,
                ScanIndexForward = false,
                Limit = 1,
                KeyConditionExpression = "#pk = :pk AND begins_with(#sk, :prefix)",
                ExpressionAttributeNames = new() { ["#pk"] = PkName, ["#sk"] = SkName },
                ExpressionAttributeValues = new() { [":pk"] = S(RunPk(runId)), [":prefix"] = S(JournalPrefix) },
            },
            cancellationToken);
        if (response.Items is [var last, ..])
        {
            return new JournalHead(Num(last, "seq"), Str(last, "hash"));
        }

        return await GetAsync(RunPk(runId), RunSortKey, cancellationToken) is not null
            ? JournalChain.EmptyHead
            : throw NotFound("run", runId);
    }

    /// <summary>
    /// Moves the run's recorded head forward to <paramref name="head"/> (never back). The head may lag the journal,
    /// which verification accepts; a journal shorter than its head has lost trailing entries.
    /// </summary>
    private async Task AdvanceHeadAsync(string runId, JournalHead head, CancellationToken cancellationToken)
    {
        try
        {
            await _client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = _table,
                    Key = Key(RunPk(runId), RunSortKey),
                    UpdateExpression = "SET #seq = :seq, #hash = :hash",
                    ConditionExpression = "attribute_exists(#pk) AND #seq < :seq",
                    ExpressionAttributeNames = new() { ["#pk"] = PkName, ["#seq"] = "lastSeq", ["#hash"] = "lastHash" },
                    ExpressionAttributeValues = new() { [":seq"] = N(head.Seq), [":hash"] = S(head.Hash) },
                },
                cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            // A later head is already recorded.
        }
    }

    private Dictionary<string, AttributeValue> JournalItem(JournalEntry entry) => new(StringComparer.Ordinal)
    {
        [PkName] = S(RunPk(entry.RunId)),
        [SkName] = S(JournalSk(entry.Seq)),
        ["runId"] = S(entry.RunId),
        ["seq"] = N(entry.Seq),
        ["time"] = Time(entry.Time),
        ["step"] = S(entry.Step),
        ["kind"] = S(JournalChain.KindName(entry.Kind)),
        ["detail"] = S(entry.Detail),
        ["prevHash"] = S(entry.PrevHash),
        ["hash"] = S(entry.Hash),
    };

    private static Run ReadRun(Dictionary<string, AttributeValue> item) => new(
        Str(item, "id"),
        Str(item, "service"),
        TimeOf(item, "startedAt"),
        Enum.Parse<RunStatus>(Str(item, "status")),
        OptStr(item, "targetReleaseId"),
        Str(item, "plan"),
        OptStr(item, "incidentId"));

    private static JournalEntry ReadJournalEntry(Dictionary<string, AttributeValue> item)
    {
        // Unparseable fields (a tampered item) read as values that cannot hash to the stored hash.
        if (!JournalChain.TryParseKind(OptStr(item, "kind") ?? string.Empty, out var kind))
        {
            kind = (JournalKind)(-1);
        }

        _ = LedgerTime.TryParse(OptStr(item, "time"), out var time);
        return new JournalEntry(
            OptStr(item, "runId") ?? string.Empty,
            OptNum(item, "seq") ?? -1,
            time,
            OptStr(item, "step") ?? string.Empty,
            kind,
            OptStr(item, "detail") ?? string.Empty,
            OptStr(item, "prevHash") ?? string.Empty,
            OptStr(item, "hash") ?? string.Empty);
    }
}
