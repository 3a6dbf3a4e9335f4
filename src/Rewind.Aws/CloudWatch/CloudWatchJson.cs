using System.Text.Json.Serialization;
using Rewind.Aws.Protocols;

namespace Rewind.Aws.CloudWatch;

// The request and response shapes of the CloudWatch API (botocore's cloudwatch/2010-08-01 model), PascalCase.

internal sealed record GetMetricDataRequest(
    IReadOnlyList<MetricDataQuery> MetricDataQueries, DateTimeOffset StartTime, DateTimeOffset EndTime, string? NextToken);

internal sealed record GetMetricDataResponse(IReadOnlyList<MetricDataResult>? MetricDataResults, string? NextToken);

internal sealed record ListMetricsRequest(string Namespace, string MetricName, IReadOnlyList<Dimension> Dimensions, string? NextToken);

internal sealed record ListMetricsResponse(IReadOnlyList<Metric>? Metrics, string? NextToken);

internal sealed record DescribeAlarmsRequest(IReadOnlyList<string>? AlarmNames, string? AlarmNamePrefix, string? NextToken);

internal sealed record DescribeAlarmsResponse(IReadOnlyList<MetricAlarm>? MetricAlarms, string? NextToken);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(EpochSecondsConverter)])]
[JsonSerializable(typeof(GetMetricDataRequest))]
[JsonSerializable(typeof(GetMetricDataResponse))]
[JsonSerializable(typeof(ListMetricsRequest))]
[JsonSerializable(typeof(ListMetricsResponse))]
[JsonSerializable(typeof(DescribeAlarmsRequest))]
[JsonSerializable(typeof(DescribeAlarmsResponse))]
internal sealed partial class CloudWatchJsonContext : JsonSerializerContext;
