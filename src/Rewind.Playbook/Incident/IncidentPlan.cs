using System.Globalization;
using System.Text.Json.Serialization;

namespace Rewind.Playbook.Incident;

/// <summary>The incident step's plan: the incident as it will be opened, where its draft goes, which run it is about.</summary>
/// <param name="Title">The incident's title.</param>
/// <param name="Severity">Its severity label.</param>
/// <param name="Owner">Its owner, resolved.</param>
/// <param name="OwnerFrom">Where the owner came from (<c>--owner</c>, <c>incident.on_call</c>, <c>operator</c>).</param>
/// <param name="PostmortemDueSeconds">How long after opening the postmortem is due.</param>
/// <param name="DraftsDir">Where the draft and the invitation are written (absolute).</param>
/// <param name="AboutRun">An earlier run the incident is about (<c>incident open --run</c>); null: this run.</param>
/// <param name="Service">The service.</param>
public sealed record IncidentPlan(
    string Title, string Severity, string Owner, string OwnerFrom, double PostmortemDueSeconds, string DraftsDir, string? AboutRun, string Service)
{
    [JsonIgnore]
    public TimeSpan PostmortemDue => TimeSpan.FromSeconds(PostmortemDueSeconds);

    /// <summary>A plan stored by 418e7ad: the same values as flat strings (<c>aboutRun</c> empty for this run).</summary>
    public static IncidentPlan FromVersion1(IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        string Get(string key) => parameters.TryGetValue(key, out var value) ? value : throw new InvalidOperationException($"the stored plan of step incident has no {key}");
        return new IncidentPlan(
            Get("title"), Get("severity"), Get("owner"), parameters.GetValueOrDefault("ownerFrom", "operator"),
            double.Parse(Get("postmortemDueSeconds"), CultureInfo.InvariantCulture), Get("draftsDir"),
            parameters.GetValueOrDefault("aboutRun") is { Length: > 0 } about ? about : null, Get("service"));
    }
}

/// <summary>The incident folder's plans as stored (source-generated: NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IncidentPlan))]
public sealed partial class IncidentJson : JsonSerializerContext;
