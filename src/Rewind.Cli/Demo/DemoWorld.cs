using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Rewind.Aws;
using Rewind.Aws.Protocols;
using Rewind.Aws.Transport;

namespace Rewind.Cli.Demo;

/// <summary>
/// Seeds the playbook's world into an emulator, for <c>rewind demo</c> and for tests: the cluster, four revisions of
/// the task family (v4 is the bad build, deployed), the service on v4 with two tasks, an internet-facing ALB whose
/// port-80 listener forwards main 90 / canary 10 with stickiness on, the API key secret rotated once, and a
/// CloudFront distribution in front of the ALB. Every call is a plain signed API call: nothing emulator-specific.
/// Another <see cref="DemoShape"/> changes only the service and its traffic (<see cref="DemoShapes"/>).
/// </summary>
public static class DemoWorld
{
    /// <summary>The main target group's weight as seeded.</summary>
    public const int MainWeight = 90;

    /// <summary>The canary target group's weight as seeded.</summary>
    public const int CanaryWeight = 10;

    /// <summary>How long the listener keeps a client on one target group, as seeded.</summary>
    public const int StickinessSeconds = 300;

    /// <summary>The service's desired count, as seeded.</summary>
    public const int DesiredCount = 2;

    /// <summary>The image tags of the four revisions. v4 is bad at the application level, so its tag does not say so.</summary>
    public static IReadOnlyList<string> ImageTags { get; } = ["v1", "v2", "v3", "v4"];

    /// <summary>The API key's first value (AWSPREVIOUS once rotated): the key the rollback returns to. A demo string, not a secret of anyone's.</summary>
    public const string ApiKeyBeforeRotation = "demo-api-key-before-rotation";

    /// <summary>The API key's rotated value (AWSCURRENT as seeded). A demo string.</summary>
    public const string ApiKeyRotated = "demo-api-key-rotated";

    private const string ContainerName = "api";
    private const int ContainerPort = 8080;

    private static readonly AwsService Ec2 = new("EC2", "ec2", "ec2", "EC2");
    private static readonly XNamespace CloudFrontNamespace = "http://cloudfront.amazonaws.com/doc/2020-05-31/";

    /// <summary>
    /// Creates the world under <paramref name="names"/> in <paramref name="shape"/> (the seed's weighted listener by
    /// default; see <see cref="DemoShapes"/>) and returns every id and ARN it created.
    /// </summary>
    public static async Task<SeededWorld> SeedAsync(AwsTransport transport, DemoNames names, CancellationToken cancellationToken, DemoShape shape = DemoShape.WeightedListener)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(names);
        var seeder = new Seeder(transport, names, shape);
        // The three layers do not depend on each other until the service needs the subnets and the main target group.
        var network = seeder.NetworkAsync(cancellationToken);
        var revisions = seeder.RevisionsAsync(cancellationToken);
        var secret = seeder.SecretAsync(cancellationToken);
        await Task.WhenAll(network, revisions, secret);
        var (net, ecs, api) = (await network, await revisions, await secret);

        (string Application, string Group)? codeDeploy = shape == DemoShape.CodeDeploy
            ? await DemoShapes.CodeDeployGroupAsync(transport, names, net.ListenerArn, cancellationToken)
            : null;
        // Every shape but the seed's deploys the good v2 first, then v4 the way the shape deploys.
        var deployed = shape.DeploysTwice() ? ecs.TaskDefinitionArns[1] : ecs.TaskDefinitionArns[^1];
        var service = seeder.ServiceAsync(ecs.ClusterArn, deployed, net, cancellationToken);
        var distribution = seeder.DistributionAsync(net.LoadBalancerDnsName, cancellationToken);
        await Task.WhenAll(service, distribution);
        var (distributionId, distributionDomain) = await distribution;
        if (shape.DeploysTwice())
            await DemoShapes.DeployBadAsync(transport, shape, names, ecs.TaskDefinitionArns[^1], codeDeploy, ContainerName, ContainerPort, cancellationToken);

        return new SeededWorld(
            names, ecs.ClusterArn, ecs.TaskDefinitionArns, await service, net.VpcId, net.SubnetIds, net.SecurityGroupId,
            net.LoadBalancerArn, net.LoadBalancerDnsName, net.MainTargetGroupArn, net.CanaryTargetGroupArn, net.ListenerArn,
            api.Arn, api.CurrentVersionId, api.PreviousVersionId, distributionId, distributionDomain)
        {
            Shape = shape,
            ProductionRuleArn = net.Rules?.Production,
            TestRuleArn = net.Rules?.Test,
            CodeDeployApplication = codeDeploy?.Application,
            CodeDeployGroup = codeDeploy?.Group,
        };
    }

    private sealed record Network(
        string VpcId, IReadOnlyList<string> SubnetIds, string SecurityGroupId, string LoadBalancerArn, string LoadBalancerDnsName,
        string MainTargetGroupArn, string CanaryTargetGroupArn, string ListenerArn, (string Production, string Test)? Rules);

    private sealed record Revisions(string ClusterArn, IReadOnlyList<string> TaskDefinitionArns);

    private sealed record ApiKey(string Arn, string CurrentVersionId, string PreviousVersionId);

    private sealed class Seeder(AwsTransport transport, DemoNames names, DemoShape shape)
    {
        private readonly JsonProtocol _ecs = new(transport, AwsService.Ecs, "AmazonEC2ContainerServiceV20141113", "1.1");
        private readonly JsonProtocol _secrets = new(transport, AwsService.SecretsManager, "secretsmanager", "1.1");
        private readonly QueryProtocol _ec2 = new(transport, Ec2, "2016-11-15");
        private readonly QueryProtocol _elb = new(transport, AwsService.Elb, "2015-12-01");
        private readonly string _region = transport.Session.Region;

        public async Task<Network> NetworkAsync(CancellationToken ct)
        {
            var vpc = await RawCalls.QueryAsync(_ec2, "CreateVpc", [new("CidrBlock", "10.0.0.0/16")], "vpcId", ct);
            var subnets = new List<string>();
            foreach (var (zone, cidr) in new[] { ("a", "10.0.1.0/24"), ("b", "10.0.2.0/24") })
            {
                subnets.Add(await RawCalls.QueryAsync(
                    _ec2, "CreateSubnet", [new("VpcId", vpc), new("CidrBlock", cidr), new("AvailabilityZone", _region + zone)], "subnetId", ct));
            }

            var securityGroup = await RawCalls.QueryAsync(
                _ec2, "CreateSecurityGroup",
                [new("GroupName", names.LoadBalancer), new("GroupDescription", $"{names.Service} and its load balancer"), new("VpcId", vpc)],
                "groupId", ct);

            var answer = await _elb.InvokeAsync(
                "CreateLoadBalancer",
                [
                    new("Name", names.LoadBalancer), new("Type", "application"), new("Scheme", "internet-facing"),
                    new("Subnets.member.1", subnets[0]), new("Subnets.member.2", subnets[1]),
                    new("SecurityGroups.member.1", securityGroup),
                ],
                ct, readOnly: false, declaredClass: RawCalls.SetupClass);
            var loadBalancer = RawCalls.FirstText(answer, "LoadBalancerArn") ?? throw new InvalidOperationException("CreateLoadBalancer answered without an ARN");
            var dnsName = RawCalls.FirstText(answer, "DNSName") ?? throw new InvalidOperationException("CreateLoadBalancer answered without a DNS name");

            var main = await TargetGroupAsync(names.MainTargetGroup, vpc, ct);
            var canary = await TargetGroupAsync(names.CanaryTargetGroup, vpc, ct);
            var weights = DemoShapes.ListenerWeights(shape);
            var listener = await RawCalls.QueryAsync(
                _elb, "CreateListener",
                [
                    new("LoadBalancerArn", loadBalancer), new("Protocol", "HTTP"), new("Port", "80"),
                    .. WeightedForward("DefaultActions.member.1", main, weights.Main, canary, weights.Canary),
                    new("DefaultActions.member.1.ForwardConfig.TargetGroupStickinessConfig.Enabled", "true"),
                    new("DefaultActions.member.1.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds", Number(StickinessSeconds)),
                ],
                "ListenerArn", ct);
            (string Production, string Test)? rules = shape.Shifts()
                ? await DemoShapes.RulesAsync(_elb, listener, WeightedForward("Actions.member.1", main, 100, canary, 0), ct)
                : null;
            return new Network(vpc, subnets, securityGroup, loadBalancer, dnsName, main, canary, listener, rules);
        }

        public async Task<Revisions> RevisionsAsync(CancellationToken ct)
        {
            var cluster = await RawCalls.JsonAsync(_ecs, "CreateCluster", new JsonObject { ["clusterName"] = names.Cluster }, ct);
            var arns = new List<string>();
            // One after the other: the revision numbers must follow the versions.
            foreach (var tag in ImageTags)
            {
                var registered = await RawCalls.JsonAsync(_ecs, "RegisterTaskDefinition", new JsonObject
                {
                    ["family"] = names.Family,
                    ["networkMode"] = "awsvpc",
                    ["requiresCompatibilities"] = new JsonArray("FARGATE"),
                    ["cpu"] = "256",
                    ["memory"] = "512",
                    ["containerDefinitions"] = new JsonArray(new JsonObject
                    {
                        ["name"] = ContainerName,
                        ["image"] = $"{names.ImageRepository(_region)}:{tag}",
                        ["essential"] = true,
                        ["portMappings"] = new JsonArray(new JsonObject { ["containerPort"] = ContainerPort, ["protocol"] = "tcp" }),
                        ["environment"] = new JsonArray(new JsonObject { ["name"] = "RELEASE", ["value"] = tag }),
                    }),
                }, ct);
                arns.Add(RawCalls.Text(registered, "taskDefinition.taskDefinitionArn"));
            }
            return new Revisions(RawCalls.Text(cluster, "cluster.clusterArn"), arns);
        }

        public async Task<string> ServiceAsync(string clusterArn, string taskDefinitionArn, Network network, CancellationToken ct)
        {
            var request = new JsonObject
            {
                ["cluster"] = clusterArn,
                ["serviceName"] = names.Service,
                ["taskDefinition"] = taskDefinitionArn,
                ["desiredCount"] = DesiredCount,
                ["launchType"] = "FARGATE",
                ["networkConfiguration"] = new JsonObject
                {
                    ["awsvpcConfiguration"] = new JsonObject
                    {
                        ["subnets"] = new JsonArray([.. network.SubnetIds.Select(id => JsonValue.Create(id))]),
                        ["securityGroups"] = new JsonArray(JsonValue.Create(network.SecurityGroupId)),
                        ["assignPublicIp"] = "DISABLED",
                    },
                },
                ["loadBalancers"] = new JsonArray(new JsonObject
                {
                    ["targetGroupArn"] = network.MainTargetGroupArn,
                    ["containerName"] = ContainerName,
                    ["containerPort"] = ContainerPort,
                }),
                ["deploymentConfiguration"] = new JsonObject
                {
                    ["deploymentCircuitBreaker"] = new JsonObject { ["enable"] = true, ["rollback"] = true },
                    ["maximumPercent"] = 200,
                    ["minimumHealthyPercent"] = 100,
                },
            };
            DemoShapes.Configure(shape, request, network.CanaryTargetGroupArn, network.Rules?.Production, network.Rules?.Test);
            var created = await RawCalls.JsonAsync(_ecs, "CreateService", request, ct);
            return RawCalls.Text(created, "service.serviceArn");
        }

        /// <summary>The API key, then its rotation: the first version becomes AWSPREVIOUS. The values are demo strings.</summary>
        public async Task<ApiKey> SecretAsync(CancellationToken ct)
        {
            var created = await RawCalls.JsonAsync(_secrets, "CreateSecret", new JsonObject
            {
                ["Name"] = names.SecretName,
                ["Description"] = $"API key of {names.Family} (rewind demo)",
                ["SecretString"] = ApiKeyBeforeRotation,
            }, ct);
            var arn = RawCalls.Text(created, "ARN");
            var rotated = await RawCalls.JsonAsync(_secrets, "PutSecretValue", new JsonObject
            {
                ["SecretId"] = arn,
                ["SecretString"] = ApiKeyRotated,
            }, ct);
            return new ApiKey(arn, RawCalls.Text(rotated, "VersionId"), RawCalls.Text(created, "VersionId"));
        }

        /// <summary>A distribution with the load balancer as its origin, created with a signed rest-xml POST.</summary>
        public async Task<(string Id, string DomainName)> DistributionAsync(string originDomain, CancellationToken ct)
        {
            XElement Element(string name, params object[] content) => new(CloudFrontNamespace + name, content);
            const string OriginId = "alb";
            var config = Element("DistributionConfig",
                Element("CallerReference", $"rewind-demo-{names.Family}-{Guid.NewGuid():N}"),
                Element("Origins",
                    Element("Quantity", "1"),
                    Element("Items",
                        Element("Origin",
                            Element("Id", OriginId),
                            Element("DomainName", originDomain),
                            Element("CustomOriginConfig",
                                Element("HTTPPort", "80"),
                                Element("HTTPSPort", "443"),
                                Element("OriginProtocolPolicy", "http-only"))))),
                Element("DefaultCacheBehavior",
                    Element("TargetOriginId", OriginId),
                    Element("ForwardedValues",
                        Element("QueryString", "false"),
                        Element("Cookies", Element("Forward", "none"))),
                    Element("TrustedSigners", Element("Enabled", "false"), Element("Quantity", "0")),
                    Element("ViewerProtocolPolicy", "redirect-to-https"),
                    Element("MinTTL", "0")),
                Element("Comment", $"{names.Family} (rewind demo)"),
                Element("Enabled", "true"));

            var response = await transport.SendAsync(AwsService.CloudFront, new AwsRequest(
                "CreateDistribution", HttpMethod.Post, "/2020-05-31/distribution",
                Body: Encoding.UTF8.GetBytes(config.ToString(SaveOptions.DisableFormatting)), ContentType: "application/xml")
            { Class = RawCalls.SetupClass }, ct);
            var distribution = XDocument.Parse(Encoding.UTF8.GetString(response.Body)).Root
                ?? throw new InvalidOperationException("CreateDistribution answered with an empty document");
            return (distribution.RequiredText("Id"), distribution.RequiredText("DomainName"));
        }

        private Task<string> TargetGroupAsync(string name, string vpcId, CancellationToken ct) =>
            RawCalls.QueryAsync(
                _elb, "CreateTargetGroup",
                [
                    new("Name", name), new("Protocol", "HTTP"), new("Port", Number(ContainerPort)), new("VpcId", vpcId),
                    new("TargetType", "ip"), new("HealthCheckPath", "/healthz"),
                ],
                "TargetGroupArn", ct);

        private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>A forward action under <paramref name="prefix"/> splitting main/canary by the given weights.</summary>
        public static KeyValuePair<string, string>[] WeightedForward(string prefix, string main, int mainWeight, string canary, int canaryWeight) =>
        [
            new($"{prefix}.Type", "forward"),
            new($"{prefix}.Order", "1"),
            new($"{prefix}.ForwardConfig.TargetGroups.member.1.TargetGroupArn", main),
            new($"{prefix}.ForwardConfig.TargetGroups.member.1.Weight", Number(mainWeight)),
            new($"{prefix}.ForwardConfig.TargetGroups.member.2.TargetGroupArn", canary),
            new($"{prefix}.ForwardConfig.TargetGroups.member.2.Weight", Number(canaryWeight)),
        ];
    }
}
