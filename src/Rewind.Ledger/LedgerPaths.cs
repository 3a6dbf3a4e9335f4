namespace Rewind.Ledger;

/// <summary>Where the SQLite ledger lives by default.</summary>
public static class LedgerPaths
{
    /// <summary>The file name of the SQLite ledger inside the state directory.</summary>
    public const string FileName = "ledger.db";

    /// <summary><c>$XDG_STATE_HOME/rewind/ledger.db</c>, else <c>~/.local/state/rewind/ledger.db</c>.</summary>
    public static string DefaultSqlitePath() =>
        DefaultSqlitePath(
            Environment.GetEnvironmentVariable,
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>The default path for a given environment and home directory (for tests and the composition root).</summary>
    public static string DefaultSqlitePath(Func<string, string?> environment, string homeDirectory)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var stateHome = environment("XDG_STATE_HOME");

        // The XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored.
        if (string.IsNullOrEmpty(stateHome) || !Path.IsPathRooted(stateHome))
        {
            if (string.IsNullOrEmpty(homeDirectory))
            {
                throw new InvalidOperationException(
                    "cannot find the ledger's default location: neither XDG_STATE_HOME nor HOME is set; set ledger.path in rewind.yaml");
            }

            stateHome = Path.Combine(homeDirectory, ".local", "state");
        }

        return Path.Combine(stateHome, "rewind", FileName);
    }
}
