using Rewind.Core.Ledger;
using Rewind.Ledger.Sqlite;
using Rewind.Ledger.Tests.Infrastructure;

namespace Rewind.Ledger.Tests;

/// <summary>A ledger file Rewind cannot use is refused with one clear message naming the fix, and left as it was.</summary>
public sealed class SqliteBadInputTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_new_ledger_is_created_in_wal_mode_at_the_current_schema_version()
    {
        var path = _directory.File("state/rewind/ledger.db");

        await (await SqliteLedger.OpenAsync(path, Ct)).DisposeAsync();

        Assert.Equal("wal", SqliteFiles.Scalar(path, "PRAGMA journal_mode;"));
        Assert.Equal(SqliteLedger.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), SqliteFiles.Scalar(path, "SELECT MAX(version) FROM schema_version;"));
        Assert.Equal(SqliteLedger.SchemaVersion, SqliteFiles.Count(path, "SELECT COUNT(*) FROM schema_version;"));
    }

    [Fact]
    public async Task Reopening_keeps_the_data_and_does_not_migrate_again()
    {
        var path = _directory.File("ledger.db");
        await using (var ledger = await SqliteLedger.OpenAsync(path, Ct))
        {
            await ledger.Runs.CreateRunAsync(Samples.Run("run-1", Samples.Start), Ct);
            await ledger.Runs.AppendJournalAsync("run-1", "ecs", JournalKind.Started, "{}", Ct);
        }

        await using var reopened = await SqliteLedger.OpenAsync(path, Ct);

        Assert.Single(await reopened.Runs.ReadJournalAsync("run-1", Ct));
        Assert.Equal(SqliteLedger.SchemaVersion, SqliteFiles.Count(path, "SELECT COUNT(*) FROM schema_version;"));
    }

    [Fact]
    public async Task A_file_of_garbage_is_reported_corrupt_and_left_untouched()
    {
        var path = _directory.File("ledger.db");
        var garbage = new byte[8192];
        new Random(20261127).NextBytes(garbage);
        await File.WriteAllBytesAsync(path, garbage, Ct);

        var e = await Assert.ThrowsAsync<LedgerException>(() => SqliteLedger.OpenAsync(path, Ct));

        Assert.Equal(LedgerFailureReason.Corrupt, e.Reason);
        Assert.StartsWith($"ledger {path} is corrupt or not a SQLite database", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("restore it from a backup or point ledger.path elsewhere", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(path, Ct));
        Assert.Equal(["ledger.db"], Directory.GetFiles(_directory.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Damaged_pages_are_reported_corrupt_and_the_file_is_left_untouched()
    {
        var path = _directory.File("ledger.db");
        await using (var ledger = await SqliteLedger.OpenAsync(path, Ct))
        {
            await ledger.Runs.CreateRunAsync(Samples.Run("run-1", Samples.Start), Ct);
            for (var i = 0; i < 50; i++)
            {
                await ledger.Runs.AppendJournalAsync("run-1", "ecs", JournalKind.CallSent, $$"""{"i":{{i}}}""", Ct);
            }
        }

        var bytes = await File.ReadAllBytesAsync(path, Ct);
        var pageSize = int.Parse(SqliteFiles.Scalar(path, "PRAGMA page_size;"), System.Globalization.CultureInfo.InvariantCulture);
        new Random(7).NextBytes(bytes.AsSpan(pageSize));
        await File.WriteAllBytesAsync(path, bytes, Ct);
        var before = SqliteFiles.Sha256(path);

        var e = await Assert.ThrowsAsync<LedgerException>(async () =>
        {
            await using var ledger = await SqliteLedger.OpenAsync(path, Ct);
            await ledger.Runs.ReadJournalAsync("run-1", Ct);
            await ledger.Runs.ListRunsAsync(null, 10, Ct);
        });

        Assert.Equal(LedgerFailureReason.Corrupt, e.Reason);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, SqliteFiles.Sha256(path));
    }

    [Fact]
    public async Task A_directory_in_place_of_the_file_is_reported_unreadable()
    {
        var path = _directory.File("ledger.db");
        Directory.CreateDirectory(path);

        var e = await Assert.ThrowsAsync<LedgerException>(() => SqliteLedger.OpenAsync(path, Ct));

        Assert.Equal(LedgerFailureReason.Unreadable, e.Reason);
        Assert.Equal($"ledger {path} is a directory, not a database file: point ledger.path at a file", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(path));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_file_without_read_permission_is_reported_unreadable_and_left_untouched()
    {
        var path = _directory.File("ledger.db");
        await (await SqliteLedger.OpenAsync(path, Ct)).DisposeAsync();
        var before = SqliteFiles.Sha256(path);
        File.SetUnixFileMode(path, UnixFileMode.None);
        try
        {
            if (CanStillRead(path))
            {
                Assert.Skip("this user (root) reads files whatever their mode, so chmod 000 cannot make the ledger unreadable here; the directory case covers the unreadable path");
            }

            var e = await Assert.ThrowsAsync<LedgerException>(() => SqliteLedger.OpenAsync(path, Ct));

            Assert.Equal(LedgerFailureReason.Unreadable, e.Reason);
            Assert.Contains("permissions", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Assert.Equal(before, SqliteFiles.Sha256(path));
    }

    [Fact]
    public async Task A_schema_newer_than_this_build_is_refused_with_the_fix_and_left_untouched()
    {
        var path = _directory.File("ledger.db");
        await (await SqliteLedger.OpenAsync(path, Ct)).DisposeAsync();
        SqliteFiles.Execute(path, "INSERT INTO schema_version (version, applied_at) VALUES (7, '2027-01-01T00:00:00.0000000Z');");
        var before = SqliteFiles.Sha256(path);

        var e = await Assert.ThrowsAsync<LedgerException>(() => SqliteLedger.OpenAsync(path, Ct));

        Assert.Equal(LedgerFailureReason.SchemaTooNew, e.Reason);
        Assert.Equal(
            $"ledger {path} has schema version 7, newer than this Rewind ({SqliteLedger.SchemaVersion}): upgrade Rewind or point ledger.path elsewhere",
            e.Message);
        Assert.Equal(before, SqliteFiles.Sha256(path));
    }

    [Fact]
    public async Task Another_applications_database_is_refused_and_left_untouched()
    {
        var path = _directory.File("app.db");
        SqliteFiles.Execute(path, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('acme');");
        var before = SqliteFiles.Sha256(path);

        var e = await Assert.ThrowsAsync<LedgerException>(() => SqliteLedger.OpenAsync(path, Ct));

        Assert.Equal(LedgerFailureReason.NotALedger, e.Reason);
        Assert.Contains("not a Rewind ledger", e.Message, StringComparison.Ordinal);
        Assert.Contains("customers", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, SqliteFiles.Sha256(path));
    }

    private static bool CanStillRead(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
