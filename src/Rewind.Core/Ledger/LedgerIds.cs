using System.Globalization;
using System.Security.Cryptography;

namespace Rewind.Core.Ledger;

/// <summary>Readable, time-ordered identifiers such as <c>run-20261127-091500-ab12</c>.</summary>
public static class LedgerIds
{
    /// <summary>A new run id for a run started at <paramref name="startedAt"/>.</summary>
    public static string NewRunId(DateTimeOffset startedAt) => New("run", startedAt);

    /// <summary>A new release id for a release recorded at <paramref name="recordedAt"/>.</summary>
    public static string NewReleaseId(DateTimeOffset recordedAt) => New("rel", recordedAt);

    /// <summary>The incident id for the n-th incident: <c>INC-0001</c>, <c>INC-0002</c>….</summary>
    public static string IncidentId(long number) =>
        "INC-" + number.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>A new id <c>{prefix}-yyyyMMdd-HHmmss-xxxx</c> with four random hex digits.</summary>
    public static string New(string prefix, DateTimeOffset time)
    {
        Span<byte> random = stackalloc byte[2];
        RandomNumberGenerator.Fill(random);
        var stamp = time.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        return $"{prefix}-{stamp}-{Convert.ToHexStringLower(random)}";
    }
}
