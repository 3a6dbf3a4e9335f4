using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Rewind.Aws.Errors;
using Rewind.Aws.Protocols;
using Rewind.Aws.Transport;

namespace Rewind.Aws.Elb;

/// <summary>ELBv2 over the query protocol (API 2015-12-01, signing name elasticloadbalancing).</summary>
public sealed class ElbClient : IElbClient
{
    private const string ApiVersion = "2015-12-01";

    private readonly QueryProtocol _query;
    private readonly int? _pageSize;

    /// <param name="transport">The shared transport.</param>
    /// <param name="pageSize">Items per Describe page (1–400); null leaves it to the service.</param>
    public ElbClient(AwsTransport transport, int? pageSize = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        if (pageSize is { } size)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(pageSize));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(size, 400, nameof(pageSize));
        }
        _query = new QueryProtocol(transport, AwsService.Elb, ApiVersion);
        _pageSize = pageSize;
    }

    public Task<IReadOnlyList<Listener>> DescribeListenersAsync(IReadOnlyList<string> listenerArns, CancellationToken cancellationToken) =>
        DescribeAllAsync("DescribeListeners", Members("ListenerArns", listenerArns), "Listeners", ReadListener, cancellationToken);

    public Task<IReadOnlyList<Listener>> DescribeListenersOfLoadBalancerAsync(string loadBalancerArn, CancellationToken cancellationToken) =>
        DescribeAllAsync("DescribeListeners", [new("LoadBalancerArn", loadBalancerArn)], "Listeners", ReadListener, cancellationToken);

    public Task<IReadOnlyList<ListenerRule>> DescribeRulesAsync(IReadOnlyList<string> ruleArns, CancellationToken cancellationToken) =>
        DescribeAllAsync("DescribeRules", Members("RuleArns", ruleArns), "Rules", ReadRule, cancellationToken);

    public Task<IReadOnlyList<ListenerRule>> DescribeRulesOfListenerAsync(string listenerArn, CancellationToken cancellationToken) =>
        DescribeAllAsync("DescribeRules", [new("ListenerArn", listenerArn)], "Rules", ReadRule, cancellationToken);

    public async Task<Listener> ModifyListenerAsync(string listenerArn, IReadOnlyList<ElbAction> defaultActions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(defaultActions);
        if (defaultActions.Count == 0)
            throw new ArgumentException("a listener needs at least one default action", nameof(defaultActions));
        List<KeyValuePair<string, string>> parameters = [new("ListenerArn", listenerArn), .. ElbActionCodec.Write("DefaultActions", defaultActions)];
        var result = await _query.InvokeAsync("ModifyListener", parameters, cancellationToken, readOnly: false);
        return Read("ModifyListener", () => result.Items("Listeners").Select(ReadListener).Single());
    }

    public async Task<ListenerRule> ModifyRuleAsync(string ruleArn, IReadOnlyList<ElbAction> actions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count == 0)
            throw new ArgumentException("a rule needs at least one action", nameof(actions));
        List<KeyValuePair<string, string>> parameters = [new("RuleArn", ruleArn), .. ElbActionCodec.Write("Actions", actions)];
        var result = await _query.InvokeAsync("ModifyRule", parameters, cancellationToken, readOnly: false);
        return Read("ModifyRule", () => result.Items("Rules").Select(ReadRule).Single());
    }

    public Task<IReadOnlyList<TargetGroup>> DescribeTargetGroupsAsync(IReadOnlyList<string> targetGroupArns, CancellationToken cancellationToken) =>
        DescribeAllAsync("DescribeTargetGroups", Members("TargetGroupArns", targetGroupArns), "TargetGroups", ReadTargetGroup, cancellationToken);

    public Task<IReadOnlyList<TargetGroup>> DescribeTargetGroupsByNameAsync(IReadOnlyList<string> names, CancellationToken cancellationToken) =>
        DescribeAllAsync("DescribeTargetGroups", Members("Names", names), "TargetGroups", ReadTargetGroup, cancellationToken);

    public async Task<IReadOnlyList<TargetHealth>> DescribeTargetHealthAsync(string targetGroupArn, CancellationToken cancellationToken)
    {
        var result = await _query.InvokeAsync("DescribeTargetHealth", [new("TargetGroupArn", targetGroupArn)], cancellationToken);
        return Read("DescribeTargetHealth", () => result.Items("TargetHealthDescriptions").Select(ReadTargetHealth).ToList());
    }

    private async Task<IReadOnlyList<T>> DescribeAllAsync<T>(
        string action, IReadOnlyList<KeyValuePair<string, string>> parameters, string listName, Func<XElement, T> read,
        CancellationToken cancellationToken)
    {
        var all = new List<T>();
        var pages = Paging.AllAsync(
            (marker, token) => _query.InvokeAsync(action, WithPaging(parameters, marker), token),
            page => Read(action, () => page.Items(listName).Select(read).ToList()),
            page => page.Text("NextMarker"),
            cancellationToken);
        await foreach (var item in pages)
            all.Add(item);
        return all;
    }

    private List<KeyValuePair<string, string>> WithPaging(IReadOnlyList<KeyValuePair<string, string>> parameters, string? marker)
    {
        var fields = new List<KeyValuePair<string, string>>(parameters);
        if (_pageSize is { } size)
            fields.Add(new("PageSize", size.ToString(CultureInfo.InvariantCulture)));
        if (marker is not null)
            fields.Add(new("Marker", marker));
        return fields;
    }

    private static List<KeyValuePair<string, string>> Members(string listName, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
            throw new ArgumentException($"{listName} needs at least one value", nameof(values));
        return [.. values.Select((value, i) => new KeyValuePair<string, string>($"{listName}.member.{(i + 1).ToString(CultureInfo.InvariantCulture)}", value))];
    }

    private static Listener ReadListener(XElement listener) => new(
        listener.RequiredText("ListenerArn"),
        listener.RequiredText("LoadBalancerArn"),
        listener.Int("Port"),
        listener.Text("Protocol"),
        [.. listener.Items("DefaultActions").Select(ElbActionCodec.Read)]);

    private static ListenerRule ReadRule(XElement rule) => new(
        rule.RequiredText("RuleArn"),
        rule.RequiredText("Priority"),
        rule.Bool("IsDefault") ?? false,
        [.. rule.Items("Actions").Select(ElbActionCodec.Read)]);

    private static TargetGroup ReadTargetGroup(XElement group) => new(
        group.RequiredText("TargetGroupArn"),
        group.RequiredText("TargetGroupName"),
        group.Text("Protocol"),
        group.Int("Port"),
        group.Text("VpcId"),
        group.Text("TargetType"),
        group.Text("HealthCheckPath"),
        [.. group.Items("LoadBalancerArns").Select(arn => arn.Value)]);

    private static TargetHealth ReadTargetHealth(XElement description)
    {
        var target = description.Child("Target") ?? throw new XmlException("<member> has no <Target>");
        var health = description.Child("TargetHealth") ?? throw new XmlException("<member> has no <TargetHealth>");
        return new TargetHealth(
            target.RequiredText("Id"),
            target.Int("Port"),
            target.Text("AvailabilityZone"),
            health.RequiredText("State"),
            NonEmpty(health.Text("Reason")),
            NonEmpty(health.Text("Description")));
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static T Read<T>(string action, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is XmlException or InvalidOperationException)
        {
            throw new AwsServiceException(AwsService.Elb, action, "MalformedResponse", $"the answer could not be read: {e.Message}", 200, null);
        }
    }
}
