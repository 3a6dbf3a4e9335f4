using Rewind.Core.Ledger;
using Rewind.Ledger.Sqlite;
using Rewind.Ledger.Tests.Infrastructure;

namespace Rewind.Ledger.Tests;

/// <summary>The ledger contract against a fresh SQLite file per test.</summary>
public sealed class SqliteLedgerContractTests : LedgerContract
{
    private readonly TempDirectory _directory = new();

    protected override async Task<ILedger> OpenStoreAsync(TimeProvider time) =>
        await SqliteLedger.OpenAsync(_directory.File("ledger.db"), time, Ct);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}
