using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Rewind.Core.Ledger;
using Rewind.Ledger.DynamoDb;
using Rewind.Ledger.Tests.Infrastructure;

namespace Rewind.Ledger.Tests;

/// <summary>A DynamoDB table Rewind cannot use is refused with one clear message naming the fix, and left as it was.</summary>
public sealed class DynamoDbBadInputTests(DynamoEmulator emulator) : IDisposable
{
    private readonly AmazonDynamoDBClient _client = emulator.CreateClient();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task A_missing_table_is_reported_with_the_init_command_and_not_created()
    {
        emulator.SkipIfUnavailable();
        var table = emulator.UniqueTableName("missing");

        var onOpen = await Assert.ThrowsAsync<LedgerException>(() => DynamoDbLedger.OpenAsync(_client, table, null, Ct));
        var onUse = await Assert.ThrowsAsync<LedgerException>(
            () => new DynamoDbLedger(_client, table).Releases.ListReleasesAsync(null, 10, Ct));

        Assert.Equal(LedgerFailureReason.TableMissing, onOpen.Reason);
        Assert.EndsWith($"create it with `rewind ledger init --backend dynamodb --table {table}`", onOpen.Message, StringComparison.Ordinal);
        Assert.StartsWith($"DynamoDB table {table} does not exist", onOpen.Message, StringComparison.Ordinal);
        Assert.Equal(LedgerFailureReason.TableMissing, onUse.Reason);
        Assert.DoesNotContain(table, (await _client.ListTablesAsync(new ListTablesRequest(), Ct)).TableNames ?? []);
    }

    [Fact]
    public async Task A_table_with_another_key_schema_is_refused_with_the_fix_and_its_items_are_untouched()
    {
        emulator.SkipIfUnavailable();
        var table = emulator.UniqueTableName("wrongkeys");
        await _client.CreateTableAsync(
            new CreateTableRequest
            {
                TableName = table,
                BillingMode = BillingMode.PAY_PER_REQUEST,
                AttributeDefinitions = [new AttributeDefinition("id", ScalarAttributeType.S)],
                KeySchema = [new KeySchemaElement("id", KeyType.HASH)],
            },
            Ct);
        await _client.PutItemAsync(table, new() { ["id"] = new AttributeValue { S = "customer-1" } }, Ct);

        var onOpen = await Assert.ThrowsAsync<LedgerException>(() => DynamoDbLedger.OpenAsync(_client, table, null, Ct));
        var onInit = await Assert.ThrowsAsync<LedgerException>(() => DynamoDbTable.CreateTableAsync(_client, table, Ct));

        Assert.Equal(LedgerFailureReason.WrongKeySchema, onOpen.Reason);
        Assert.Equal(
            $"DynamoDB table {table} has key schema id (S, HASH), but the Rewind ledger needs pk (S, HASH) + sk (S, RANGE): create a new table with `rewind ledger init --backend dynamodb --table NEW_TABLE` and set ledger.table to it",
            onOpen.Message);
        Assert.Equal(LedgerFailureReason.WrongKeySchema, onInit.Reason);
        var items = (await _client.ScanAsync(new ScanRequest { TableName = table }, Ct)).Items;
        Assert.Equal("customer-1", Assert.Single(items)["id"].S);
        var keys = (await _client.DescribeTableAsync(table, Ct)).Table.KeySchema;
        Assert.Equal("id", Assert.Single(keys).AttributeName);
    }

    [Fact]
    public async Task Pk_and_sk_of_the_wrong_type_are_a_wrong_key_schema()
    {
        emulator.SkipIfUnavailable();
        var table = emulator.UniqueTableName("numberkeys");
        await _client.CreateTableAsync(
            new CreateTableRequest
            {
                TableName = table,
                BillingMode = BillingMode.PAY_PER_REQUEST,
                AttributeDefinitions =
                [
                    new AttributeDefinition("pk", ScalarAttributeType.S),
                    new AttributeDefinition("sk", ScalarAttributeType.N),
                ],
                KeySchema = [new KeySchemaElement("pk", KeyType.HASH), new KeySchemaElement("sk", KeyType.RANGE)],
            },
            Ct);

        var e = await Assert.ThrowsAsync<LedgerException>(() => DynamoDbLedger.OpenAsync(_client, table, null, Ct));

        Assert.Equal(LedgerFailureReason.WrongKeySchema, e.Reason);
        Assert.Contains("pk (S, HASH) + sk (N, RANGE)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_creates_an_on_demand_pk_sk_table_once_and_then_keeps_it()
    {
        emulator.SkipIfUnavailable();
        var table = emulator.UniqueTableName("init");

        var first = await DynamoDbTable.CreateTableAsync(_client, table, Ct);
        await new DynamoDbLedger(_client, table).Runs.CreateRunAsync(Samples.Run("run-1", Samples.Start), Ct);
        var second = await DynamoDbTable.CreateTableAsync(_client, table, Ct);

        Assert.Equal(TableCreation.Created, first);
        Assert.Equal(TableCreation.AlreadyExisted, second);
        var description = (await _client.DescribeTableAsync(table, Ct)).Table;
        Assert.Equal(BillingMode.PAY_PER_REQUEST, description.BillingModeSummary?.BillingMode);
        Assert.NotNull(await new DynamoDbLedger(_client, table).Runs.GetRunAsync("run-1", Ct));
    }

    [Fact]
    public async Task An_endpoint_nobody_listens_on_is_reported_unreachable()
    {
        using var client = new AmazonDynamoDBClient(
            new BasicAWSCredentials(DynamoEmulator.AccessKey, DynamoEmulator.SecretKey),
            new AmazonDynamoDBConfig
            {
                ServiceURL = "http://127.0.0.1:9",
                AuthenticationRegion = "us-east-1",
                MaxErrorRetry = 0,
                Timeout = TimeSpan.FromSeconds(5),
            });

        var e = await Assert.ThrowsAsync<LedgerException>(() => DynamoDbLedger.OpenAsync(client, "rewind-ledger", null, Ct));

        Assert.Equal(LedgerFailureReason.Unreachable, e.Reason);
        Assert.StartsWith("cannot reach DynamoDB at http://127.0.0.1:9", e.Message, StringComparison.Ordinal);
    }
}
