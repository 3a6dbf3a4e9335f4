using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Rewind.Core.Ledger;
using static Rewind.Ledger.DynamoDb.DynamoItem;

namespace Rewind.Ledger.DynamoDb;

public sealed partial class DynamoDbLedger
{
    private const string IncidentPartition = "INCIDENTS";

    /// <inheritdoc />
    public Task<Incident> OpenIncidentAsync(IncidentDraft draft, CancellationToken cancellationToken)
    {
        LedgerRules.ValidateDraft(draft);
        return CallAsync(async () =>
        {
            for (var attempt = 0; attempt < MaxContentionRetries; attempt++)
            {
                // An atomic counter allocates the number; a writer that dies before the put leaves a gap, never a
                // duplicate. The put is still conditional, so an id taken by any other means is never overwritten.
                var number = await NextIncidentNumberAsync(cancellationToken);
                var now = Now();
                var incident = draft.Open(number, now);
                var item = IncidentItem(incident);
                item["number"] = N(number);
                item["openedAt"] = Time(incident.OpenedAt);
                try
                {
                    await _client.PutItemAsync(
                        new PutItemRequest
                        {
                            TableName = _table,
                            Item = item,
                            ConditionExpression = "attribute_not_exists(#pk)",
                            ExpressionAttributeNames = new() { ["#pk"] = PkName },
                        },
                        cancellationToken);
                    return incident;
                }
                catch (ConditionalCheckFailedException)
                {
                    // The number is taken: allocate the next one.
                }
            }

            throw Contended("opening an incident");
        });
    }

    /// <inheritdoc />
    public Task<Incident?> GetIncidentAsync(string incidentId, CancellationToken cancellationToken) =>
        CallAsync(async () =>
            await GetAsync(IncidentPartition, incidentId, cancellationToken) is { } item ? ReadIncident(item) : null);

    /// <inheritdoc />
    public Task<IReadOnlyList<Incident>> ListIncidentsAsync(CancellationToken cancellationToken) =>
        CallAsync<IReadOnlyList<Incident>>(async () =>
            (await QueryAsync(IncidentPartition, null, newestFirst: false, cancellationToken))
                .OrderByDescending(item => Num(item, "number"))
                .Select(ReadIncident)
                .ToList());

    /// <inheritdoc />
    public Task<Incident> UpdateIncidentAsync(string incidentId, Func<Incident, Incident> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        return CallAsync(async () =>
        {
            // Optimistic: each write carries the version it read (an item written before versions counts as 0) and
            // fails if another writer came in between; then the change is applied again to a fresh read.
            for (var attempt = 0; attempt < MaxContentionRetries; attempt++)
            {
                var stored = await GetAsync(IncidentPartition, incidentId, cancellationToken) ?? throw NotFound("incident", incidentId);
                var current = ReadIncident(stored);
                var changed = LedgerRules.ChangedIncident(current, change);
                if (changed == current)
                    return current;
                var version = stored.ContainsKey("version") ? Num(stored, "version") : 0;
                try
                {
                    await _client.UpdateItemAsync(IncidentUpdate(changed, version), cancellationToken);
                    return changed;
                }
                catch (ConditionalCheckFailedException)
                {
                    // Changed or deleted since the read: read again.
                }
            }

            throw Contended($"updating incident {incidentId}");
        });
    }

    /// <summary>Writes the mutable fields (absent ones removed) and the next version, if the version is still <paramref name="version"/>.</summary>
    private UpdateItemRequest IncidentUpdate(Incident incident, long version)
    {
        var item = IncidentItem(incident);
        var names = new Dictionary<string, string>(StringComparer.Ordinal) { ["#version"] = "version" };
        var values = new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { [":next"] = N(version + 1) };
        var set = new List<string> { "#version = :next" };
        var remove = new List<string>();
        foreach (var attribute in new[] { "title", "severity", "owner", "postmortemDue", "trackerLink", "status", "service", "rootCause", "rootCauseFrom" })
        {
            names["#" + attribute] = attribute;
            if (item.TryGetValue(attribute, out var value))
            {
                values[":" + attribute] = value;
                set.Add($"#{attribute} = :{attribute}");
            }
            else
            {
                remove.Add("#" + attribute);
            }
        }
        string condition;
        if (version == 0)
        {
            condition = "attribute_exists(#pk) AND attribute_not_exists(#version)";
            names["#pk"] = PkName;
        }
        else
        {
            condition = "#version = :version";
            values[":version"] = N(version);
        }
        return new UpdateItemRequest
        {
            TableName = _table,
            Key = Key(IncidentPartition, incident.Id),
            UpdateExpression = "SET " + string.Join(", ", set) + (remove.Count > 0 ? " REMOVE " + string.Join(", ", remove) : string.Empty),
            ConditionExpression = condition,
            ExpressionAttributeNames = names,
            ExpressionAttributeValues = values,
        };
    }

    private async Task<long> NextIncidentNumberAsync(CancellationToken cancellationToken)
    {
        var counter = await _client.UpdateItemAsync(
            new UpdateItemRequest
            {
                TableName = _table,
                Key = Key("COUNTER", "INCIDENT"),
                UpdateExpression = "ADD #next :one",
                ExpressionAttributeNames = new() { ["#next"] = "next" },
                ExpressionAttributeValues = new() { [":one"] = N(1) },
                ReturnValues = ReturnValue.UPDATED_NEW,
            },
            cancellationToken);
        return Num(counter.Attributes, "next");
    }

    private static Dictionary<string, AttributeValue> IncidentItem(Incident incident)
    {
        var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [PkName] = S(IncidentPartition),
            [SkName] = S(incident.Id),
            ["id"] = S(incident.Id),
            ["title"] = S(incident.Title),
            ["severity"] = S(incident.Severity),
            ["postmortemDue"] = Time(incident.PostmortemDue),
            ["status"] = S(incident.Status.ToString()),
        };
        AddIfNotNull(item, "owner", incident.Owner);
        AddIfNotNull(item, "trackerLink", incident.TrackerLink);
        AddIfNotNull(item, "service", incident.Service);
        AddIfNotNull(item, "rootCause", incident.RootCause);
        AddIfNotNull(item, "rootCauseFrom", incident.RootCauseFrom);
        return item;
    }

    private static Incident ReadIncident(Dictionary<string, AttributeValue> item) => new(
        Str(item, "id"),
        Str(item, "title"),
        Str(item, "severity"),
        OptStr(item, "owner"),
        TimeOf(item, "openedAt"),
        TimeOf(item, "postmortemDue"),
        OptStr(item, "trackerLink"),
        Enum.Parse<IncidentStatus>(Str(item, "status")),
        OptStr(item, "service"),
        OptStr(item, "rootCause"),
        OptStr(item, "rootCauseFrom"));
}
