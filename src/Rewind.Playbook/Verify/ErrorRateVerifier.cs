using System.Globalization;
using Rewind.Aws.CloudWatch;
using Rewind.Core;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;

namespace Rewind.Playbook.Verify;

/// <summary>The outcome of one look at the error rate and the alarms.</summary>
public static class Verdicts
{
    public const string Normalized = "normalized";
    public const string Elevated = "elevated";
    public const string AboveBaseline = "above-baseline";
    public const string InsufficientData = "insufficient-data";
    public const string Alarm = "alarm";
}

/// <summary>Requests and 5XX answers of the main target group over one window; no request data means no rate.</summary>
public sealed record ErrorRate(DateTimeOffset Start, DateTimeOffset End, double Requests, double Errors, int RequestPoints)
{
    /// <summary>The 5XX rate in percent; null without request data (never a zero that would pass).</summary>
    public double? Percent => RequestPoints == 0 || Requests <= 0 ? null : Errors / Requests * 100;
}

/// <summary>One reading: the rate now, the baseline it is compared with, the alarms, and the verdict.</summary>
public sealed record VerifyReading(
    string Metric, ErrorRate? Rate, double ThresholdPercent, double? BaselinePercent, string BaselineNote,
    IReadOnlyList<MetricAlarm> Alarms, string Verdict, string Reason)
{
    public bool Normalized => Verdict == Verdicts.Normalized;

    /// <summary>The <c>verify</c> evidence: the window, the counts and rates (null without request data), the alarms, the verdict.</summary>
    public ErrorRatesNormalized Evidence() => new(
        Metric, Rate?.Start, Rate?.End, Rate is null ? null : (long)Rate.Requests, Rate is null ? null : (long)Rate.Errors,
        Rate?.Percent is { } p ? Math.Round(p, 2) : null, ThresholdPercent, BaselinePercent is { } b ? Math.Round(b, 2) : null, BaselineNote,
        [.. Alarms.Select(a => new AlarmReading(a.AlarmName, StateName(a.StateValue)))], Verdict);

    /// <summary>An alarm state as CloudWatch spells it: OK, ALARM, INSUFFICIENT_DATA.</summary>
    public static string StateName(AlarmState state) => state switch
    {
        AlarmState.Ok => "OK",
        AlarmState.Alarm => "ALARM",
        AlarmState.InsufficientData => "INSUFFICIENT_DATA",
        _ => "UNKNOWN",
    };

    public static string Percent(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}

/// <summary>
/// Playbook "Error rates normalized": the main target group's <c>HTTPCode_Target_5XX_Count</c> over its
/// <c>RequestCount</c> (GetMetricData, Sum per minute, added up here because the emulator answers no metric math),
/// over a window ending now, against the threshold and against the target release's own baseline; the configured
/// alarms must be OK. Missing data is insufficient data, never a pass. Every window comes from the injected clock.
/// </summary>
public sealed class ErrorRateVerifier(ICloudWatchClient cloudWatch, VerifySection settings, TimeProvider time)
{
    /// <summary>The namespace of Application Load Balancer metrics.</summary>
    public const string Namespace = "AWS/ApplicationELB";

    private const int Period = 60;

    /// <summary>What is queried, as evidence: "HTTPCode_Target_5XX_Count/RequestCount LoadBalancer=… TargetGroup=…".</summary>
    public string Metric => settings.LoadBalancer is null
        ? "none (alarms only)"
        : $"HTTPCode_Target_5XX_Count/RequestCount LoadBalancer={settings.LoadBalancer} TargetGroup={settings.TargetGroup}";

    /// <summary>
    /// Bad input before any wait: the target group's RequestCount metric must exist (CloudWatch lists a metric only
    /// while it has data from the past two weeks), and every configured alarm must exist.
    /// </summary>
    public async Task CheckInputsAsync(CancellationToken cancellationToken)
    {
        if (settings.LoadBalancer is not null)
        {
            var metrics = await cloudWatch.ListMetricsAsync(Namespace, "RequestCount", Dimensions(), cancellationToken);
            if (metrics.Count == 0)
                throw new RewindException(
                    $"CloudWatch has no metric {Namespace} RequestCount for LoadBalancer={settings.LoadBalancer} TargetGroup={settings.TargetGroup}",
                    "check verify.load_balancer and verify.target_group against 'aws cloudwatch list-metrics --namespace AWS/ApplicationELB --metric-name RequestCount'",
                    FailureKind.BadInput);
        }
        if (settings.Alarms.Count > 0)
        {
            var found = await DescribeAlarmsAsync(cancellationToken);
            var missing = settings.Alarms.Where(name => found.All(a => a.AlarmName != name)).ToList();
            if (missing.Count > 0)
                throw new RewindException(
                    $"CloudWatch has no alarm named {string.Join(", ", missing)}",
                    "check verify.alarms against 'aws cloudwatch describe-alarms'", FailureKind.BadInput);
        }
    }

    /// <summary>The rate over the window that ends at <paramref name="end"/>; null without a load balancer to measure.</summary>
    public async Task<ErrorRate?> MeasureAsync(DateTimeOffset end, CancellationToken cancellationToken)
    {
        if (settings.LoadBalancer is null)
            return null;
        var start = end - settings.Window;
        var dimensions = Dimensions();
        var results = await cloudWatch.GetMetricDataAsync(
            [
                MetricDataQuery.ForMetric("requests", new MetricStat(new Metric(Namespace, "RequestCount", dimensions), Period, "Sum")),
                MetricDataQuery.ForMetric("errors", new MetricStat(new Metric(Namespace, "HTTPCode_Target_5XX_Count", dimensions), Period, "Sum")),
            ],
            start, end, cancellationToken);
        var requests = results.FirstOrDefault(r => r.Id == "requests");
        var errors = results.FirstOrDefault(r => r.Id == "errors");
        // ALB publishes the 5XX count only for minutes that had one: no 5XX points with requests is a rate of zero.
        return new ErrorRate(start, end, requests?.Values.Sum() ?? 0, errors?.Values.Sum() ?? 0, requests?.Values.Count ?? 0);
    }

    /// <summary>One reading now: the window ends at the clock's now.</summary>
    public async Task<VerifyReading> ReadAsync(double? baselinePercent, string baselineNote, CancellationToken cancellationToken)
    {
        var rate = await MeasureAsync(time.GetUtcNow(), cancellationToken);
        var alarms = settings.Alarms.Count > 0 ? await DescribeAlarmsAsync(cancellationToken) : [];
        var (verdict, reason) = Judge(rate, baselinePercent, alarms);
        return new VerifyReading(Metric, rate, settings.Max5xxPercent, baselinePercent, baselineNote, alarms, verdict, reason);
    }

    /// <summary>
    /// Reads until the verdict is normalized or the deadline passes, reporting each change; returns the last reading
    /// (not normalized when the deadline passed).
    /// </summary>
    public async Task<VerifyReading> WaitAsync(
        double? baselinePercent, string baselineNote, TimeSpan deadline, PollSchedule schedule, Action<string>? progress, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + deadline;
        string? last = null;
        return await Polling.UntilAsync(
            async ct =>
            {
                var reading = await ReadAsync(baselinePercent, baselineNote, ct);
                if (reading.Reason != last)
                    progress?.Invoke($"{reading.Verdict}: {last = reading.Reason}");
                return reading;
            },
            reading => reading.Normalized || time.GetUtcNow() >= until,
            schedule, time, cancellationToken);
    }

    private (string Verdict, string Reason) Judge(ErrorRate? rate, double? baseline, IReadOnlyList<MetricAlarm> alarms)
    {
        var alarming = alarms.Where(a => a.StateValue == AlarmState.Alarm).Select(a => a.AlarmName).ToList();
        if (alarming.Count > 0)
            return (Verdicts.Alarm, $"alarm {string.Join(", ", alarming)} in ALARM");
        var unknown = alarms.Where(a => a.StateValue != AlarmState.Ok).Select(a => $"{a.AlarmName}={VerifyReading.StateName(a.StateValue)}").ToList();
        if (unknown.Count > 0)
            return (Verdicts.InsufficientData, $"alarm {string.Join(", ", unknown)}, not OK");
        if (settings.LoadBalancer is null)
            return (Verdicts.Normalized, $"{alarms.Count} alarm(s) OK");
        if (rate?.Percent is not { } percent)
            return (Verdicts.InsufficientData, $"no RequestCount data between {rate!.Start:HH:mm:ss} and {rate.End:HH:mm:ss}Z: no traffic measured is not a pass");
        var shown = $"5XX {VerifyReading.Percent(percent)}% ({rate.Errors:0}/{rate.Requests:0})";
        if (percent > settings.Max5xxPercent)
            return (Verdicts.Elevated, $"{shown} above the {VerifyReading.Percent(settings.Max5xxPercent)}% threshold");
        if (baseline is { } b && percent > b + settings.BaselineTolerancePercent)
            return (Verdicts.AboveBaseline, $"{shown} under the threshold but above the target release's baseline {VerifyReading.Percent(b)}% (+{VerifyReading.Percent(settings.BaselineTolerancePercent)} tolerance)");
        return (Verdicts.Normalized, baseline is { } at
            ? $"{shown} under the {VerifyReading.Percent(settings.Max5xxPercent)}% threshold and at the baseline {VerifyReading.Percent(at)}%"
            : $"{shown} under the {VerifyReading.Percent(settings.Max5xxPercent)}% threshold (no baseline)");
    }

    private async Task<IReadOnlyList<MetricAlarm>> DescribeAlarmsAsync(CancellationToken cancellationToken)
    {
        var alarms = new List<MetricAlarm>();
        foreach (var batch in settings.Alarms.Chunk(100))
            alarms.AddRange(await cloudWatch.DescribeAlarmsAsync(AlarmQuery.Named(batch), cancellationToken));
        return [.. settings.Alarms.Select(name => alarms.FirstOrDefault(a => a.AlarmName == name)).OfType<MetricAlarm>()];
    }

    private List<Dimension> Dimensions() =>
        [new Dimension("LoadBalancer", settings.LoadBalancer!), new Dimension("TargetGroup", settings.TargetGroup!)];
}
