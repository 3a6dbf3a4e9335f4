namespace Rewind.Aws.Elb;

/// <summary>A listener of a load balancer and the actions of its default rule.</summary>
public sealed record Listener(
    string ListenerArn,
    string LoadBalancerArn,
    int? Port,
    string? Protocol,
    IReadOnlyList<ElbAction> DefaultActions);

/// <summary>
/// A listener rule; <see cref="Priority"/> is a number as text, or "default" for the listener's default rule. Its
/// conditions are not modelled: <see cref="IElbClient.ModifyRuleAsync"/> leaves them as they are.
/// </summary>
public sealed record ListenerRule(
    string RuleArn,
    string Priority,
    bool IsDefault,
    IReadOnlyList<ElbAction> Actions);

/// <summary>A target group; <see cref="TargetType"/> is instance, ip, lambda or alb.</summary>
public sealed record TargetGroup(
    string TargetGroupArn,
    string TargetGroupName,
    string? Protocol,
    int? Port,
    string? VpcId,
    string? TargetType,
    string? HealthCheckPath,
    IReadOnlyList<string> LoadBalancerArns);

/// <summary>
/// The health of one registered target as the load balancer sees it: <see cref="State"/> is one of
/// <see cref="TargetHealthState"/>, <see cref="Reason"/> says why it is not healthy (Target.FailedHealthChecks, …).
/// </summary>
public sealed record TargetHealth(
    string Id,
    int? Port,
    string? AvailabilityZone,
    string State,
    string? Reason,
    string? Description)
{
    public bool IsHealthy => string.Equals(State, TargetHealthState.Healthy, StringComparison.OrdinalIgnoreCase);
}

/// <summary>The values of <see cref="TargetHealth.State"/>.</summary>
public static class TargetHealthState
{
    public const string Initial = "initial";
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
    public const string UnhealthyDraining = "unhealthy.draining";
    public const string Unused = "unused";
    public const string Draining = "draining";
    public const string Unavailable = "unavailable";
}
