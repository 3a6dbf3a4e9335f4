using System.Text.RegularExpressions;
using Rewind.Core.Configuration;

namespace Rewind.Cli.Demo;

/// <summary>
/// The names of a demo world: the playbook's own (<c>claude-proxy</c>, <c>api-service</c>, <c>claude-proxy-api</c>)
/// or, for tests that seed several worlds into one emulator, the same names behind a prefix.
/// </summary>
/// <param name="Prefix">The prefix every name starts with ("" for the playbook's names).</param>
/// <param name="Cluster">The ECS cluster.</param>
/// <param name="Service">The ECS service.</param>
/// <param name="Family">The task definition family.</param>
public sealed partial record DemoNames(string Prefix, string Cluster, string Service, string Family)
{
    /// <summary>The longest prefix that keeps every load balancer and target group name within ELBv2's 32 characters.</summary>
    public const int MaxPrefixLength = 12;

    /// <summary>The playbook's names, exactly as its scripts use them.</summary>
    public static DemoNames Playbook { get; } =
        new("", PlaybookDefaults.Cluster, PlaybookDefaults.EcsService, PlaybookDefaults.Family);

    /// <summary>The playbook's names behind <paramref name="prefix"/>: <c>Unique("t1")</c> gives cluster <c>t1-claude-proxy</c>.</summary>
    public static DemoNames Unique(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (!PrefixPattern().IsMatch(prefix))
        {
            throw new ArgumentException(
                $"demo prefix '{prefix}' must be 1–{MaxPrefixLength} lowercase letters, digits or inner hyphens", nameof(prefix));
        }
        return new(prefix, $"{prefix}-{Playbook.Cluster}", $"{prefix}-{Playbook.Service}", $"{prefix}-{Playbook.Family}");
    }

    /// <summary>The Application Load Balancer in front of the service.</summary>
    public string LoadBalancer => Dashed("claude-proxy-alb");

    /// <summary>The target group that takes the main share of the traffic.</summary>
    public string MainTargetGroup => Dashed("claude-proxy-main");

    /// <summary>The target group that takes the canary share.</summary>
    public string CanaryTargetGroup => Dashed("claude-proxy-canary");

    /// <summary>The API key secret (the playbook's <c>claude-proxy/api-key</c>).</summary>
    public string SecretName => $"{Cluster}/api-key";

    /// <summary>The container image repository; the revisions differ only by tag.</summary>
    public string ImageRepository(string region) => $"123456789012.dkr.ecr.{region}.amazonaws.com/{Family}";

    private string Dashed(string name) => Prefix.Length == 0 ? name : $"{Prefix}-{name}";

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$")]
    private static partial Regex PrefixPattern();
}
