using Amazon.DynamoDBv2;
using Rewind.Core.Ledger;
using Rewind.Ledger.DynamoDb;
using Rewind.Ledger.Tests.Infrastructure;

namespace Rewind.Ledger.Tests;

/// <summary>The ledger contract against a fresh table per test on moto_server.</summary>
public sealed class DynamoDbLedgerContractTests(DynamoEmulator emulator) : LedgerContract
{
    private readonly List<AmazonDynamoDBClient> _clients = [];
    private string? _table;

    protected override async Task<ILedger> OpenStoreAsync(TimeProvider time)
    {
        _table ??= await emulator.CreateLedgerTableAsync("contract", Ct);

        // A client per ledger, as separate processes would have.
        var client = emulator.CreateClient();
        _clients.Add(client);
        return await DynamoDbLedger.OpenAsync(client, _table, time, Ct);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
