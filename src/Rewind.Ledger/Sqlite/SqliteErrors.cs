using Microsoft.Data.Sqlite;
using Rewind.Core.Ledger;

namespace Rewind.Ledger.Sqlite;

/// <summary>Maps SQLite result codes to one clear <see cref="LedgerException"/> each.</summary>
internal static class SqliteErrors
{
    // Primary result codes, https://www.sqlite.org/rescode.html
    private const int Perm = 3;
    private const int Busy = 5;
    private const int Locked = 6;
    private const int ReadOnly = 8;
    private const int IoErr = 10;
    private const int Corrupt = 11;
    private const int Full = 13;
    private const int CantOpen = 14;
    private const int NotADb = 26;

    public static LedgerException Translate(SqliteException e, string path) => e.SqliteErrorCode switch
    {
        NotADb or Corrupt => new LedgerException(
            LedgerFailureReason.Corrupt,
            $"ledger {path} is corrupt or not a SQLite database ({e.Message.TrimEnd('.')}); it was left untouched: restore it from a backup or point ledger.path elsewhere",
            e),
        CantOpen or Perm or IoErr => new LedgerException(
            LedgerFailureReason.Unreadable,
            $"ledger {path} cannot be opened or read ({e.Message.TrimEnd('.')}): check the file and its directory permissions, or point ledger.path elsewhere",
            e),
        ReadOnly => new LedgerException(
            LedgerFailureReason.Unreadable,
            $"ledger {path} is read-only ({e.Message.TrimEnd('.')}): make it and its directory writable, or point ledger.path elsewhere",
            e),
        Busy or Locked => new LedgerException(
            LedgerFailureReason.Unreachable,
            $"ledger {path} stayed locked by another process for over {SqliteLedger.BusyTimeout.TotalSeconds:0} s: retry, or find the stuck process",
            e),
        Full => new LedgerException(
            LedgerFailureReason.Unreachable,
            $"ledger {path} cannot grow: the disk is full; free space and retry",
            e),
        _ => new LedgerException(
            LedgerFailureReason.Unreachable,
            $"ledger {path} failed: {e.Message}",
            e),
    };
}
