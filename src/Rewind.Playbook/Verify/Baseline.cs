using System.Globalization;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Verify;

/// <summary>
/// Where the target release's own error rate is measured: the bad release is the newest release of the service
/// recorded after the target; the baseline window has the verification window's length and ends when the bad release
/// was recorded (the target was still serving then). No target release or no later release: no baseline.
/// </summary>
/// <param name="TargetReleaseId">The release rolled back to; null when the target is not a ledger release.</param>
/// <param name="BadReleaseId">The release rolled back from; null when none was recorded after the target.</param>
/// <param name="WindowEnd">When the bad release was recorded: the end of the baseline window.</param>
/// <param name="Note">What a person reads: "release v2 before v3 (recorded …)" or why there is none.</param>
public sealed record Baseline(string? TargetReleaseId, string? BadReleaseId, DateTimeOffset? WindowEnd, string Note)
{
    /// <summary>Finds the bad release after <paramref name="target"/> in the ledger.</summary>
    public static async Task<Baseline> FindAsync(IReleaseStore releases, string service, RollbackTarget? target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(releases);
        if (target is null)
            return new Baseline(null, null, null, "none: no target release");
        var recorded = await releases.ListReleasesAsync(service, 500, cancellationToken);
        var release = target.ReleaseId is { } id
            ? recorded.FirstOrDefault(r => r.Id == id) ?? await releases.GetReleaseAsync(id, cancellationToken)
            : recorded.Where(r => r.TaskDefinitions.Values.Contains(target.TaskDefinitionArn, StringComparer.Ordinal)).MaxBy(r => r.RecordedAt);
        return release is null
            ? new Baseline(null, null, null, $"none: the target {target.Label} is not a release in the ledger")
            : Of(release, recorded);
    }

    /// <summary>The baseline of <paramref name="target"/> among the service's <paramref name="recorded"/> releases.</summary>
    public static Baseline Of(Release target, IReadOnlyList<Release> recorded)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(recorded);
        var bad = recorded.Where(r => r.Service == target.Service && r.RecordedAt > target.RecordedAt).MaxBy(r => r.RecordedAt);
        return bad is null
            ? new Baseline(target.Id, null, null, $"none: no release of {target.Service} was recorded after {target.Version} ({target.Id})")
            : new Baseline(target.Id, bad.Id, bad.RecordedAt,
                $"{target.Version} ({target.Id}) in the window before {bad.Version} ({bad.Id}) was recorded at {bad.RecordedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}");
    }

    /// <summary>The baseline rate in percent, measured now; null (with the reason in the note) when there is no window or no data in it.</summary>
    public async Task<(double? Percent, string Note)> MeasureAsync(ErrorRateVerifier verifier, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        if (WindowEnd is not { } end)
            return (null, Note);
        var rate = await verifier.MeasureAsync(end, cancellationToken);
        return rate?.Percent is { } percent ? (percent, Note) : (null, $"none: no request data for {Note}");
    }
}
