using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Aws.Protocols;
using Rewind.Aws.Transport;

namespace Rewind.Cli.Demo;

/// <summary>
/// Seeds the demo world's load balancer metrics (AWS/ApplicationELB RequestCount and HTTPCode_Target_5XX_Count of the
/// main target group, one point a minute) so <c>rewind verify</c> has a story to tell: a normal baseline before the
/// bad release, a 5XX spike while it served, and a normal rate again from the rollback on. Plain PutMetricData calls.
/// </summary>
public static class DemoMetrics
{
    /// <summary>Requests a minute in every phase.</summary>
    public const double RequestsPerMinute = 1000;

    /// <summary>5XX a minute while the good release serves (0.1 %).</summary>
    public const double NormalErrorsPerMinute = 1;

    /// <summary>5XX a minute while the bad release serves (15 %).</summary>
    public const double SpikeErrorsPerMinute = 150;

    /// <summary>
    /// Seeds three phases: normal for the 15 minutes before <paramref name="badReleaseAt"/>, the spike until
    /// <paramref name="rollbackAt"/>, normal again until <paramref name="normalUntil"/> (later than the demo's end,
    /// so a verification window ending at any moment of the demo has data).
    /// </summary>
    public static async Task SeedAsync(
        AwsTransport transport, string loadBalancer, string targetGroup,
        DateTimeOffset badReleaseAt, DateTimeOffset rollbackAt, DateTimeOffset normalUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        if (!(badReleaseAt < rollbackAt && rollbackAt < normalUntil))
            throw new ArgumentException("the phases must follow each other: bad release < rollback < normal until");
        var json = new JsonProtocol(transport, AwsService.CloudWatch, "GraniteServiceVersion20100801", "1.0");
        var points = new List<(DateTimeOffset At, double Errors)>();
        for (var at = badReleaseAt.AddMinutes(-15); at < normalUntil; at = at.AddMinutes(1))
            points.Add((at, at >= badReleaseAt && at < rollbackAt ? SpikeErrorsPerMinute : NormalErrorsPerMinute));
        // PutMetricData takes up to 1,000 values a call.
        foreach (var batch in points.Chunk(500))
        {
            await PutAsync(json, "RequestCount", loadBalancer, targetGroup, batch.Select(p => (p.At, RequestsPerMinute)), cancellationToken);
            await PutAsync(json, "HTTPCode_Target_5XX_Count", loadBalancer, targetGroup, batch.Select(p => (p.At, p.Errors)), cancellationToken);
        }
    }

    /// <summary>The CloudWatch LoadBalancer dimension (<c>app/NAME/ID</c>) of a load balancer ARN.</summary>
    public static string LoadBalancerDimension(string loadBalancerArn) =>
        loadBalancerArn[(loadBalancerArn.IndexOf(":loadbalancer/", StringComparison.Ordinal) + ":loadbalancer/".Length)..];

    /// <summary>The CloudWatch TargetGroup dimension (<c>targetgroup/NAME/ID</c>) of a target group ARN.</summary>
    public static string TargetGroupDimension(string targetGroupArn) =>
        targetGroupArn[(targetGroupArn.IndexOf(":targetgroup/", StringComparison.Ordinal) + 1)..];

    private static Task PutAsync(
        JsonProtocol json, string metric, string loadBalancer, string targetGroup, IEnumerable<(DateTimeOffset At, double Value)> points, CancellationToken cancellationToken) =>
        RawCalls.JsonAsync(json, "PutMetricData", new JsonObject
        {
            ["Namespace"] = "AWS/ApplicationELB",
            ["MetricData"] = new JsonArray([.. points.Select(p => (JsonNode)new JsonObject
            {
                ["MetricName"] = metric,
                ["Dimensions"] = new JsonArray(
                    new JsonObject { ["Name"] = "LoadBalancer", ["Value"] = loadBalancer },
                    new JsonObject { ["Name"] = "TargetGroup", ["Value"] = targetGroup }),
                ["Timestamp"] = p.At.ToUnixTimeSeconds(),
                ["Value"] = p.Value,
                ["Unit"] = "Count",
            })]),
        }, cancellationToken);
}
