namespace Rewind.Aws.CloudWatch;

/// <summary>The CloudWatch operations Rewind uses.</summary>
public interface ICloudWatchClient
{
    /// <summary>The series of each query between two instants, all pages merged per query id (moto answers expressions with empty series).</summary>
    Task<IReadOnlyList<MetricDataResult>> GetMetricDataAsync(
        IReadOnlyList<MetricDataQuery> queries, DateTimeOffset startTime, DateTimeOffset endTime, CancellationToken cancellationToken);

    /// <summary>The metrics with this namespace and name that carry all of <paramref name="dimensions"/> (CloudWatch lists those with data in the past two weeks), all pages.</summary>
    Task<IReadOnlyList<Metric>> ListMetricsAsync(string @namespace, string metricName, IReadOnlyList<Dimension> dimensions, CancellationToken cancellationToken);

    /// <summary>The metric alarms chosen by name or name prefix, with their state, all pages.</summary>
    Task<IReadOnlyList<MetricAlarm>> DescribeAlarmsAsync(AlarmQuery query, CancellationToken cancellationToken);
}
