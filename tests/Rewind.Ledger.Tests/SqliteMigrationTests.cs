using Rewind.Core.Ledger;
using Rewind.Ledger.Sqlite;
using Rewind.Ledger.Tests.Infrastructure;

namespace Rewind.Ledger.Tests;

/// <summary>A ledger written by an older build is migrated forward on open and keeps everything it held.</summary>
public sealed class SqliteMigrationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_version_1_ledger_is_migrated_to_the_current_version_on_open_and_keeps_its_incidents_and_freezes()
    {
        var path = _directory.File("ledger.db");
        CreateVersion1Ledger(path);

        await using (var ledger = await SqliteLedger.OpenAsync(path, Ct))
        {
            var incident = await ledger.Incidents.GetIncidentAsync("INC-0001", Ct);
            var freeze = Assert.Single(await ledger.Freezes.ListFreezesAsync(Ct));

            Assert.Equal(
                new Incident(
                    "INC-0001", "5XX after v1.42", "SEV2", "alice", Samples.Start, Samples.Start.AddHours(48), null,
                    IncidentStatus.Open, "claude-proxy-api", RootCause: null, RootCauseFrom: null),
                incident);
            Assert.Equal("connection pool exhausted by v1.42", freeze.RootCause);
            Assert.Equal("INC-0001", freeze.IncidentId);
            await ledger.Incidents.UpdateIncidentAsync(
                incident!.Id, i => i with { RootCause = freeze.RootCause, RootCauseFrom = freeze.Id }, Ct);
            var next = await ledger.Incidents.OpenIncidentAsync(
                new IncidentDraft("Canary stuck", "SEV3", null, TimeSpan.FromHours(48)), Ct);
            Assert.Equal("INC-0002", next.Id);
        }

        Assert.Equal($"{SqliteSchema.CurrentVersion}", SqliteFiles.Scalar(path, "SELECT MAX(version) FROM schema_version;"));
        Assert.Equal(SqliteSchema.CurrentVersion, SqliteFiles.Count(path, "SELECT COUNT(*) FROM schema_version;"));
        await using var reopened = await SqliteLedger.OpenAsync(path, Ct);
        var migrated = await reopened.Incidents.GetIncidentAsync("INC-0001", Ct);
        Assert.Equal("connection pool exhausted by v1.42", migrated?.RootCause);
        Assert.Equal("frz-20261127-091500-ab12", migrated?.RootCauseFrom);
        Assert.Equal(SqliteSchema.CurrentVersion, SqliteFiles.Count(path, "SELECT COUNT(*) FROM schema_version;"));
    }

    [Fact]
    public async Task A_lease_held_when_an_older_build_wrote_the_ledger_counts_as_generation_0_and_its_run_keeps_writing_until_taken_over()
    {
        var path = _directory.File("ledger.db");
        var since = LedgerTime.ToText(Samples.Start);
        var until = LedgerTime.ToText(Samples.Start.AddYears(10));
        SqliteFiles.Execute(path, SqliteSchema.CreateVersionTable + SqliteSchema.Migrations[0] + SqliteSchema.Migrations[1] + $"""
            INSERT INTO schema_version (version, applied_at) VALUES (1, '{since}'), (2, '{since}');
            INSERT INTO leases (service, owner, host, acquired_at, expires_at) VALUES ('claude-proxy-api', 'alice', 'laptop-1', '{since}', '{until}');
            INSERT INTO runs (id, service, started_at, status, target_release_id, plan, incident_id, last_seq, last_hash)
                VALUES ('run-1', 'claude-proxy-api', '{since}', 'Running', NULL, 'none', NULL, 0, '{JournalChain.GenesisHash}');
            """);

        await using var ledger = await SqliteLedger.OpenAsync(path, Ct);
        var held = await ledger.Leases.GetLeaseAsync("claude-proxy-api", Ct);
        await ledger.Runs.AppendFencedJournalAsync("run-1", "ecs", JournalKind.Started, "{}", held!.Fence, Ct);
        var takeover = await ledger.Leases.TakeOverAsync("claude-proxy-api", "bob", "ci-7", TimeSpan.FromMinutes(2), Ct);

        Assert.Equal(0, held.Generation);
        Assert.Equal(1, takeover.Lease.Generation);
        await Assert.ThrowsAsync<LeaseLostException>(
            () => ledger.Runs.AppendFencedJournalAsync("run-1", "ecs", JournalKind.Completed, "{}", held.Fence, Ct));
        Assert.Single(await ledger.Runs.ReadJournalAsync("run-1", Ct));
    }

    /// <summary>What a build that knew only migration 1 left on disk: its tables, its version row, an incident and a lifted freeze.</summary>
    private static void CreateVersion1Ledger(string path)
    {
        var opened = LedgerTime.ToText(Samples.Start);
        var due = LedgerTime.ToText(Samples.Start.AddHours(48));
        var lifted = LedgerTime.ToText(Samples.Start.AddHours(2));
        SqliteFiles.Execute(path, SqliteSchema.CreateVersionTable + SqliteSchema.Migrations[0] + $"""
            INSERT INTO schema_version (version, applied_at) VALUES (1, '{opened}');
            INSERT INTO incidents (number, id, title, severity, owner, opened_at, postmortem_due, tracker_link, status, service)
                VALUES (1, 'INC-0001', '5XX after v1.42', 'SEV2', 'alice', '{opened}', '{due}', NULL, 'Open', 'claude-proxy-api');
            INSERT INTO freezes (id, scope, reason, incident_id, frozen_by, since, lifted_by, lifted_at, root_cause)
                VALUES ('frz-20261127-091500-ab12', 'claude-proxy-api', '5XX spike', 'INC-0001', 'alice', '{opened}', 'bob', '{lifted}', 'connection pool exhausted by v1.42');
            """);
        Assert.Equal("1", SqliteFiles.Scalar(path, "SELECT MAX(version) FROM schema_version;"));
    }
}
