using Microsoft.Data.Sqlite;
using Rewind.Core.Ledger;

namespace Rewind.Ledger.Sqlite;

public sealed partial class SqliteLedger
{
    private const string FreezeColumns =
        "id, scope, reason, incident_id, frozen_by, since, lifted_by, lifted_at, root_cause";

    /// <inheritdoc />
    public Task<Freeze> FreezeAsync(
        string scope, string reason, string? incidentId, string frozenBy, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(frozenBy);
        return WriteAsync(
            (connection, transaction) =>
            {
                var active = Query(
                    connection, transaction, ReadFreeze,
                    $"SELECT {FreezeColumns} FROM freezes WHERE scope = $scope AND lifted_at IS NULL;",
                    ("$scope", scope));
                if (active is [var existing])
                {
                    throw LedgerRules.AlreadyFrozen(existing);
                }

                var now = Now();
                var freeze = new Freeze(LedgerIds.New("frz", now), scope, reason, incidentId, frozenBy, now);
                Execute(
                    connection,
                    transaction,
                    "INSERT INTO freezes (id, scope, reason, incident_id, frozen_by, since) VALUES ($id, $scope, $reason, $incident, $by, $since);",
                    ("$id", freeze.Id),
                    ("$scope", scope),
                    ("$reason", reason),
                    ("$incident", incidentId),
                    ("$by", frozenBy),
                    ("$since", LedgerTime.ToText(now)));
                return freeze;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<Freeze> LiftAsync(string scope, string liftedBy, string rootCause, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        ArgumentException.ThrowIfNullOrWhiteSpace(liftedBy);
        ArgumentException.ThrowIfNullOrWhiteSpace(rootCause);
        return WriteAsync(
            (connection, transaction) =>
            {
                var active = Query(
                    connection, transaction, ReadFreeze,
                    $"SELECT {FreezeColumns} FROM freezes WHERE scope = $scope AND lifted_at IS NULL;",
                    ("$scope", scope));
                if (active is not [var freeze])
                {
                    throw LedgerRules.NotFrozen(scope);
                }

                var lifted = freeze with { LiftedBy = liftedBy, LiftedAt = Now(), RootCause = rootCause };
                Execute(
                    connection,
                    transaction,
                    "UPDATE freezes SET lifted_by = $by, lifted_at = $at, root_cause = $cause WHERE id = $id;",
                    ("$by", liftedBy),
                    ("$at", LedgerTime.ToText(lifted.LiftedAt!.Value)),
                    ("$cause", rootCause),
                    ("$id", freeze.Id));
                return lifted;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Freeze>> GetActiveFreezesAsync(string? service, CancellationToken cancellationToken) =>
        UseAsync<IReadOnlyList<Freeze>>(
            connection => service is null
                ? Query(
                    connection, null, ReadFreeze,
                    $"SELECT {FreezeColumns} FROM freezes WHERE lifted_at IS NULL ORDER BY since DESC, id DESC;")
                : Query(
                    connection, null, ReadFreeze,
                    $"SELECT {FreezeColumns} FROM freezes WHERE lifted_at IS NULL AND scope IN ($service, $all) ORDER BY since DESC, id DESC;",
                    ("$service", service),
                    ("$all", Freeze.AllServices)),
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Freeze>> ListFreezesAsync(CancellationToken cancellationToken) =>
        UseAsync<IReadOnlyList<Freeze>>(
            connection => Query(
                connection, null, ReadFreeze, $"SELECT {FreezeColumns} FROM freezes ORDER BY since DESC, id DESC;"),
            cancellationToken);


    private static Freeze ReadFreeze(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        NullableString(reader, 3),
        reader.GetString(4),
        Time(reader, 5),
        NullableString(reader, 6),
        NullableTime(reader, 7),
        NullableString(reader, 8));
}
