using System.Globalization;
using System.Xml.Linq;
using Rewind.Aws;
using Rewind.Aws.Protocols;
using Rewind.Aws.Transport;

namespace Rewind.IntegrationTests.Clients.Elb;

/// <summary>An ALB with two target groups and a listener forwarding main 90 / canary 10, stickiness on for 300 s.</summary>
internal sealed record WeightedAlb(
    string Suffix, string VpcId, IReadOnlyList<string> SubnetIds, string LoadBalancerArn, string MainArn, string CanaryArn, string ListenerArn);

/// <summary>
/// Seeds ELBv2 and EC2 state through signed query calls. The action fields are spelled out by hand (not written by
/// the client under test), so a member-name mistake in the client cannot hide behind the same mistake here.
/// </summary>
internal sealed class ElbSeed(AwsTransport transport)
{
    private static readonly AwsService Ec2 = new("EC2", "ec2", "ec2", "EC2");

    private readonly QueryProtocol _ec2 = new(transport, Ec2, "2016-11-15");
    private readonly QueryProtocol _elb = new(transport, AwsService.Elb, "2015-12-01");

    public async Task<WeightedAlb> CreateWeightedAlbAsync(CancellationToken ct)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var vpc = await Ec2Async("CreateVpc", [new("CidrBlock", "10.0.0.0/16")], "vpcId", ct);
        var subnetA = await Ec2Async("CreateSubnet", [new("VpcId", vpc), new("CidrBlock", "10.0.1.0/24"), new("AvailabilityZone", "us-east-1a")], "subnetId", ct);
        var subnetB = await Ec2Async("CreateSubnet", [new("VpcId", vpc), new("CidrBlock", "10.0.2.0/24"), new("AvailabilityZone", "us-east-1b")], "subnetId", ct);
        var loadBalancer = await ElbAsync(
            "CreateLoadBalancer",
            [new("Name", $"rw-{suffix}"), new("Subnets.member.1", subnetA), new("Subnets.member.2", subnetB), new("Type", "application")],
            "LoadBalancerArn",
            ct);
        var main = await CreateTargetGroupAsync($"rw-{suffix}-main", vpc, "ip", ct);
        var canary = await CreateTargetGroupAsync($"rw-{suffix}-canary", vpc, "ip", ct);
        var listener = await CreateListenerAsync(loadBalancer, 80, WeightedForward("DefaultActions.member.1", main, 90, canary, 10), ct);
        return new WeightedAlb(suffix, vpc, [subnetA, subnetB], loadBalancer, main, canary, listener);
    }

    /// <summary>forward main/canary with the given weights, Order 1, stickiness on for 300 s, under <paramref name="prefix"/>.</summary>
    public static List<KeyValuePair<string, string>> WeightedForward(string prefix, string main, int mainWeight, string canary, int canaryWeight, int order = 1) =>
    [
        new($"{prefix}.Type", "forward"),
        new($"{prefix}.Order", Number(order)),
        new($"{prefix}.ForwardConfig.TargetGroups.member.1.TargetGroupArn", main),
        new($"{prefix}.ForwardConfig.TargetGroups.member.1.Weight", Number(mainWeight)),
        new($"{prefix}.ForwardConfig.TargetGroups.member.2.TargetGroupArn", canary),
        new($"{prefix}.ForwardConfig.TargetGroups.member.2.Weight", Number(canaryWeight)),
        new($"{prefix}.ForwardConfig.TargetGroupStickinessConfig.Enabled", "true"),
        new($"{prefix}.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds", "300"),
    ];

    public Task<string> CreateTargetGroupAsync(string name, string vpcId, string targetType, CancellationToken ct) =>
        ElbAsync(
            "CreateTargetGroup",
            [new("Name", name), new("Protocol", "HTTP"), new("Port", "80"), new("VpcId", vpcId), new("TargetType", targetType), new("HealthCheckPath", "/healthz")],
            "TargetGroupArn",
            ct);

    public Task<string> CreateListenerAsync(string loadBalancerArn, int port, IEnumerable<KeyValuePair<string, string>> defaultActionFields, CancellationToken ct) =>
        ElbAsync(
            "CreateListener",
            [new("LoadBalancerArn", loadBalancerArn), new("Protocol", "HTTP"), new("Port", Number(port)), .. defaultActionFields],
            "ListenerArn",
            ct);

    /// <summary>A rule matching <c>/{pathSegment}/*</c>; the action fields start with <c>Actions.member.N</c>.</summary>
    public Task<string> CreateRuleAsync(string listenerArn, int priority, string pathSegment, IEnumerable<KeyValuePair<string, string>> actionFields, CancellationToken ct) =>
        ElbAsync(
            "CreateRule",
            [
                new("ListenerArn", listenerArn), new("Priority", Number(priority)),
                new("Conditions.member.1.Field", "path-pattern"),
                new("Conditions.member.1.PathPatternConfig.Values.member.1", $"/{pathSegment}/*"),
                .. actionFields,
            ],
            "RuleArn",
            ct);

    public async Task RegisterTargetsAsync(string targetGroupArn, IReadOnlyList<string> targetIds, int? port, CancellationToken ct)
    {
        var fields = new List<KeyValuePair<string, string>> { new("TargetGroupArn", targetGroupArn) };
        for (var i = 0; i < targetIds.Count; i++)
        {
            fields.Add(new($"Targets.member.{Number(i + 1)}.Id", targetIds[i]));
            if (port is { } p)
                fields.Add(new($"Targets.member.{Number(i + 1)}.Port", Number(p)));
        }
        await _elb.InvokeAsync("RegisterTargets", fields, ct, readOnly: false, declaredClass: CallClass.NotIdempotent);
    }

    /// <summary>Raw DescribeRules XML of one rule, to check what the client does not model (conditions).</summary>
    public Task<XElement> DescribeRuleXmlAsync(string ruleArn, CancellationToken ct) =>
        _elb.InvokeAsync("DescribeRules", [new("RuleArns.member.1", ruleArn)], ct);

    public Task<string> RunInstanceAsync(string subnetId, CancellationToken ct) =>
        Ec2Async(
            "RunInstances",
            [new("ImageId", "ami-12c6146b"), new("InstanceType", "t3.micro"), new("MinCount", "1"), new("MaxCount", "1"), new("SubnetId", subnetId)],
            "instanceId",
            ct);

    public Task StopInstanceAsync(string instanceId, CancellationToken ct) =>
        _ec2.InvokeAsync("StopInstances", [new("InstanceId.1", instanceId)], ct, readOnly: false, declaredClass: CallClass.NotIdempotent);

    private async Task<string> Ec2Async(string action, List<KeyValuePair<string, string>> fields, string idElement, CancellationToken ct) =>
        FirstText(await _ec2.InvokeAsync(action, fields, ct, readOnly: false, declaredClass: CallClass.NotIdempotent), idElement);

    private async Task<string> ElbAsync(string action, List<KeyValuePair<string, string>> fields, string idElement, CancellationToken ct) =>
        FirstText(await _elb.InvokeAsync(action, fields, ct, readOnly: false, declaredClass: CallClass.NotIdempotent), idElement);

    private static string FirstText(XElement answer, string name) =>
        answer.DescendantsAndSelf().First(e => e.Name.LocalName == name).Value;

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
