using System.Globalization;
using System.Text.Json.Serialization;
using Rewind.Core.Evidence;

namespace Rewind.Playbook.Canary;

/// <summary>
/// What the canary step was approved to do, and all its execution reads: which listener (or rule), between which two
/// target groups, and the weights it wants.
/// </summary>
/// <param name="Kind">"listener" (its default action) or "rule".</param>
/// <param name="Arn">The listener's or the rule's ARN, as planned (never re-read from rewind.yaml).</param>
/// <param name="MainTargetGroup">The stable target group; null only in a plan stored before typed plans, which did not record it.</param>
/// <param name="CanaryTargetGroup">The canary target group; null as <paramref name="MainTargetGroup"/>.</param>
/// <param name="Wanted">The weights the step sets and reads back.</param>
/// <param name="Previous">The weights when the plan was made: the report's "from".</param>
/// <param name="EcsOwnedBy">The strategy (BLUE_GREEN, LINEAR, CANARY) under which ECS owns the rule: then the step changes nothing and reads the rule back after the ecs step.</param>
public sealed record CanaryPlan(string Kind, string Arn, string? MainTargetGroup, string? CanaryTargetGroup, Weights Wanted, Weights Previous, string? EcsOwnedBy = null)
{
    /// <summary>
    /// A plan stored before typed plans (418e7ad): <c>arn</c>, <c>kind</c>, <c>main</c>, <c>canary</c> and
    /// <c>previous</c> ("90/10"). It named no target groups: see <see cref="CanaryStep"/> for how such a plan executes.
    /// </summary>
    public static CanaryPlan FromVersion1(IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        string Required(string key) => parameters.TryGetValue(key, out var value)
            ? value
            : throw new InvalidOperationException($"the stored canary plan (version 1) has no {key}");
        int Percent(string text) => int.Parse(text, CultureInfo.InvariantCulture);
        var previous = parameters.GetValueOrDefault("previous")?.Split('/') is [var main, var canary] ? new Weights(Percent(main), Percent(canary)) : null;
        var wanted = new Weights(Percent(Required("main")), Percent(Required("canary")));
        return new CanaryPlan(Required("kind"), Required("arn"), null, null, wanted, previous ?? wanted);
    }
}

/// <summary>The canary plan's JSON in the stored plan (source-generated: NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CanaryPlan))]
public sealed partial class CanaryPlanJson : JsonSerializerContext;
