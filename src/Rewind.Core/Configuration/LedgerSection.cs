namespace Rewind.Core.Configuration;

/// <summary>Where the ledger is stored.</summary>
public enum LedgerBackend
{
    /// <summary>An embedded SQLite file (one machine).</summary>
    Sqlite,

    /// <summary>A DynamoDB table (a team sharing locks and history).</summary>
    DynamoDb,
}

/// <summary>The ledger (<c>ledger:</c>).</summary>
/// <param name="Backend">SQLite or DynamoDB.</param>
/// <param name="Path">SQLite file (<c>~</c> expanded, a relative path resolved against the configuration file's folder); null means the default location, <c>$XDG_STATE_HOME/rewind/ledger.db</c> else <c>~/.local/state/rewind/ledger.db</c>.</param>
/// <param name="Table">DynamoDB table; required with <see cref="LedgerBackend.DynamoDb"/>.</param>
public sealed record LedgerSection(LedgerBackend Backend, string? Path, string? Table)
{
    /// <summary>SQLite at its default location.</summary>
    public static LedgerSection Default { get; } = new(LedgerBackend.Sqlite, null, null);
}
