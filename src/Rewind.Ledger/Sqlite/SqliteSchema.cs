namespace Rewind.Ledger.Sqlite;

/// <summary>The SQLite ledger's schema as forward-only migrations; version n is applied exactly once.</summary>
internal static class SqliteSchema
{
    /// <summary>The newest schema this build knows. A ledger with a higher version is refused, never downgraded.</summary>
    public const int CurrentVersion = 3;

    public const string CreateVersionTable =
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);";

    /// <summary>Migration n brings the schema from version n-1 to n. Append only: never edit a shipped migration.</summary>
    public static readonly IReadOnlyList<string> Migrations =
    [
        // 1: the initial ledger.
        """
        CREATE TABLE releases (
            id TEXT PRIMARY KEY,
            service TEXT NOT NULL,
            version TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            task_definitions TEXT NOT NULL,
            canary_main INTEGER,
            canary_canary INTEGER,
            secret_versions TEXT NOT NULL,
            terraform_revision TEXT,
            distribution_id TEXT,
            status TEXT NOT NULL
        );
        CREATE INDEX releases_by_service ON releases (service, recorded_at);
        CREATE INDEX releases_by_time ON releases (recorded_at);

        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            service TEXT NOT NULL,
            started_at TEXT NOT NULL,
            status TEXT NOT NULL,
            target_release_id TEXT,
            plan TEXT NOT NULL,
            incident_id TEXT,
            last_seq INTEGER NOT NULL,
            last_hash TEXT NOT NULL
        );
        CREATE INDEX runs_by_service ON runs (service, started_at);
        CREATE INDEX runs_by_time ON runs (started_at);

        CREATE TABLE journal (
            run_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            time TEXT NOT NULL,
            step TEXT NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (run_id, seq)
        ) WITHOUT ROWID;

        CREATE TABLE leases (
            service TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            host TEXT NOT NULL,
            acquired_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );

        CREATE TABLE freezes (
            id TEXT PRIMARY KEY,
            scope TEXT NOT NULL,
            reason TEXT NOT NULL,
            incident_id TEXT,
            frozen_by TEXT NOT NULL,
            since TEXT NOT NULL,
            lifted_by TEXT,
            lifted_at TEXT,
            root_cause TEXT
        );
        CREATE UNIQUE INDEX freezes_one_active_per_scope ON freezes (scope) WHERE lifted_at IS NULL;

        CREATE TABLE incidents (
            number INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            severity TEXT NOT NULL,
            owner TEXT,
            opened_at TEXT NOT NULL,
            postmortem_due TEXT NOT NULL,
            tracker_link TEXT,
            status TEXT NOT NULL,
            service TEXT
        );

        CREATE TABLE outbox (
            idempotency_key TEXT PRIMARY KEY,
            target TEXT NOT NULL,
            payload_hash TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            last_error TEXT,
            receipt TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """,

        // 2: an incident keeps the root cause its freeze was lifted with, and which freeze that was.
        """
        ALTER TABLE incidents ADD COLUMN root_cause TEXT;
        ALTER TABLE incidents ADD COLUMN root_cause_from TEXT;
        """,

        // 3: a lease carries its generation, the fencing token of journal writes; a lease stored before counts as 0.
        """
        ALTER TABLE leases ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
        """,
    ];
}
