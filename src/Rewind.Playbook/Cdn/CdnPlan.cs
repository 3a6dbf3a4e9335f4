using System.Text.Json.Serialization;

namespace Rewind.Playbook.Cdn;

/// <summary>The cdn step's plan: the distribution and exactly the paths shown, and whether the run waits for Completed.</summary>
/// <param name="Distribution">The CloudFront distribution id, as read when planning.</param>
/// <param name="Paths">The paths of the one invalidation, as CloudFront receives them.</param>
/// <param name="Wait">Whether execution waits until the invalidation is Completed (<c>rewind cdn</c> without <c>--wait</c> does not).</param>
public sealed record CdnPlan(string Distribution, IReadOnlyList<string> Paths, bool Wait = true)
{
    /// <summary>
    /// A plan stored before typed plans (418e7ad): <c>distribution</c>, and <c>paths</c> joined by new lines; such a
    /// plan always waited.
    /// </summary>
    public static CdnPlan FromVersion1(IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return new CdnPlan(parameters["distribution"], parameters["paths"].Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}

/// <summary>The cdn step's plan JSON (source-generated: NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CdnPlan))]
public sealed partial class CdnJson : JsonSerializerContext;
