using Rewind.Ledger.Sqlite;

namespace Rewind.IntegrationTests.Cli;

/// <summary>
/// Creates the SQLite ledger a test's rewind.yaml names, as 'rewind ledger init' would: only 'record' and 'ledger init'
/// create one at a configured path, every other command refuses a missing one.
/// </summary>
internal static class ExistingLedger
{
    public static string At(string path)
    {
        if (!File.Exists(path))
        {
            var ledger = SqliteLedger.OpenAsync(path, CancellationToken.None).GetAwaiter().GetResult();
            ledger.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return path;
    }
}
