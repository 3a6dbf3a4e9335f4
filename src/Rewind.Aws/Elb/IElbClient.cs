namespace Rewind.Aws.Elb;

/// <summary>The ELBv2 operations Rewind uses. AWS errors (ListenerNotFound, RuleNotFound, TargetGroupNotFound, …) surface as AwsServiceException.</summary>
public interface IElbClient
{
    /// <summary>The listeners with these ARNs, every page.</summary>
    Task<IReadOnlyList<Listener>> DescribeListenersAsync(IReadOnlyList<string> listenerArns, CancellationToken cancellationToken);

    /// <summary>Every listener of a load balancer, every page.</summary>
    Task<IReadOnlyList<Listener>> DescribeListenersOfLoadBalancerAsync(string loadBalancerArn, CancellationToken cancellationToken);

    /// <summary>The rules with these ARNs, every page.</summary>
    Task<IReadOnlyList<ListenerRule>> DescribeRulesAsync(IReadOnlyList<string> ruleArns, CancellationToken cancellationToken);

    /// <summary>Every rule of a listener, its default rule included, every page.</summary>
    Task<IReadOnlyList<ListenerRule>> DescribeRulesOfListenerAsync(string listenerArn, CancellationToken cancellationToken);

    /// <summary>Replaces the listener's default actions (only those); returns the listener as modified.</summary>
    Task<Listener> ModifyListenerAsync(string listenerArn, IReadOnlyList<ElbAction> defaultActions, CancellationToken cancellationToken);

    /// <summary>Replaces the rule's actions (its conditions stay); returns the rule as modified.</summary>
    Task<ListenerRule> ModifyRuleAsync(string ruleArn, IReadOnlyList<ElbAction> actions, CancellationToken cancellationToken);

    /// <summary>The target groups with these ARNs, every page.</summary>
    Task<IReadOnlyList<TargetGroup>> DescribeTargetGroupsAsync(IReadOnlyList<string> targetGroupArns, CancellationToken cancellationToken);

    /// <summary>The target groups with these names, every page.</summary>
    Task<IReadOnlyList<TargetGroup>> DescribeTargetGroupsByNameAsync(IReadOnlyList<string> names, CancellationToken cancellationToken);

    /// <summary>The health of every target registered in the target group.</summary>
    Task<IReadOnlyList<TargetHealth>> DescribeTargetHealthAsync(string targetGroupArn, CancellationToken cancellationToken);
}
