using System.Globalization;
using System.Text.Json.Serialization;
using Rewind.Core;
using Rewind.Core.Configuration;

namespace Rewind.Playbook.Verify;

/// <summary>
/// The verify step's plan: the metric's dimensions, the threshold, the alarms and the deadline as shown, and the
/// baseline window found when planning (its rate is measured at execution, when the data is there).
/// </summary>
/// <param name="LoadBalancer">The CloudWatch LoadBalancer dimension; null with alarms only.</param>
/// <param name="TargetGroup">The CloudWatch TargetGroup dimension; null with alarms only.</param>
/// <param name="Window">The window the rate is measured over.</param>
/// <param name="Max5xxPercent">The threshold.</param>
/// <param name="BaselineTolerancePercent">How far above the baseline still counts as back at it.</param>
/// <param name="Alarms">The alarms that must be OK.</param>
/// <param name="Deadline">How long execution waits for the rate to normalize.</param>
/// <param name="BaselineEnd">The end of the baseline window (when the bad release was recorded); null for no baseline.</param>
/// <param name="BaselineNote">What a person reads about the baseline.</param>
public sealed record VerifyPlan(
    string? LoadBalancer, string? TargetGroup, TimeSpan Window, double Max5xxPercent, double BaselineTolerancePercent,
    IReadOnlyList<string> Alarms, TimeSpan Deadline, DateTimeOffset? BaselineEnd, string BaselineNote)
{
    /// <summary>The plan of <paramref name="settings"/> with <paramref name="baseline"/>.</summary>
    public static VerifyPlan Of(VerifySection settings, Baseline baseline)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(baseline);
        return new VerifyPlan(
            settings.LoadBalancer, settings.TargetGroup, settings.Window, settings.Max5xxPercent, settings.BaselineTolerancePercent,
            [.. settings.Alarms], settings.Deadline, baseline.WindowEnd, baseline.Note);
    }

    /// <summary>
    /// A plan stored before typed plans (418e7ad) held only the baseline (<c>baselineEnd</c>, "none" or ISO 8601, and
    /// <c>baselineNote</c>); the metric, threshold and alarms always came from the configuration at execution, so they
    /// still do, from <paramref name="settings"/>. Without a verify section there is nothing to measure: bad input.
    /// </summary>
    public static VerifyPlan FromVersion1(IReadOnlyDictionary<string, string> parameters, VerifySection? settings)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var current = settings ?? throw new RewindException(
            "this run's verify plan was stored by an older Rewind and names no metric or alarm, and rewind.yaml has no verify section any more",
            "add the verify section back to rewind.yaml, or skip the step", FailureKind.BadInput);
        var end = parameters["baselineEnd"];
        return Of(current, new Baseline(
            null, null, end == "none" ? null : DateTimeOffset.Parse(end, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), parameters["baselineNote"]));
    }

    /// <summary>The settings the verifier measures with, as the plan holds them.</summary>
    public VerifySection Section() => new(LoadBalancer, TargetGroup, Window, Max5xxPercent, new(Alarms))
    {
        Deadline = Deadline,
        BaselineTolerancePercent = BaselineTolerancePercent,
    };

    /// <summary>The baseline window, as found when planning.</summary>
    public Baseline Baseline() => new(null, null, BaselineEnd, BaselineNote);
}

/// <summary>The verify step's plan JSON (source-generated: NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VerifyPlan))]
public sealed partial class VerifyJson : JsonSerializerContext;
