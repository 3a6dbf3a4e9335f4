namespace Rewind.Core.Ledger;

/// <summary>Why a ledger operation failed, so the CLI can map it to a message and an exit code.</summary>
public enum LedgerFailureReason
{
    /// <summary>The SQLite file is not a database or is damaged.</summary>
    Corrupt,

    /// <summary>The SQLite file cannot be opened or read (permissions, a directory, a missing mount).</summary>
    Unreadable,

    /// <summary>The file is a SQLite database, but not a Rewind ledger.</summary>
    NotALedger,

    /// <summary>The ledger was written by a newer Rewind whose schema this build does not know.</summary>
    SchemaTooNew,

    /// <summary>The DynamoDB table does not exist.</summary>
    TableMissing,

    /// <summary>The DynamoDB table exists but its key schema is not pk (S, HASH) + sk (S, RANGE).</summary>
    WrongKeySchema,

    /// <summary>The store could not be reached or refused access.</summary>
    Unreachable,

    /// <summary>Another writer holds the record or changed it first (lease held, id taken, freeze active).</summary>
    Conflict,

    /// <summary>The named record does not exist.</summary>
    NotFound,
}

/// <summary>An expected ledger failure: carries the reason and a message that names the problem and the fix.</summary>
public sealed class LedgerException : Exception
{
    public LedgerException()
        : this(LedgerFailureReason.Unreachable, "the ledger failed")
    {
    }

    public LedgerException(string message)
        : this(LedgerFailureReason.Unreachable, message)
    {
    }

    public LedgerException(string message, Exception innerException)
        : this(LedgerFailureReason.Unreachable, message, innerException)
    {
    }

    public LedgerException(LedgerFailureReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>What went wrong, for mapping to an exit code.</summary>
    public LedgerFailureReason Reason { get; }
}
