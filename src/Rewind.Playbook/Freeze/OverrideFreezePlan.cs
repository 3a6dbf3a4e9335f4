using System.Text.Json.Serialization;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Freeze;

/// <summary>
/// What <c>rewind record --override-freeze</c> approved: exactly this release is recorded although the service is
/// frozen by <paramref name="Freeze"/>, for <paramref name="Reason"/>, by <paramref name="By"/>. The whole release is in
/// the plan, so a resumed run records the snapshot that was taken, not a new one.
/// </summary>
public sealed record OverrideFreezePlan(Release Release, string Reason, string By, string? Freeze, string? FreezeReason)
{
    /// <summary>The override of the freeze <paramref name="verdict"/> found (the ledger's, else the one published in SSM).</summary>
    public static OverrideFreezePlan Of(FreezeVerdict verdict, Release release, string reason, string by) =>
        new(release, reason, by, verdict.Active?.Id ?? verdict.Published?.FreezeId, verdict.Active?.Reason ?? verdict.Published?.Reason);
}

/// <summary>The stored plan of the override step (source-generated: NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(OverrideFreezePlan))]
public sealed partial class OverrideFreezeJson : JsonSerializerContext;
