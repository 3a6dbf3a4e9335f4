using Rewind.Aws;
using Rewind.Aws.Elb;
using Rewind.Aws.Errors;

namespace Rewind.Playbook.Tests.Fakes;

/// <summary>
/// ELBv2 in memory: listeners and rules with their actions. Every call is recorded in <see cref="Calls"/>;
/// <see cref="After"/> runs after a call took effect (to lose its answer or kill the run there);
/// <see cref="IgnoreModify"/> makes ModifyListener/ModifyRule answer without changing anything (weights not read back).
/// </summary>
internal sealed class FakeElb : IElbClient
{
    public const string Prefix = "arn:aws:elasticloadbalancing:eu-west-1:123456789012";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Listener> _listeners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ListenerRule> _rules = new(StringComparer.Ordinal);

    public List<string> Calls { get; } = [];

    public bool IgnoreModify { get; set; }

    public Action<string>? After { get; set; }

    public static string ListenerArn(string name) => $"{Prefix}:listener/app/alb/0123/{name}";

    public static string RuleArn(string name) => $"{Prefix}:listener-rule/app/alb/0123/{name}";

    public static string TargetGroup(string name) => $"{Prefix}:targetgroup/{name}/0123";

    /// <summary>One forward action between two target groups, with stickiness (which a rewrite must keep).</summary>
    public static ElbAction Forward(string main, string canary, int mainWeight, int canaryWeight) => new()
    {
        Type = ElbActionType.Forward,
        Order = 1,
        ForwardConfig = new ForwardConfig
        {
            TargetGroups = [new WeightedTargetGroup(main, mainWeight), new WeightedTargetGroup(canary, canaryWeight)],
            TargetGroupStickinessConfig = new TargetGroupStickiness(true, 300),
        },
    };

    public FakeElb WithListener(string arn, params ElbAction[] actions)
    {
        lock (_gate)
            _listeners[arn] = new Listener(arn, $"{Prefix}:loadbalancer/app/alb/0123", 443, "HTTPS", actions);
        return this;
    }

    public FakeElb WithRule(string arn, params ElbAction[] actions)
    {
        lock (_gate)
            _rules[arn] = new ListenerRule(arn, "10", false, actions);
        return this;
    }

    public IReadOnlyList<ElbAction> ActionsOf(string arn)
    {
        lock (_gate)
            return _listeners.TryGetValue(arn, out var listener) ? listener.DefaultActions : _rules[arn].Actions;
    }

    public int ModifyCount => Calls.Count(c => c.StartsWith("Modify", StringComparison.Ordinal));

    public Task<IReadOnlyList<Listener>> DescribeListenersAsync(IReadOnlyList<string> listenerArns, CancellationToken cancellationToken)
    {
        IReadOnlyList<Listener> found;
        lock (_gate)
        {
            Calls.Add($"DescribeListeners {string.Join(",", listenerArns)}");
            if (listenerArns.FirstOrDefault(a => !_listeners.ContainsKey(a)) is { } missing)
                throw new AwsServiceException(AwsService.Elb, "DescribeListeners", "ListenerNotFound", $"One or more listeners not found: {missing}", 400, "req-1");
            found = [.. listenerArns.Select(a => _listeners[a])];
        }
        After?.Invoke("DescribeListeners");
        return Task.FromResult(found);
    }

    public Task<IReadOnlyList<ListenerRule>> DescribeRulesAsync(IReadOnlyList<string> ruleArns, CancellationToken cancellationToken)
    {
        IReadOnlyList<ListenerRule> found;
        lock (_gate)
        {
            Calls.Add($"DescribeRules {string.Join(",", ruleArns)}");
            if (ruleArns.FirstOrDefault(a => !_rules.ContainsKey(a)) is { } missing)
                throw new AwsServiceException(AwsService.Elb, "DescribeRules", "RuleNotFound", $"One or more rules not found: {missing}", 400, "req-1");
            found = [.. ruleArns.Select(a => _rules[a])];
        }
        After?.Invoke("DescribeRules");
        return Task.FromResult(found);
    }

    public Task<Listener> ModifyListenerAsync(string listenerArn, IReadOnlyList<ElbAction> defaultActions, CancellationToken cancellationToken)
    {
        Listener listener;
        lock (_gate)
        {
            Calls.Add($"ModifyListener {listenerArn} {Weights(defaultActions)}");
            listener = _listeners[listenerArn];
            if (!IgnoreModify)
                listener = _listeners[listenerArn] = listener with { DefaultActions = defaultActions };
        }
        After?.Invoke("ModifyListener");
        return Task.FromResult(listener);
    }

    public Task<ListenerRule> ModifyRuleAsync(string ruleArn, IReadOnlyList<ElbAction> actions, CancellationToken cancellationToken)
    {
        ListenerRule rule;
        lock (_gate)
        {
            Calls.Add($"ModifyRule {ruleArn} {Weights(actions)}");
            rule = _rules[ruleArn];
            if (!IgnoreModify)
                rule = _rules[ruleArn] = rule with { Actions = actions };
        }
        After?.Invoke("ModifyRule");
        return Task.FromResult(rule);
    }

    /// <summary>The forward weights of the actions, "100/0", for the call log.</summary>
    public static string Weights(IReadOnlyList<ElbAction> actions) =>
        string.Join(";", actions.Where(a => a.ForwardConfig is not null).Select(a => string.Join("/", a.ForwardConfig!.TargetGroups.Select(g => g.Weight))));

    public Task<IReadOnlyList<Listener>> DescribeListenersOfLoadBalancerAsync(string loadBalancerArn, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the canary step");

    public Task<IReadOnlyList<ListenerRule>> DescribeRulesOfListenerAsync(string listenerArn, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the canary step");

    public Task<IReadOnlyList<TargetGroup>> DescribeTargetGroupsAsync(IReadOnlyList<string> targetGroupArns, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the canary step");

    public Task<IReadOnlyList<TargetGroup>> DescribeTargetGroupsByNameAsync(IReadOnlyList<string> names, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the canary step");

    public Task<IReadOnlyList<TargetHealth>> DescribeTargetHealthAsync(string targetGroupArn, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the canary step");
}
