using System.Text.RegularExpressions;

namespace Rewind.Core.Configuration;

/// <summary>The shapes valid configuration values have; patterns are source-generated, so no reflection at run time.</summary>
internal static partial class ConfigRules
{
    private const string Partition = "arn:aws(?:-[a-z]+)*";
    private const string ElbPrefix = Partition + ":elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:";

    /// <summary>Rewind's own service name: it becomes part of SSM parameter names and ledger keys.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$")]
    public static partial Regex ServiceName();

    /// <summary>ECS cluster, service and task family names.</summary>
    [GeneratedRegex("^[A-Za-z0-9_-]{1,255}$")]
    public static partial Regex EcsName();

    [GeneratedRegex("^" + Partition + ":ecs:[a-z0-9-]+:[0-9]{12}:cluster/[A-Za-z0-9_-]{1,255}$")]
    public static partial Regex EcsClusterArn();

    [GeneratedRegex("^" + Partition + ":ecs:[a-z0-9-]+:[0-9]{12}:service/([A-Za-z0-9_-]{1,255}/)?[A-Za-z0-9_-]{1,255}$")]
    public static partial Regex EcsServiceArn();

    [GeneratedRegex("^" + ElbPrefix + "listener/(app|net|gwy)/[A-Za-z0-9-]+/[0-9a-f]+/[0-9a-f]+$")]
    public static partial Regex ListenerArn();

    [GeneratedRegex("^" + ElbPrefix + "listener-rule/(app|net|gwy)/[A-Za-z0-9-]+/[0-9a-f]+/[0-9a-f]+/[0-9a-f]+$")]
    public static partial Regex RuleArn();

    [GeneratedRegex("^" + ElbPrefix + "(?<dimension>targetgroup/[A-Za-z0-9-]+/[0-9a-f]+)$")]
    public static partial Regex TargetGroupArn();

    [GeneratedRegex("^" + ElbPrefix + "loadbalancer/(?<dimension>(app|net|gwy)/[A-Za-z0-9-]+/[0-9a-f]+)$")]
    public static partial Regex LoadBalancerArn();

    /// <summary>The CloudWatch <c>LoadBalancer</c> dimension.</summary>
    [GeneratedRegex("^(app|net|gwy)/[A-Za-z0-9-]+/[0-9a-f]+$")]
    public static partial Regex LoadBalancerDimension();

    /// <summary>The CloudWatch <c>TargetGroup</c> dimension.</summary>
    [GeneratedRegex("^targetgroup/[A-Za-z0-9-]+/[0-9a-f]+$")]
    public static partial Regex TargetGroupDimension();

    [GeneratedRegex("^" + Partition + ":secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$")]
    public static partial Regex SecretArn();

    [GeneratedRegex("^[A-Za-z0-9/_+=.@-]{1,512}$")]
    public static partial Regex SecretName();

    [GeneratedRegex("^[A-Z0-9]{1,64}$")]
    public static partial Regex DistributionId();

    [GeneratedRegex("^[a-z]{2,}(-[a-z]+)+-[0-9]+$")]
    public static partial Regex Region();

    /// <summary>An IAM role's ARN, as STS AssumeRole takes it.</summary>
    [GeneratedRegex("^" + Partition + ":iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$")]
    public static partial Regex RoleArn();

    /// <summary>An external id as STS AssumeRole takes it: 2 to 1224 of these characters.</summary>
    [GeneratedRegex("^[A-Za-z0-9+=,.@:/_-]{2,1224}$")]
    public static partial Regex ExternalId();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    public static partial Regex EnvironmentVariable();

    [GeneratedRegex("^[A-Za-z0-9_.-]{3,255}$")]
    public static partial Regex DynamoDbTable();

    /// <summary>SSM parameter names allow these characters; <c>{service}</c> is replaced before use.</summary>
    [GeneratedRegex("^/([A-Za-z0-9_.-]|/|\\{service\\})+$")]
    public static partial Regex SsmParameter();

    public static bool HasWhitespace(string value) => value.Any(char.IsWhiteSpace);

    public static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && !string.IsNullOrEmpty(uri.Host);
}
