using Microsoft.Data.Sqlite;
using Rewind.Core.Ledger;

namespace Rewind.Ledger.Sqlite;

public sealed partial class SqliteLedger
{
    /// <inheritdoc />
    public Task<LeaseAttempt> TryAcquireAsync(
        string service, string owner, string host, TimeSpan ttl, CancellationToken cancellationToken)
    {
        LedgerRules.ValidateLease(service, owner, host, ttl);
        return WriteAsync(
            (connection, transaction) =>
            {
                var now = Now();
                var current = ReadLease(connection, transaction, service);
                if (current is not null && !current.IsExpiredAt(now))
                {
                    return new LeaseAttempt(false, current);
                }

                var lease = new Lease(service, owner, host, now, now + ttl, NextGeneration(current));
                WriteLease(connection, transaction, lease);
                return new LeaseAttempt(true, lease);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<Lease> RenewAsync(
        string service, string owner, string host, TimeSpan ttl, CancellationToken cancellationToken)
    {
        LedgerRules.ValidateLease(service, owner, host, ttl);
        return WriteAsync(
            (connection, transaction) =>
            {
                var current = ReadLease(connection, transaction, service) ?? throw LedgerRules.NoLease(service);
                if (!current.IsHeldBy(owner, host))
                {
                    throw LedgerRules.LeaseHeldByOther(current);
                }

                var renewed = current with { ExpiresAt = Now() + ttl };
                WriteLease(connection, transaction, renewed);
                return renewed;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> ReleaseAsync(string service, string owner, string host, CancellationToken cancellationToken) =>
        WriteAsync(
            (connection, transaction) => Execute(
                connection,
                transaction,
                "DELETE FROM leases WHERE service = $service AND owner = $owner AND host = $host;",
                ("$service", service),
                ("$owner", owner),
                ("$host", host)) == 1,
            cancellationToken);

    /// <inheritdoc />
    public Task<LeaseTakeover> TakeOverAsync(
        string service, string owner, string host, TimeSpan ttl, CancellationToken cancellationToken)
    {
        LedgerRules.ValidateLease(service, owner, host, ttl);
        return WriteAsync(
            (connection, transaction) =>
            {
                var previous = ReadLease(connection, transaction, service);
                var now = Now();
                var lease = new Lease(service, owner, host, now, now + ttl, NextGeneration(previous));
                WriteLease(connection, transaction, lease);
                return new LeaseTakeover(lease, previous);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<Lease?> GetLeaseAsync(string service, CancellationToken cancellationToken) =>
        UseAsync(connection => ReadLease(connection, null, service), cancellationToken);

    private static Lease? ReadLease(SqliteConnection connection, SqliteTransaction? transaction, string service) =>
        Query(
            connection,
            transaction,
            reader => new Lease(reader.GetString(0), reader.GetString(1), reader.GetString(2), Time(reader, 3), Time(reader, 4), reader.GetInt64(5)),
            "SELECT service, owner, host, acquired_at, expires_at, generation FROM leases WHERE service = $service;",
            ("$service", service)) is [var lease] ? lease : null;

    private static void WriteLease(SqliteConnection connection, SqliteTransaction transaction, Lease lease) =>
        Execute(
            connection,
            transaction,
            "INSERT OR REPLACE INTO leases (service, owner, host, acquired_at, expires_at, generation) VALUES ($service, $owner, $host, $acquired, $expires, $generation);",
            ("$service", lease.Service),
            ("$owner", lease.Owner),
            ("$host", lease.Host),
            ("$acquired", LedgerTime.ToText(lease.AcquiredAt)),
            ("$expires", LedgerTime.ToText(lease.ExpiresAt)),
            ("$generation", lease.Generation));

    private static long NextGeneration(Lease? replaced) => (replaced?.Generation ?? 0) + 1;
}
