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
public sealed class LedgerException : Exception, IRewindFailure
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
        Kind = reason switch
        {
            LedgerFailureReason.Unreachable => FailureKind.Unavailable,
            LedgerFailureReason.Conflict => FailureKind.Failed,
            _ => FailureKind.BadInput,
        };
    }

    /// <summary>What went wrong, for the engine's decisions (a conflict, a store that may come back).</summary>
    public LedgerFailureReason Reason { get; }

    /// <summary>
    /// Follows from <see cref="Reason"/> unless the store knows better: DynamoDB refusing the credentials is
    /// <see cref="LedgerFailureReason.Unreachable"/> to the engine but bad input to the user, as from any AWS client.
    /// </summary>
    public FailureKind Kind { get; init; }

    /// <summary>The DynamoDB error code, when DynamoDB answered with one.</summary>
    public string? AwsCode { get; init; }

    /// <summary>The message already names the problem and the fix.</summary>
    public string Hint => string.Empty;
}
