namespace Rewind.Cli.Demo;

/// <summary>Everything <see cref="DemoWorld.SeedAsync"/> created, by id and ARN. Secret values are not kept here.</summary>
/// <param name="Names">The names the world was seeded under.</param>
/// <param name="ClusterArn">The ECS cluster.</param>
/// <param name="TaskDefinitionArns">The four revisions, v1 first; the last one is deployed and bad.</param>
/// <param name="ServiceArn">The ECS service, running <see cref="DeployedTaskDefinitionArn"/> with two tasks.</param>
/// <param name="VpcId">The VPC of the load balancer and the service.</param>
/// <param name="SubnetIds">The two subnets, in two availability zones.</param>
/// <param name="SecurityGroupId">The security group of the load balancer and the service's tasks.</param>
/// <param name="LoadBalancerArn">The internet-facing Application Load Balancer.</param>
/// <param name="LoadBalancerDnsName">Its DNS name, the CloudFront origin.</param>
/// <param name="MainTargetGroupArn">The target group with weight 90.</param>
/// <param name="CanaryTargetGroupArn">The target group with weight 10.</param>
/// <param name="ListenerArn">The port-80 listener forwarding main 90 / canary 10, stickiness on.</param>
/// <param name="SecretArn">The API key secret.</param>
/// <param name="CurrentSecretVersionId">The rotated version, AWSCURRENT.</param>
/// <param name="PreviousSecretVersionId">The version before the rotation, AWSPREVIOUS.</param>
/// <param name="DistributionId">The CloudFront distribution in front of the load balancer.</param>
/// <param name="DistributionDomainName">Its domain name (<c>….cloudfront.net</c>).</param>
public sealed record SeededWorld(
    DemoNames Names,
    string ClusterArn,
    IReadOnlyList<string> TaskDefinitionArns,
    string ServiceArn,
    string VpcId,
    IReadOnlyList<string> SubnetIds,
    string SecurityGroupId,
    string LoadBalancerArn,
    string LoadBalancerDnsName,
    string MainTargetGroupArn,
    string CanaryTargetGroupArn,
    string ListenerArn,
    string SecretArn,
    string CurrentSecretVersionId,
    string PreviousSecretVersionId,
    string DistributionId,
    string DistributionDomainName)
{
    /// <summary>The deployment shape the world was seeded in.</summary>
    public DemoShape Shape { get; init; }

    /// <summary>BLUE_GREEN/LINEAR/CANARY: the production listener rule ECS owns (every path of the listener).</summary>
    public string? ProductionRuleArn { get; init; }

    /// <summary>BLUE_GREEN/LINEAR/CANARY: the test listener rule ECS owns (<c>/test/*</c>).</summary>
    public string? TestRuleArn { get; init; }

    /// <summary>CODE_DEPLOY: the CodeDeploy application that deploys the service.</summary>
    public string? CodeDeployApplication { get; init; }

    /// <summary>CODE_DEPLOY: its deployment group (production route: <see cref="ListenerArn"/>).</summary>
    public string? CodeDeployGroup { get; init; }

    /// <summary>The revision the service runs: v4, the bad build.</summary>
    public string DeployedTaskDefinitionArn => TaskDefinitionArns[^1];

    /// <summary>The revision before it: v3, the last good build.</summary>
    public string LastGoodTaskDefinitionArn => TaskDefinitionArns[^2];
}
