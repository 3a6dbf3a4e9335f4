using Rewind.Aws.CloudFront;
using Rewind.Aws.Ecs;
using Rewind.Aws.Elb;
using Rewind.Aws.SecretsManager;
using Rewind.Cli.Demo;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

[Collection("rollout-emulator")]
public sealed class DemoWorldTests(RolloutEmulatorFixture emulator)
{
    [Fact]
    public async Task Given_a_prefix_when_the_demo_world_is_seeded_then_the_bad_v4_runs_behind_a_90_10_listener_with_a_rotated_secret_and_a_distribution()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await PlaybookHarness.SeedAsync(emulator, "seed", ct);
        var world = harness.World;

        Assert.Equal(("seed-claude-proxy", "seed-api-service", "seed-claude-proxy-api"), (world.Names.Cluster, world.Names.Service, world.Names.Family));
        Assert.Equal([1, 2, 3, 4], world.TaskDefinitionArns.Select(arn => TaskDefinitionRevision.Parse(arn).Revision));
        foreach (var (arn, tag) in world.TaskDefinitionArns.Zip(DemoWorld.ImageTags))
        {
            var image = Assert.Single((await harness.Ecs.DescribeTaskDefinitionAsync(arn, ct)).TaskDefinition.ContainerDefinitions).Image;
            Assert.EndsWith($"/seed-claude-proxy-api:{tag}", image, StringComparison.Ordinal);
            Assert.DoesNotContain("broken", image, StringComparison.OrdinalIgnoreCase);
        }

        var service = await harness.ServiceAsync(ct);
        var primary = Assert.Single(service.Deployments);
        Assert.Equal(world.ServiceArn, service.ServiceArn);
        Assert.Equal(world.DeployedTaskDefinitionArn, primary.TaskDefinition);
        Assert.Equal((RolloutState.Completed, DemoWorld.DesiredCount, DemoWorld.DesiredCount), (primary.RolloutState, primary.RunningCount, service.DesiredCount));
        Assert.Equal(new DeploymentCircuitBreaker(true, true), service.DeploymentConfiguration?.DeploymentCircuitBreaker);

        var action = Assert.Single((await harness.ListenerAsync(ct)).DefaultActions);
        Assert.Equal(
            [new WeightedTargetGroup(world.MainTargetGroupArn, DemoWorld.MainWeight), new WeightedTargetGroup(world.CanaryTargetGroupArn, DemoWorld.CanaryWeight)],
            action.ForwardConfig!.TargetGroups);
        Assert.Equal(new TargetGroupStickiness(true, DemoWorld.StickinessSeconds), action.ForwardConfig.TargetGroupStickinessConfig);
        var groups = await harness.Elb.DescribeTargetGroupsAsync([world.MainTargetGroupArn, world.CanaryTargetGroupArn], ct);
        Assert.All(groups, g => Assert.Equal([world.LoadBalancerArn], g.LoadBalancerArns));

        var secret = await new SecretsManagerClient(harness.Transport).DescribeSecretAsync(world.Names.SecretName, ct);
        Assert.NotNull(secret);
        Assert.Equal(world.SecretArn, secret.Arn);
        Assert.Equal("seed-claude-proxy/api-key", secret.Name);
        Assert.Equal(world.CurrentSecretVersionId, secret.VersionWithStage("AWSCURRENT"));
        Assert.Equal(world.PreviousSecretVersionId, secret.VersionWithStage("AWSPREVIOUS"));

        var distribution = await new CloudFrontClient(harness.Transport).GetDistributionAsync(world.DistributionId, ct);
        Assert.Equal(world.DistributionDomainName, distribution.DomainName);
        Assert.True(distribution.Enabled);
    }

    [Fact]
    public void Given_the_playbook_names_when_prefixed_then_every_name_keeps_within_elb_limits_and_bad_prefixes_are_refused()
    {
        Assert.Equal(("claude-proxy", "api-service", "claude-proxy-api"), (DemoNames.Playbook.Cluster, DemoNames.Playbook.Service, DemoNames.Playbook.Family));
        Assert.Equal("claude-proxy/api-key", DemoNames.Playbook.SecretName);
        var longest = DemoNames.Unique(new string('p', DemoNames.MaxPrefixLength));
        Assert.All([longest.LoadBalancer, longest.MainTargetGroup, longest.CanaryTargetGroup], name => Assert.InRange(name.Length, 1, 32));

        Assert.Throws<ArgumentException>(() => DemoNames.Unique(""));
        Assert.Throws<ArgumentException>(() => DemoNames.Unique("Upper"));
        Assert.Throws<ArgumentException>(() => DemoNames.Unique("ends-"));
        Assert.Throws<ArgumentException>(() => DemoNames.Unique(new string('p', DemoNames.MaxPrefixLength + 1)));
    }
}
