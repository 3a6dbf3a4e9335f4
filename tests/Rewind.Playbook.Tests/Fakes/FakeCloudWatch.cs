using Microsoft.Extensions.Time.Testing;
using Rewind.Aws.CloudWatch;

namespace Rewind.Playbook.Tests.Fakes;

/// <summary>
/// CloudWatch in memory: the target group's requests and 5XX answers per window (<see cref="Traffic"/>), the alarms
/// and their states, and whether the metric is listed. Each metric read takes <see cref="ReadTakes"/> on the fake
/// clock, so a wait that never normalizes reaches its deadline without real time passing.
/// </summary>
internal sealed class FakeCloudWatch(FakeTimeProvider time) : ICloudWatchClient
{
    /// <summary>Every call, in order: "GetMetricData", "ListMetrics RequestCount", "DescribeAlarms a,b".</summary>
    public List<string> Calls { get; } = [];

    /// <summary>The window of every GetMetricData.</summary>
    public List<(DateTimeOffset Start, DateTimeOffset End)> Windows { get; } = [];

    /// <summary>Requests and 5XX answers in the window ending at the given instant; null: no data points at all.</summary>
    public Func<DateTimeOffset, (double Requests, double Errors)?> Traffic { get; set; } = _ => (1000, 5);

    public Dictionary<string, AlarmState> Alarms { get; } = new(StringComparer.Ordinal);

    public bool MetricListed { get; set; } = true;

    public TimeSpan ReadTakes { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Run at each GetMetricData before it answers (to stop a run there).</summary>
    public Action? OnRead { get; set; }

    public Task<IReadOnlyList<MetricDataResult>> GetMetricDataAsync(
        IReadOnlyList<MetricDataQuery> queries, DateTimeOffset startTime, DateTimeOffset endTime, CancellationToken cancellationToken)
    {
        Calls.Add("GetMetricData");
        Windows.Add((startTime, endTime));
        OnRead?.Invoke();
        cancellationToken.ThrowIfCancellationRequested();
        var traffic = Traffic(endTime);
        time.Advance(ReadTakes);
        IReadOnlyList<MetricDataResult> results =
        [
            new() { Id = "requests", Values = traffic is { } t ? [t.Requests] : [], Timestamps = traffic is null ? [] : [endTime] },
            new() { Id = "errors", Values = traffic is { Errors: > 0 } e ? [e.Errors] : [], Timestamps = traffic is { Errors: > 0 } ? [endTime] : [] },
        ];
        return Task.FromResult(results);
    }

    public Task<IReadOnlyList<Metric>> ListMetricsAsync(string @namespace, string metricName, IReadOnlyList<Dimension> dimensions, CancellationToken cancellationToken)
    {
        Calls.Add($"ListMetrics {metricName}");
        IReadOnlyList<Metric> metrics = MetricListed ? [new Metric(@namespace, metricName, dimensions)] : [];
        return Task.FromResult(metrics);
    }

    public Task<IReadOnlyList<MetricAlarm>> DescribeAlarmsAsync(AlarmQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        Calls.Add($"DescribeAlarms {string.Join(',', query.AlarmNames ?? [])}");
        IReadOnlyList<MetricAlarm> alarms = [.. (query.AlarmNames ?? []).Where(Alarms.ContainsKey).Select(name => new MetricAlarm { AlarmName = name, StateValue = Alarms[name] })];
        return Task.FromResult(alarms);
    }
}
