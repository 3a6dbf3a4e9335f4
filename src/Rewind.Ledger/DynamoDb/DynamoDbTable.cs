using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Rewind.Core.Ledger;

namespace Rewind.Ledger.DynamoDb;

/// <summary>What <see cref="DynamoDbTable.CreateTableAsync(IAmazonDynamoDB, string, CancellationToken)"/> did.</summary>
public enum TableCreation
{
    /// <summary>The table was created and is active.</summary>
    Created,

    /// <summary>A table with the right key schema already existed; nothing changed.</summary>
    AlreadyExisted,
}

/// <summary>Creates and checks the ledger's DynamoDB table: on-demand, key schema <c>pk</c> (S, HASH) + <c>sk</c> (S, RANGE).</summary>
public static class DynamoDbTable
{
    /// <summary>How long <c>CreateTableAsync</c> waits for a new table to become ACTIVE.</summary>
    public static readonly TimeSpan ActivationDeadline = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan ActivationPoll = TimeSpan.FromSeconds(1);

    /// <summary>Creates the table (PAY_PER_REQUEST) and waits until it is ACTIVE; an existing right table is kept.</summary>
    public static Task<TableCreation> CreateTableAsync(
        IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken) =>
        CreateTableAsync(client, tableName, TimeProvider.System, cancellationToken);

    /// <summary>Creates the table and waits until it is ACTIVE, polling on <paramref name="timeProvider"/>.</summary>
    public static async Task<TableCreation> CreateTableAsync(
        IAmazonDynamoDB client, string tableName, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        ArgumentNullException.ThrowIfNull(timeProvider);
        try
        {
            await client.CreateTableAsync(
                new CreateTableRequest
                {
                    TableName = tableName,
                    BillingMode = BillingMode.PAY_PER_REQUEST,
                    AttributeDefinitions =
                    [
                        new AttributeDefinition(DynamoItem.PkName, ScalarAttributeType.S),
                        new AttributeDefinition(DynamoItem.SkName, ScalarAttributeType.S),
                    ],
                    KeySchema =
                    [
                        new KeySchemaElement(DynamoItem.PkName, KeyType.HASH),
                        new KeySchemaElement(DynamoItem.SkName, KeyType.RANGE),
                    ],
                },
                cancellationToken);
        }
        catch (ResourceInUseException)
        {
            await ValidateAsync(client, tableName, cancellationToken);
            return TableCreation.AlreadyExisted;
        }
        catch (Exception e) when (DynamoErrors.IsStoreFailure(e))
        {
            throw DynamoErrors.Translate(e, tableName, client);
        }

        var deadline = timeProvider.GetUtcNow() + ActivationDeadline;
        while (true)
        {
            var status = await DescribeAsync(client, tableName, cancellationToken);
            if (status.TableStatus == TableStatus.ACTIVE)
            {
                return TableCreation.Created;
            }

            if (timeProvider.GetUtcNow() >= deadline)
            {
                throw new LedgerException(
                    LedgerFailureReason.Unreachable,
                    $"DynamoDB table {tableName} is still {status.TableStatus} after {ActivationDeadline.TotalMinutes:0} minutes: check it in the console, then run `rewind ledger init` again");
            }

            await Task.Delay(ActivationPoll, timeProvider, cancellationToken);
        }
    }

    /// <summary>
    /// Checks the table exists with key schema pk (S, HASH) + sk (S, RANGE): <see cref="LedgerFailureReason.TableMissing"/>
    /// or <see cref="LedgerFailureReason.WrongKeySchema"/> otherwise, each with the fix.
    /// </summary>
    public static async Task ValidateAsync(IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var table = await DescribeAsync(client, tableName, cancellationToken);
        var keys = table.KeySchema ?? [];
        var types = (table.AttributeDefinitions ?? [])
            .ToDictionary(definition => definition.AttributeName, definition => definition.AttributeType?.Value, StringComparer.Ordinal);
        var right = keys.Count == 2
            && keys.Any(key => key.AttributeName == DynamoItem.PkName && key.KeyType == KeyType.HASH)
            && keys.Any(key => key.AttributeName == DynamoItem.SkName && key.KeyType == KeyType.RANGE)
            && types.GetValueOrDefault(DynamoItem.PkName) == ScalarAttributeType.S.Value
            && types.GetValueOrDefault(DynamoItem.SkName) == ScalarAttributeType.S.Value;
        if (!right)
        {
            var actual = string.Join(
                " + ",
                keys.Select(key => $"{key.AttributeName} ({types.GetValueOrDefault(key.AttributeName)}, {key.KeyType?.Value})"));
            throw new LedgerException(
                LedgerFailureReason.WrongKeySchema,
                $"DynamoDB table {tableName} has key schema {actual}, but the Rewind ledger needs pk (S, HASH) + sk (S, RANGE): create a new table with `rewind ledger init --backend dynamodb --table NEW_TABLE` and set ledger.table to it");
        }
    }

    private static async Task<TableDescription> DescribeAsync(
        IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.DescribeTableAsync(new DescribeTableRequest { TableName = tableName }, cancellationToken);
            return response.Table;
        }
        catch (Exception e) when (DynamoErrors.IsStoreFailure(e))
        {
            throw DynamoErrors.Translate(e, tableName, client);
        }
    }
}
