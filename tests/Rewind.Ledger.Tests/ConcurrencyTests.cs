using Amazon.DynamoDBv2;
using Rewind.Core.Ledger;
using Rewind.Ledger.DynamoDb;
using Rewind.Ledger.Sqlite;
using Rewind.Ledger.Tests.Infrastructure;

namespace Rewind.Ledger.Tests;

/// <summary>The concurrency contract on one SQLite file, each writer a separate process.</summary>
public sealed class SqliteConcurrencyTests : ConcurrencyContract
{
    protected override IWorker StartWorker(string[] arguments) => WorkloadProcess.Start(arguments);

    private readonly TempDirectory _directory = new();

    private string Path => _directory.File("ledger.db");

    protected override async Task<ILedger> OpenAsync() => await SqliteLedger.OpenAsync(Path, Ct);

    protected override IEnumerable<string> StoreArguments() => ["--backend", "sqlite", "--path", Path];

    public override async ValueTask InitializeAsync() => await (await OpenAsync()).DisposeAsync();

    public override ValueTask DisposeAsync()
    {
        _directory.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The concurrency contract on one DynamoDB table (moto). Each writer is a task with its own ledger and its own
/// client (its own HTTP connections): twenty processes each loading and JIT-compiling the AWS SDK took minutes on
/// two shared cores, and DynamoDB cannot tell a process from a client.
/// </summary>
public sealed class DynamoDbConcurrencyTests(DynamoEmulator emulator) : ConcurrencyContract
{
    protected override IWorker StartWorker(string[] arguments) => InProcessWorker.Start(arguments);

    private readonly AmazonDynamoDBClient _client = emulator.CreateClient();
    private string _table = string.Empty;

    protected override async Task<ILedger> OpenAsync() => await DynamoDbLedger.OpenAsync(_client, _table, null, Ct);

    protected override IEnumerable<string> StoreArguments() =>
        ["--backend", "dynamodb", "--endpoint", emulator.Endpoint.ToString(), "--table", _table];

    public override async ValueTask InitializeAsync() =>
        _table = await emulator.CreateLedgerTableAsync("concurrency", Ct);

    public override ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
