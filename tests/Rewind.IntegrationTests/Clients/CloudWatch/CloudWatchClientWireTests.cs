using Rewind.Aws.CloudWatch;
using Rewind.IntegrationTests.Clients.Support;
using Xunit;

namespace Rewind.IntegrationTests.Clients.CloudWatch;

// What goes on the wire, and answers moto does not give (pages), served in-process.
public sealed class CloudWatchClientWireTests
{
    private const string Json10 = "application/x-amz-json-1.0";

    [Fact]
    public async Task Get_metric_data_sends_json_1_0_with_epoch_seconds_and_stitches_pages_per_query()
    {
        var ct = TestContext.Current.CancellationToken;
        var answers = new CannedAnswers()
            .Json("""{"MetricDataResults":[{"Id":"a","Label":"5xx","Timestamps":[1740830520,1740830460],"Values":[2.0,1.0],"StatusCode":"PartialData"},{"Id":"b","Label":"p99","Timestamps":[1740830520],"Values":[0.3],"StatusCode":"PartialData"}],"NextToken":"more"}""", contentType: Json10)
            .Json("""{"MetricDataResults":[{"Id":"a","Timestamps":[1740830400],"Values":[7.0],"StatusCode":"Complete"},{"Id":"b","Timestamps":[],"Values":[],"StatusCode":"Complete"}],"Messages":[]}""", contentType: Json10);
        var metric = new Metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", [new Dimension("LoadBalancer", "app/web/1")]);
        var start = DateTimeOffset.FromUnixTimeSeconds(1740830000);

        var results = await new CloudWatchClient(ClientFactory.Transport(answers)).GetMetricDataAsync(
            [MetricDataQuery.ForMetric("a", new MetricStat(metric, 60, "Sum")), MetricDataQuery.ForExpression("b", "a/2")],
            start, start.AddMinutes(10), ct);

        Assert.Equal("GraniteServiceVersion20100801.GetMetricData", answers.Sent[0].Target);
        Assert.Equal(
            """{"MetricDataQueries":[{"Id":"a","MetricStat":{"Metric":{"Namespace":"AWS/ApplicationELB","MetricName":"HTTPCode_Target_5XX_Count","Dimensions":[{"Name":"LoadBalancer","Value":"app/web/1"}]},"Period":60,"Stat":"Sum"}},{"Id":"b","Expression":"a/2"}],"StartTime":1740830000,"EndTime":1740830600}""",
            answers.Sent[0].Body);
        Assert.EndsWith(""","NextToken":"more"}""", answers.Sent[1].Body, StringComparison.Ordinal);
        Assert.Equal(["a", "b"], results.Select(r => r.Id));
        Assert.Equal([2.0, 1.0, 7.0], results[0].Values);
        Assert.Equal([1740830520L, 1740830460L, 1740830400L], results[0].Timestamps.Select(t => t.ToUnixTimeSeconds()));
        Assert.Equal(("5xx", MetricDataStatus.Complete), (results[0].Label, results[0].StatusCode));
        Assert.Equal([0.3], results[1].Values);
    }

    [Fact]
    public async Task Describe_alarms_sends_names_or_prefix_and_follows_next_tokens()
    {
        var ct = TestContext.Current.CancellationToken;
        var answers = new CannedAnswers()
            .Json("""{"MetricAlarms":[{"AlarmName":"web-5xx","AlarmArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx","StateValue":"INSUFFICIENT_DATA","StateReason":"Unchecked: Initial alarm creation","StateUpdatedTimestamp":1740830400.25}],"CompositeAlarms":[],"NextToken":"n"}""", contentType: Json10)
            .Json("""{"MetricAlarms":[{"AlarmName":"web-latency","StateValue":"ALARM"}]}""", contentType: Json10)
            .Json("""{"MetricAlarms":[]}""", contentType: Json10);
        var cloudWatch = new CloudWatchClient(ClientFactory.Transport(answers));

        var alarms = await cloudWatch.DescribeAlarmsAsync(AlarmQuery.WithPrefix("web-"), ct);
        await cloudWatch.DescribeAlarmsAsync(AlarmQuery.Named("a", "b"), ct);

        Assert.Equal("""{"AlarmNamePrefix":"web-"}""", answers.Sent[0].Body);
        Assert.Equal("""{"AlarmNamePrefix":"web-","NextToken":"n"}""", answers.Sent[1].Body);
        Assert.Equal("""{"AlarmNames":["a","b"]}""", answers.Sent[2].Body);
        Assert.Equal([AlarmState.InsufficientData, AlarmState.Alarm], alarms.Select(a => a.StateValue));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1740830400250), alarms[0].StateUpdatedTimestamp);
    }

    [Fact]
    public void An_alarm_query_needs_names_or_a_prefix()
    {
        Assert.Throws<ArgumentException>(() => AlarmQuery.Named());
        Assert.Throws<ArgumentException>(() => AlarmQuery.WithPrefix(""));
    }
}
