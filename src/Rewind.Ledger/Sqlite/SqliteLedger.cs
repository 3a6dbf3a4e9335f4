using System.Data;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Rewind.Core.Files;
using Rewind.Core.Ledger;

namespace Rewind.Ledger.Sqlite;

/// <summary>The embedded ledger: one SQLite file in WAL mode, safe for several processes at once.</summary>
/// <remarks>
/// Every write is one <c>BEGIN IMMEDIATE</c> transaction (the write lock is taken up front, so a writer never fails
/// half-way on a stale snapshot); other processes wait up to <see cref="BusyTimeout"/>. What a commit survives is
/// chosen by <see cref="SqliteDurability"/>. One connection per instance; calls on one instance are serialised.
/// </remarks>
public sealed partial class SqliteLedger :
    ILedger, IReleaseStore, IRunStore, ILeaseStore, IFreezeStore, IIncidentStore, IOutboxStore
{
    /// <summary>How long a writer waits for another process's write lock before giving up.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The newest schema version this build knows.</summary>
    public const int SchemaVersion = SqliteSchema.CurrentVersion;

    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _disposed;
    private int _disposing;

    private SqliteLedger(SqliteConnection connection, string path, TimeProvider time)
    {
        _connection = connection;
        _time = time;
        Location = path;
    }

    /// <inheritdoc />
    public string Location { get; }

    /// <inheritdoc />
    public IReleaseStore Releases => this;

    /// <inheritdoc />
    public IRunStore Runs => this;

    /// <inheritdoc />
    public ILeaseStore Leases => this;

    /// <inheritdoc />
    public IFreezeStore Freezes => this;

    /// <inheritdoc />
    public IIncidentStore Incidents => this;

    /// <inheritdoc />
    public IOutboxStore Outbox => this;

    /// <summary>Opens (creating if absent) the ledger at <paramref name="path"/> with the system clock.</summary>
    public static Task<SqliteLedger> OpenAsync(string path, CancellationToken cancellationToken) =>
        OpenAsync(path, SqliteDurability.SurvivesProcessCrash, TimeProvider.System, cancellationToken);

    /// <summary>Opens (creating if absent) the ledger at <paramref name="path"/> with the given clock.</summary>
    public static Task<SqliteLedger> OpenAsync(string path, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        OpenAsync(path, SqliteDurability.SurvivesProcessCrash, timeProvider, cancellationToken);

    /// <summary>
    /// Opens (creating if absent) the ledger at <paramref name="path"/> and applies pending migrations. A corrupt,
    /// unreadable, foreign or newer-schema file raises <see cref="LedgerException"/> and is left byte for byte as it was.
    /// </summary>
    public static Task<SqliteLedger> OpenAsync(
        string path, SqliteDurability durability, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(timeProvider);
        cancellationToken.ThrowIfCancellationRequested();
        var fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new LedgerException(
                LedgerFailureReason.Unreadable,
                $"ledger {fullPath} is a directory, not a database file: point ledger.path at a file");
        }

        if (!File.Exists(fullPath))
        {
            var directory = Path.GetDirectoryName(fullPath);
            if (!string.IsNullOrEmpty(directory))
            {
                try
                {
                    PrivateFiles.CreateFolder(directory);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new LedgerException(
                        LedgerFailureReason.Unreadable,
                        $"cannot create the ledger's directory {directory} ({e.Message}): create it or point ledger.path elsewhere",
                        e);
                }
            }
        }

        if (!File.Exists(fullPath))
        {
            // SQLite creates a database with the umask's mode (0644) and gives its -wal and -shm files the database's
            // mode: an empty 0600 file made first is opened as a new database, and its companions are 0600 as well.
            try
            {
                PrivateFiles.EnsureFile(fullPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new LedgerException(
                    LedgerFailureReason.Unreadable,
                    $"cannot create the ledger {fullPath} ({e.Message}): check the folder's permissions or point ledger.path elsewhere",
                    e);
            }
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds * 2,
        }.ToString();
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            Prepare(connection, fullPath, durability, timeProvider);
            return Task.FromResult(new SqliteLedger(connection, fullPath, timeProvider));
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw SqliteErrors.Translate(e, fullPath);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An empty ledger that lives only in this process: what a read-only command reads when no ledger file exists yet,
    /// so that reading never creates one. <paramref name="location"/> is the path that does not exist, for messages.
    /// </summary>
    public static Task<SqliteLedger> OpenEmptyInMemoryAsync(string location, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        ArgumentNullException.ThrowIfNull(timeProvider);
        cancellationToken.ThrowIfCancellationRequested();
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = ":memory:",
            Mode = SqliteOpenMode.Memory,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            Migrate(connection, location, timeProvider);
            return Task.FromResult(new SqliteLedger(connection, location, timeProvider));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) == 1)
        {
            return;
        }

        // Wait for a call in flight to finish; later calls find the ledger disposed.
        await _gate.WaitAsync();
        try
        {
            _disposed = true;
            await _connection.DisposeAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    private static void Prepare(SqliteConnection connection, string path, SqliteDurability durability, TimeProvider time)
    {
        Execute(connection, null, FormattableString.Invariant($"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds};"));

        // Read before writing anything: a foreign or newer ledger must be refused untouched.
        var tables = new List<string>();
        using (var command = Command(connection, null, "SELECT name FROM sqlite_master WHERE type = 'table';"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var hasVersionTable = tables.Contains("schema_version", StringComparer.Ordinal);
        if (!hasVersionTable && tables.Count > 0)
        {
            throw new LedgerException(
                LedgerFailureReason.NotALedger,
                $"ledger {path} is a SQLite database but not a Rewind ledger (it has tables {string.Join(", ", tables.Take(5))} and no schema_version): point ledger.path elsewhere");
        }

        var version = hasVersionTable ? ReadSchemaVersion(connection, null) : 0;
        ThrowIfTooNew(version, path);

        var journalMode = Scalar(connection, null, "PRAGMA journal_mode;") as string;
        if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            Execute(connection, null, "PRAGMA journal_mode = WAL;");
        }

        Execute(
            connection,
            null,
            durability == SqliteDurability.SurvivesPowerLoss ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;");
        if (version < SqliteSchema.CurrentVersion)
        {
            Migrate(connection, path, time);
        }
    }

    private static void Migrate(SqliteConnection connection, string path, TimeProvider time)
    {
        using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
        Execute(connection, transaction, SqliteSchema.CreateVersionTable);

        // Re-read under the write lock: another process may have migrated meanwhile.
        var version = ReadSchemaVersion(connection, transaction);
        ThrowIfTooNew(version, path);
        for (var next = version + 1; next <= SqliteSchema.CurrentVersion; next++)
        {
            Execute(connection, transaction, SqliteSchema.Migrations[next - 1]);
            Execute(
                connection,
                transaction,
                "INSERT INTO schema_version (version, applied_at) VALUES ($version, $at);",
                ("$version", next),
                ("$at", LedgerTime.ToText(time.GetUtcNow())));
        }

        transaction.Commit();
    }

    private static int ReadSchemaVersion(SqliteConnection connection, SqliteTransaction? transaction) =>
        Convert.ToInt32(
            Scalar(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version;"),
            CultureInfo.InvariantCulture);

    private static void ThrowIfTooNew(int version, string path)
    {
        if (version > SqliteSchema.CurrentVersion)
        {
            throw new LedgerException(
                LedgerFailureReason.SchemaTooNew,
                $"ledger {path} has schema version {version}, newer than this Rewind ({SqliteSchema.CurrentVersion}): upgrade Rewind or point ledger.path elsewhere");
        }
    }

    /// <summary>Runs <paramref name="work"/> alone on the connection, translating SQLite errors.</summary>
    private async Task<T> UseAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            cancellationToken.ThrowIfCancellationRequested();
            return work(_connection);
        }
        catch (SqliteException e)
        {
            throw SqliteErrors.Translate(e, Location);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> in one <c>BEGIN IMMEDIATE</c> transaction, committed if it returns.</summary>
    private Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken) =>
        UseAsync(
            connection =>
            {
                using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
                var result = work(connection, transaction);
                transaction.Commit();
                return result;
            },
            cancellationToken);

    private DateTimeOffset Now() => LedgerTime.Normalize(_time.GetUtcNow());

    private static SqliteCommand Command(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
#pragma warning disable CA2100 // SQL text is constant; values go through parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static int Execute(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private static object? Scalar(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    private static List<T> Query<T>(
        SqliteConnection connection,
        SqliteTransaction? transaction,
        Func<SqliteDataReader, T> map,
        string sql,
        params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private static string? NullableString(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset Time(SqliteDataReader reader, int ordinal) => LedgerTime.Parse(reader.GetString(ordinal));

    private static DateTimeOffset? NullableTime(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : LedgerTime.Parse(reader.GetString(ordinal));

    private static long Limit(int limit) => limit <= 0 ? 0 : limit;
}
