using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Aws.Protocols;
using Rewind.Aws.Transport;
using Rewind.IntegrationTests.Clients.Support;

namespace Rewind.IntegrationTests.Clients.CloudWatch;

/// <summary>Puts metric data and alarms for tests (JSON 1.0, signed), operations the product client does not have.</summary>
internal sealed class CloudWatchSeeder(AwsTransport transport)
{
    private readonly JsonProtocol _json = new(transport, AwsService.CloudWatch, "GraniteServiceVersion20100801", "1.0");

    public Task PutMetricDataAsync(
        string @namespace, string metricName, (string Name, string Value) dimension, IEnumerable<(DateTimeOffset At, double Value)> points, CancellationToken ct) =>
        PutMetricDataAsync(@namespace, metricName, [dimension], points, ct);

    public async Task PutMetricDataAsync(
        string @namespace, string metricName, IReadOnlyList<(string Name, string Value)> dimensions, IEnumerable<(DateTimeOffset At, double Value)> points, CancellationToken ct) =>
        await _json.InvokeAsync("PutMetricData", new JsonObject
        {
            ["Namespace"] = @namespace,
            ["MetricData"] = new JsonArray([.. points.Select(p => (JsonNode)new JsonObject
            {
                ["MetricName"] = metricName,
                ["Dimensions"] = new JsonArray([.. dimensions.Select(d => (JsonNode)new JsonObject { ["Name"] = d.Name, ["Value"] = d.Value })]),
                ["Timestamp"] = p.At.ToUnixTimeSeconds(),
                ["Value"] = p.Value,
                ["Unit"] = "Count",
            })]),
        }, ct);

    public async Task PutMetricAlarmAsync(string alarmName, string @namespace, string metricName, CancellationToken ct) =>
        await _json.InvokeAsync("PutMetricAlarm", new JsonObject
        {
            ["AlarmName"] = alarmName,
            ["Namespace"] = @namespace,
            ["MetricName"] = metricName,
            ["Statistic"] = "Sum",
            ["Period"] = 60,
            ["EvaluationPeriods"] = 1,
            ["Threshold"] = 5.0,
            ["ComparisonOperator"] = "GreaterThanThreshold",
        }, ct);

    public async Task SetAlarmStateAsync(string alarmName, string state, string reason, CancellationToken ct) =>
        await _json.InvokeAsync("SetAlarmState", new JsonObject
        {
            ["AlarmName"] = alarmName,
            ["StateValue"] = state,
            ["StateReason"] = reason,
        }, ct);
}
