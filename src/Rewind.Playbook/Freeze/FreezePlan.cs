using System.Text.Json.Serialization;
using Rewind.Playbook.Notify;

namespace Rewind.Playbook.Freeze;

/// <summary>The freeze step's plan: which service, which SSM parameter, why, and whom to tell.</summary>
/// <param name="Service">The service frozen.</param>
/// <param name="Parameter">The SSM parameter pipelines read.</param>
/// <param name="Reason">Why releases are frozen.</param>
/// <param name="Announce">The team's routes told of the freeze (none: nobody).</param>
/// <param name="Incident">The incident given by the operator (<c>freeze on --incident</c>); else the run's incident step's.</param>
/// <param name="FrozenBy">Who freezes (<c>freeze on</c>: the operator); else the run, <c>rewind run RUN</c>.</param>
/// <param name="AnnounceUntold">The freeze in force when planned was never announced: it is announced now (<c>freeze on</c>).</param>
public sealed record FreezePlan(
    string Service, string Parameter, string Reason, IReadOnlyList<NotifyRoute> Announce, string? Incident = null, string? FrozenBy = null, bool AnnounceUntold = false)
{
    /// <summary>
    /// A plan stored by 418e7ad: <c>service</c>, <c>parameter</c>, <c>reason</c>. Its routes were read from the
    /// configuration when it ran, so a version-1 plan tells nobody: the plan holds no route.
    /// </summary>
    public static FreezePlan FromVersion1(IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return new FreezePlan(parameters.GetValueOrDefault("service", ""), parameters.GetValueOrDefault("parameter", ""), parameters.GetValueOrDefault("reason", ""), []);
    }
}

/// <summary>The freeze folder's plans as stored (source-generated: NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FreezePlan))]
[JsonSerializable(typeof(LiftFreezePlan))]
public sealed partial class FreezeJson : JsonSerializerContext;
