using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Xunit;

namespace Rewind.IntegrationTests.Announce;

/// <summary>
/// The announce steps' typed evidence, read back from the journal, as the few facts these tests compare: each
/// audience's status and first error ("AUDIENCE.status", "AUDIENCE.error"), the counts, and the freeze's fields.
/// </summary>
internal static class AnnouncedEvidence
{
    public static async Task<Dictionary<string, string>> ReadAsync(IRunStore runs, string runId, string step, CancellationToken ct)
    {
        var completed = (await runs.ReadJournalAsync(runId, ct)).Last(e => e.Step == step && e.Kind == JournalKind.Completed);
        Assert.True(StepEnd.TryParse(completed, out var end));
        return Of(end.Evidence);
    }

    public static Dictionary<string, string> Of(StepEvidence? evidence) => evidence switch
    {
        TeamNotified notified => Audiences(notified.Audiences, "", notified.Delivered, notified.Failed),
        ReleasesFrozen frozen => new(Audiences(frozen.Announced, "announced.", null, null))
        {
            ["freeze"] = frozen.Freeze,
            ["parameter"] = frozen.Parameter,
            ["incident"] = frozen.Incident ?? "none",
        },
        _ => throw new Xunit.Sdk.XunitException($"not announce evidence: {evidence?.GetType().Name ?? "none"}"),
    };

    private static Dictionary<string, string> Audiences(IReadOnlyList<AudienceDelivery> deliveries, string prefix, int? delivered, int? failed)
    {
        var facts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var audience in deliveries.GroupBy(d => d.Audience))
        {
            var bad = audience.FirstOrDefault(d => !d.Delivered);
            facts[$"{prefix}{audience.Key}.status"] = (bad ?? audience.First()).Status;
            if (bad is not null)
                facts[$"{prefix}{audience.Key}.error"] = $"{bad.Target}: {bad.Error}";
        }
        if (delivered is { } d1)
            facts["delivered"] = d1.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (failed is { } f1)
            facts["failed"] = f1.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return facts;
    }
}
