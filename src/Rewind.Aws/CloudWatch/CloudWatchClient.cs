using Rewind.Aws.Protocols;
using Rewind.Aws.Transport;

namespace Rewind.Aws.CloudWatch;

/// <summary>
/// CloudWatch over awsJson1_0 (target prefix GraniteServiceVersion20100801), one of the protocols botocore's model
/// lists for it (smithy-rpc-v2-cbor, json, query); moto 5.2.1 parses and answers it for both operations.
/// </summary>
public sealed class CloudWatchClient : ICloudWatchClient
{
    private readonly JsonProtocol _json;

    public CloudWatchClient(AwsTransport transport) =>
        _json = new JsonProtocol(transport, AwsService.CloudWatch, "GraniteServiceVersion20100801", "1.0");

    public async Task<IReadOnlyList<MetricDataResult>> GetMetricDataAsync(
        IReadOnlyList<MetricDataQuery> queries, DateTimeOffset startTime, DateTimeOffset endTime, CancellationToken cancellationToken)
    {
        // A long series comes in pages, each with a slice of every query's points: stitch them back per id.
        var merged = new Dictionary<string, MetricDataResult>(StringComparer.Ordinal);
        var order = new List<string>();
        await foreach (var part in Paging.AllAsync(
            (token, ct) => _json.InvokeAsync(
                "GetMetricData", new GetMetricDataRequest(queries, startTime, endTime, token),
                CloudWatchJsonContext.Default.GetMetricDataRequest, CloudWatchJsonContext.Default.GetMetricDataResponse, ct),
            page => page.MetricDataResults ?? [],
            page => page.NextToken,
            cancellationToken))
        {
            if (!merged.TryGetValue(part.Id, out var sofar))
            {
                merged[part.Id] = part;
                order.Add(part.Id);
                continue;
            }
            merged[part.Id] = sofar with
            {
                Label = sofar.Label ?? part.Label,
                Timestamps = [.. sofar.Timestamps, .. part.Timestamps],
                Values = [.. sofar.Values, .. part.Values],
                StatusCode = part.StatusCode,
            };
        }
        return [.. order.Select(id => merged[id])];
    }

    public async Task<IReadOnlyList<Metric>> ListMetricsAsync(
        string @namespace, string metricName, IReadOnlyList<Dimension> dimensions, CancellationToken cancellationToken)
    {
        var metrics = new List<Metric>();
        await foreach (var metric in Paging.AllAsync(
            (token, ct) => _json.InvokeAsync(
                "ListMetrics", new ListMetricsRequest(@namespace, metricName, dimensions, token),
                CloudWatchJsonContext.Default.ListMetricsRequest, CloudWatchJsonContext.Default.ListMetricsResponse, ct),
            page => page.Metrics ?? [],
            page => page.NextToken,
            cancellationToken))
        {
            metrics.Add(metric);
        }
        return metrics;
    }

    public async Task<IReadOnlyList<MetricAlarm>> DescribeAlarmsAsync(AlarmQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var alarms = new List<MetricAlarm>();
        await foreach (var alarm in Paging.AllAsync(
            (token, ct) => _json.InvokeAsync(
                "DescribeAlarms", new DescribeAlarmsRequest(query.AlarmNames, query.AlarmNamePrefix, token),
                CloudWatchJsonContext.Default.DescribeAlarmsRequest, CloudWatchJsonContext.Default.DescribeAlarmsResponse, ct),
            page => page.MetricAlarms ?? [],
            page => page.NextToken,
            cancellationToken))
        {
            alarms.Add(alarm);
        }
        return alarms;
    }
}
