using System.Globalization;
using System.Text.Json.Serialization;

namespace Rewind.Playbook.Notify;

/// <summary>
/// The notify step's plan: what the messages say and exactly which routes they go to, so a resumed run (and
/// <c>rewind notify --retry</c>) tells who was planned, whatever rewind.yaml says now.
/// </summary>
/// <param name="Kind"><see cref="NotificationKinds.Finished"/> for a rollback, <see cref="NotificationKinds.Message"/> for <c>rewind notify</c>.</param>
/// <param name="Service">The service.</param>
/// <param name="From">The release running before the rollback, if known.</param>
/// <param name="To">The release rolled back to, if any.</param>
/// <param name="ImpactSince">Since when customers may have seen the problem (else the run's start).</param>
/// <param name="Routes">Every route told, in order.</param>
/// <param name="Message">The operator's text of a <c>rewind notify</c> message.</param>
public sealed record NotifyPlan(
    string Kind, string Service, string? From, string? To, DateTimeOffset? ImpactSince, IReadOnlyList<NotifyRoute> Routes, string? Message = null)
{
    /// <summary>A plan stored by 418e7ad: flat parameters, the routes as <c>audience kind VARIABLE [#channel]</c> lines.</summary>
    public static NotifyPlan FromVersion1(IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        string? Get(string key) => parameters.TryGetValue(key, out var value) && value.Length > 0 ? value : null;
        return new NotifyPlan(
            Get("kind") ?? NotificationKinds.Finished,
            Get("service") ?? "",
            Get("from"),
            Get("to"),
            Get("impactSince") is { } since ? DateTimeOffset.Parse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null,
            NotifyRoute.DecodeAll(Get("routes")),
            Get("message"));
    }
}

/// <summary>The notify folder's plans as stored (source-generated: NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NotifyPlan))]
public sealed partial class NotifyJson : JsonSerializerContext;
