using Rewind.Aws.CloudWatch;
using Rewind.Aws.Errors;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Emulator;
using Xunit;

namespace Rewind.IntegrationTests.Clients.CloudWatch;

// Both CloudWatch operations are POSTs, so these run against the signature-checking emulator.
[Collection("signed-emulator")]
public sealed class CloudWatchClientTests(SignedEmulatorFixture emulator)
{
    private readonly CloudWatchClient _cloudWatch = new(ClientFactory.Transport(emulator));

    private CloudWatchSeeder Seed => new(ClientFactory.Transport(emulator));

    [Fact]
    public async Task Get_metric_data_returns_the_points_put_for_a_metric_statistic()
    {
        var ct = TestContext.Current.CancellationToken;
        var ns = ClientFactory.Unique("Rewind/Test");
        var now = DateTimeOffset.UtcNow;
        var minuteAgo = now.AddMinutes(-1);
        var twoMinutesAgo = now.AddMinutes(-2);
        await Seed.PutMetricDataAsync(ns, "HTTPCode_Target_5XX_Count", ("TargetGroup", "web-green"), [(twoMinutesAgo, 3), (minuteAgo, 5)], ct);
        await Seed.PutMetricDataAsync(ns, "HTTPCode_Target_5XX_Count", ("TargetGroup", "web-blue"), [(minuteAgo, 100)], ct);
        var green = new Metric(ns, "HTTPCode_Target_5XX_Count", [new Dimension("TargetGroup", "web-green")]);

        var results = await _cloudWatch.GetMetricDataAsync(
            [MetricDataQuery.ForMetric("errors", new MetricStat(green, 60, "Sum"))], now.AddMinutes(-10), now.AddMinutes(1), ct);

        var errors = Assert.Single(results);
        Assert.Equal("errors", errors.Id);
        Assert.Equal(MetricDataStatus.Complete, errors.StatusCode);
        Assert.False(string.IsNullOrEmpty(errors.Label));
        Assert.Equal([5.0, 3.0], errors.Values); // newest first, as AWS's default TimestampDescending
        Assert.Equal([minuteAgo.ToUnixTimeSeconds(), twoMinutesAgo.ToUnixTimeSeconds()], errors.Timestamps.Select(t => t.ToUnixTimeSeconds()));
    }

    [Fact]
    public async Task Given_moto_when_a_metric_math_expression_is_asked_then_its_series_is_empty()
    {
        // A known moto gap: metric math returns nothing. The client reports the empty series as it is.
        var ct = TestContext.Current.CancellationToken;
        var ns = ClientFactory.Unique("Rewind/Math");
        var now = DateTimeOffset.UtcNow;
        await Seed.PutMetricDataAsync(ns, "Errors", ("Service", "web"), [(now.AddMinutes(-1), 4)], ct);
        var errors = new Metric(ns, "Errors", [new Dimension("Service", "web")]);

        var results = await _cloudWatch.GetMetricDataAsync(
            [
                MetricDataQuery.ForMetric("e", new MetricStat(errors, 60, "Sum")),
                MetricDataQuery.ForExpression("doubled", "e * 2", "errors doubled"),
            ],
            now.AddMinutes(-10), now.AddMinutes(1), ct);

        Assert.Equal(["e", "doubled"], results.Select(r => r.Id));
        Assert.Equal([4.0], results[0].Values);
        Assert.Empty(results[1].Values);
        Assert.Empty(results[1].Timestamps);
    }

    [Fact]
    public async Task Describe_alarms_by_name_returns_arn_state_reason_and_when_it_changed()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = ClientFactory.Unique("web-5xx");
        await Seed.PutMetricAlarmAsync(name, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ct);
        await Seed.PutMetricAlarmAsync(ClientFactory.Unique("other"), "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ct);

        var created = Assert.Single(await _cloudWatch.DescribeAlarmsAsync(AlarmQuery.Named(name), ct));
        await Seed.SetAlarmStateAsync(name, "ALARM", "Threshold Crossed: 1 datapoint [9.0] was greater than the threshold (5.0).", ct);
        var alarmed = Assert.Single(await _cloudWatch.DescribeAlarmsAsync(AlarmQuery.Named(name), ct));

        Assert.Equal(name, created.AlarmName);
        Assert.Equal($"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}", created.AlarmArn);
        Assert.Equal(AlarmState.Ok, created.StateValue); // moto starts alarms in OK (AWS: INSUFFICIENT_DATA)
        Assert.Equal(AlarmState.Alarm, alarmed.StateValue);
        Assert.StartsWith("Threshold Crossed", alarmed.StateReason, StringComparison.Ordinal);
        Assert.InRange(alarmed.StateUpdatedTimestamp!.Value, created.StateUpdatedTimestamp!.Value, DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task Describe_alarms_by_prefix_returns_only_the_alarms_whose_name_starts_with_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = ClientFactory.Unique("svc") + "-";
        await Seed.PutMetricAlarmAsync(prefix + "latency", "AWS/ApplicationELB", "TargetResponseTime", ct);
        await Seed.PutMetricAlarmAsync(prefix + "errors", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ct);
        await Seed.PutMetricAlarmAsync(ClientFactory.Unique("svc"), "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ct);

        var alarms = await _cloudWatch.DescribeAlarmsAsync(AlarmQuery.WithPrefix(prefix), ct);

        Assert.Equal([prefix + "errors", prefix + "latency"], alarms.Select(a => a.AlarmName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Given_no_alarm_with_the_name_when_described_then_the_list_is_empty()
    {
        var ct = TestContext.Current.CancellationToken;

        Assert.Empty(await _cloudWatch.DescribeAlarmsAsync(AlarmQuery.Named(ClientFactory.Unique("absent")), ct));
    }

    [Fact]
    public async Task Given_a_query_without_metric_or_expression_then_the_ValidationError_propagates()
    {
        var ct = TestContext.Current.CancellationToken;
        var now = DateTimeOffset.UtcNow;

        var error = await Assert.ThrowsAsync<AwsServiceException>(
            () => _cloudWatch.GetMetricDataAsync([new MetricDataQuery { Id = "nothing" }], now.AddMinutes(-5), now, ct));

        Assert.Equal("ValidationError", error.Code);
        Assert.Equal(400, error.HttpStatus);
    }

    [Fact]
    public async Task Given_a_wrong_secret_key_when_describing_alarms_then_SignatureDoesNotMatch_is_thrown()
    {
        var ct = TestContext.Current.CancellationToken;
        var cloudWatch = new CloudWatchClient(ClientFactory.WronglySignedTransport(emulator));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => cloudWatch.DescribeAlarmsAsync(AlarmQuery.WithPrefix("web"), ct));

        Assert.Equal("SignatureDoesNotMatch", error.Code);
        Assert.Equal(403, error.HttpStatus);
    }
}
