using Microsoft.Data.Sqlite;
using Rewind.Core.Ledger;

namespace Rewind.Ledger.Sqlite;

public sealed partial class SqliteLedger
{
    private const string ReleaseColumns =
        "id, service, version, recorded_at, task_definitions, canary_main, canary_canary, secret_versions, terraform_revision, distribution_id, status";

    /// <inheritdoc />
    public Task RecordReleaseAsync(Release release, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentException.ThrowIfNullOrWhiteSpace(release.Id);
        ArgumentException.ThrowIfNullOrWhiteSpace(release.Service);
        return WriteAsync(
            (connection, transaction) =>
            {
                var inserted = Execute(
                    connection,
                    transaction,
                    $"INSERT INTO releases ({ReleaseColumns}) VALUES ($id, $service, $version, $at, $tasks, $main, $canary, $secrets, $tf, $dist, $status) ON CONFLICT (id) DO NOTHING;",
                    ("$id", release.Id),
                    ("$service", release.Service),
                    ("$version", release.Version),
                    ("$at", LedgerTime.ToText(release.RecordedAt)),
                    ("$tasks", LedgerJson.WriteMap(release.TaskDefinitions)),
                    ("$main", release.Canary?.Main),
                    ("$canary", release.Canary?.Canary),
                    ("$secrets", LedgerJson.WriteMap(release.SecretVersions)),
                    ("$tf", release.TerraformRevision),
                    ("$dist", release.DistributionId),
                    ("$status", release.Status.ToString()));
                return inserted == 1
                    ? true
                    : throw new LedgerException(
                        LedgerFailureReason.Conflict,
                        $"release {release.Id} is already in the ledger: record it under a new id");
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<Release?> GetReleaseAsync(string releaseId, CancellationToken cancellationToken) =>
        UseAsync(
            connection => Query(
                connection, null, ReadRelease, $"SELECT {ReleaseColumns} FROM releases WHERE id = $id;", ("$id", releaseId))
                .SingleOrDefault(),
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Release>> ListReleasesAsync(string? service, int limit, CancellationToken cancellationToken) =>
        UseAsync<IReadOnlyList<Release>>(
            connection => service is null
                ? Query(
                    connection, null, ReadRelease,
                    $"SELECT {ReleaseColumns} FROM releases ORDER BY recorded_at DESC, id DESC LIMIT $limit;",
                    ("$limit", Limit(limit)))
                : Query(
                    connection, null, ReadRelease,
                    $"SELECT {ReleaseColumns} FROM releases WHERE service = $service ORDER BY recorded_at DESC, id DESC LIMIT $limit;",
                    ("$service", service),
                    ("$limit", Limit(limit))),
            cancellationToken);

    /// <inheritdoc />
    public Task SetReleaseStatusAsync(string releaseId, ReleaseStatus status, CancellationToken cancellationToken) =>
        WriteAsync(
            (connection, transaction) =>
                Execute(
                    connection, transaction, "UPDATE releases SET status = $status WHERE id = $id;",
                    ("$status", status.ToString()), ("$id", releaseId)) == 1
                    ? true
                    : throw NotFound("release", releaseId),
            cancellationToken);

    private static Release ReadRelease(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        Time(reader, 3),
        LedgerJson.ReadMap(reader.GetString(4)),
        reader.IsDBNull(5) ? null : new CanaryWeights(reader.GetInt32(5), reader.GetInt32(6)),
        LedgerJson.ReadMap(reader.GetString(7)),
        NullableString(reader, 8),
        NullableString(reader, 9),
        Enum.Parse<ReleaseStatus>(reader.GetString(10)));

    private LedgerException NotFound(string what, string id) =>
        new(LedgerFailureReason.NotFound, $"{what} {id} is not in the ledger {Location}: check the id with `rewind history`");
}
