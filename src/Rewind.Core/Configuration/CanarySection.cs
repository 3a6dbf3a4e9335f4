namespace Rewind.Core.Configuration;

/// <summary>The weighted forward the canary step rewrites (<c>canary:</c>): a listener's default action or one rule.</summary>
/// <param name="ListenerArn">The listener whose default action splits traffic; null when <paramref name="RuleArn"/> is set.</param>
/// <param name="RuleArn">The listener rule that splits traffic; null when <paramref name="ListenerArn"/> is set.</param>
/// <param name="MainTargetGroup">ARN of the stable target group.</param>
/// <param name="CanaryTargetGroup">ARN of the canary target group.</param>
public sealed record CanarySection(string? ListenerArn, string? RuleArn, string MainTargetGroup, string CanaryTargetGroup);
