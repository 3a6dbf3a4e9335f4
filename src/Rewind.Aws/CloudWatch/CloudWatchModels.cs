using System.Text.Json.Serialization;
using Rewind.Aws.Protocols;

namespace Rewind.Aws.CloudWatch;

/// <summary>A metric dimension (e.g. LoadBalancer = app/web/123).</summary>
public sealed record Dimension(string Name, string Value);

/// <summary>A metric: namespace, name and dimensions.</summary>
public sealed record Metric(string Namespace, string MetricName, IReadOnlyList<Dimension>? Dimensions = null);

/// <summary>A metric, the period in seconds to aggregate over, and the statistic ("Sum", "Average", "p99").</summary>
public sealed record MetricStat(Metric Metric, int Period, string Stat);

/// <summary>One query of GetMetricData: a metric statistic or a metric math expression, named by <see cref="Id"/>.</summary>
public sealed record MetricDataQuery
{
    /// <summary>Starts with a lower-case letter; letters, digits and underscores.</summary>
    public required string Id { get; init; }

    public MetricStat? MetricStat { get; init; }

    /// <summary>Metric math over other queries' ids (moto returns no data points for expressions).</summary>
    public string? Expression { get; init; }

    public string? Label { get; init; }

    /// <summary>False for queries only used as inputs of an expression.</summary>
    public bool? ReturnData { get; init; }

    public static MetricDataQuery ForMetric(string id, MetricStat metricStat, string? label = null) =>
        new() { Id = id, MetricStat = metricStat, Label = label };

    public static MetricDataQuery ForExpression(string id, string expression, string? label = null) =>
        new() { Id = id, Expression = expression, Label = label };
}

/// <summary>Whether a query's series is complete.</summary>
[JsonConverter(typeof(AwsEnumConverter<MetricDataStatus>))]
public enum MetricDataStatus { Unknown, Complete, InternalError, PartialData, Forbidden }

/// <summary>The series of one query: timestamps and values, pairwise, newest first.</summary>
public sealed record MetricDataResult
{
    public required string Id { get; init; }
    public string? Label { get; init; }
    public IReadOnlyList<DateTimeOffset> Timestamps { get; init; } = [];
    public IReadOnlyList<double> Values { get; init; } = [];
    public MetricDataStatus StatusCode { get; init; }
}

/// <summary>An alarm's state.</summary>
[JsonConverter(typeof(AwsEnumConverter<AlarmState>))]
public enum AlarmState { Unknown, Ok, Alarm, InsufficientData }

/// <summary>A metric alarm and its current state.</summary>
public sealed record MetricAlarm
{
    public required string AlarmName { get; init; }
    public string? AlarmArn { get; init; }
    public AlarmState StateValue { get; init; }
    public string? StateReason { get; init; }
    public DateTimeOffset? StateUpdatedTimestamp { get; init; }
}

/// <summary>Which alarms DescribeAlarms returns: these names, or those whose name starts with a prefix.</summary>
public sealed record AlarmQuery
{
    private AlarmQuery(IReadOnlyList<string>? alarmNames, string? alarmNamePrefix)
    {
        AlarmNames = alarmNames;
        AlarmNamePrefix = alarmNamePrefix;
    }

    public IReadOnlyList<string>? AlarmNames { get; }

    public string? AlarmNamePrefix { get; }

    /// <summary>The alarms with these names (up to 100).</summary>
    public static AlarmQuery Named(params IReadOnlyList<string> alarmNames)
    {
        if (alarmNames.Count == 0)
            throw new ArgumentException("name at least one alarm", nameof(alarmNames));
        return new([.. alarmNames], null);
    }

    /// <summary>The alarms whose name starts with <paramref name="alarmNamePrefix"/>.</summary>
    public static AlarmQuery WithPrefix(string alarmNamePrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(alarmNamePrefix);
        return new(null, alarmNamePrefix);
    }
}
