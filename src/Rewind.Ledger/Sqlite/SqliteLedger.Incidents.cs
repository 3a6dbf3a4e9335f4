using System.Globalization;
using Microsoft.Data.Sqlite;
using Rewind.Core.Ledger;

namespace Rewind.Ledger.Sqlite;

public sealed partial class SqliteLedger
{
    private const string IncidentColumns =
        "id, title, severity, owner, opened_at, postmortem_due, tracker_link, status, service, root_cause, root_cause_from";

    /// <inheritdoc />
    public Task<Incident> OpenIncidentAsync(IncidentDraft draft, CancellationToken cancellationToken)
    {
        LedgerRules.ValidateDraft(draft);
        return WriteAsync(
            (connection, transaction) =>
            {
                // MAX + 1 under BEGIN IMMEDIATE: no two writers can allocate the same number.
                var number = Convert.ToInt64(
                    Scalar(connection, transaction, "SELECT COALESCE(MAX(number), 0) + 1 FROM incidents;"),
                    CultureInfo.InvariantCulture);
                var now = Now();
                var incident = draft.Open(number, now);
                Execute(
                    connection,
                    transaction,
                    $"INSERT INTO incidents (number, {IncidentColumns}) VALUES ($number, $id, $title, $severity, $owner, $opened, $due, $link, $status, $service, $rootCause, $rootCauseFrom);",
                    [("$number", number), .. IncidentParameters(incident)]);
                return incident;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<Incident?> GetIncidentAsync(string incidentId, CancellationToken cancellationToken) =>
        UseAsync(
            connection => Query(
                connection, null, ReadIncident, $"SELECT {IncidentColumns} FROM incidents WHERE id = $id;", ("$id", incidentId))
                .SingleOrDefault(),
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Incident>> ListIncidentsAsync(CancellationToken cancellationToken) =>
        UseAsync<IReadOnlyList<Incident>>(
            connection => Query(
                connection, null, ReadIncident, $"SELECT {IncidentColumns} FROM incidents ORDER BY number DESC;"),
            cancellationToken);

    /// <inheritdoc />
    public Task<Incident> UpdateIncidentAsync(string incidentId, Func<Incident, Incident> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        // The read and the write share one BEGIN IMMEDIATE transaction: no other writer comes in between.
        return WriteAsync(
            (connection, transaction) =>
            {
                var current = Query(connection, transaction, ReadIncident, $"SELECT {IncidentColumns} FROM incidents WHERE id = $id;", ("$id", incidentId))
                    .SingleOrDefault() ?? throw NotFound("incident", incidentId);
                var changed = LedgerRules.ChangedIncident(current, change);
                if (changed != current)
                {
                    Execute(
                        connection,
                        transaction,
                        "UPDATE incidents SET title = $title, severity = $severity, owner = $owner, postmortem_due = $due, tracker_link = $link, status = $status, service = $service, root_cause = $rootCause, root_cause_from = $rootCauseFrom WHERE id = $id;",
                        IncidentParameters(changed));
                }
                return changed;
            },
            cancellationToken);
    }

    private static (string Name, object? Value)[] IncidentParameters(Incident incident) =>
    [
        ("$id", incident.Id),
        ("$title", incident.Title),
        ("$severity", incident.Severity),
        ("$owner", incident.Owner),
        ("$opened", LedgerTime.ToText(incident.OpenedAt)),
        ("$due", LedgerTime.ToText(incident.PostmortemDue)),
        ("$link", incident.TrackerLink),
        ("$status", incident.Status.ToString()),
        ("$service", incident.Service),
        ("$rootCause", incident.RootCause),
        ("$rootCauseFrom", incident.RootCauseFrom),
    ];

    private static Incident ReadIncident(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        NullableString(reader, 3),
        Time(reader, 4),
        Time(reader, 5),
        NullableString(reader, 6),
        Enum.Parse<IncidentStatus>(reader.GetString(7)),
        NullableString(reader, 8),
        NullableString(reader, 9),
        NullableString(reader, 10));
}
