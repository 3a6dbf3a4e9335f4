using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Aws.Ecs;
using Rewind.Aws.Elb;
using Rewind.Aws.Protocols;
using Rewind.Aws.Transport;
using Rewind.IntegrationTests.Clients.Elb;
using Rewind.IntegrationTests.Clients.Support;

namespace Rewind.IntegrationTests.Shapes;

/// <summary>Who deploys the seeded service, and with which strategy.</summary>
public enum ServiceShape { Rolling, BlueGreen, Linear, Canary, CodeDeploy, External }

/// <summary>Where the seeded deployment of revision :4 is left.</summary>
public enum FourthDeployment
{
    /// <summary>:4 is deployed and its deployment SUCCESSFUL (ROLLING, BLUE_GREEN, LINEAR, CANARY).</summary>
    Completed,

    /// <summary>:4's deployment was just started (a ROLLING rollout in progress).</summary>
    InProgress,

    /// <summary>:4 serves all production traffic and the deployment bakes (BLUE_GREEN, LINEAR, CANARY).</summary>
    InBakeTime,

    /// <summary>:4's deployment waits at a PAUSE hook (BLUE_GREEN, LINEAR, CANARY; the stage is <see cref="ShapeWorld.PauseStage"/>).</summary>
    PausedAtHook,
}

/// <summary>
/// A service of one deployment shape on the shape emulator: a family with revisions :1..:4 (images v1..v4), :2 the
/// good revision deployed first (its deployment SUCCESSFUL), then :4 deployed and left as <see cref="FourthDeployment"/>
/// says. BLUE_GREEN/LINEAR/CANARY services have two target groups, a listener with a production rule (/*) and a test
/// rule (/test/*) that ECS rewrites itself, the advanced configuration and a bake time. CODE_DEPLOY services have a
/// CodeDeploy application and deployment group naming them and their production listener, and :4 is deployed by a
/// CodeDeploy deployment (Completed: Succeeded; otherwise in flight); EXTERNAL services a task set of :2 and one of :4.
/// Everything is seeded through the signed transport, with Rewind's own clients where they have the operation.
/// </summary>
public sealed class ShapeWorld
{
    /// <summary>The stage a <see cref="FourthDeployment.PausedAtHook"/> deployment waits at: test traffic is on green, production on blue.</summary>
    public const ServiceDeploymentLifecycleStage PauseStage = ServiceDeploymentLifecycleStage.PostTestTrafficShift;

    /// <summary>The bake time of an <see cref="FourthDeployment.InBakeTime"/> world, in emulator "minutes": long enough never to end in a test.</summary>
    public const int LongBakeMinutes = 100_000;

    private ShapeWorld(AwsTransport transport, ServiceShape shape, string cluster, string service, string family, IReadOnlyList<string> revisions)
    {
        Transport = transport;
        Shape = shape;
        Cluster = cluster;
        Service = service;
        Family = family;
        Revisions = revisions;
    }

    public AwsTransport Transport { get; }
    public ServiceShape Shape { get; }
    public string Cluster { get; }
    public string Service { get; }
    public string Family { get; }

    /// <summary>The task definition ARNs of :1..:4 (index 0 is :1).</summary>
    public IReadOnlyList<string> Revisions { get; }

    public string Good => Revisions[1];
    public string Bad => Revisions[3];

    /// <summary>The service's own target group (blue while :2 serves) and the alternate one (green for :4).</summary>
    public string? BlueTargetGroupArn { get; private set; }
    public string? GreenTargetGroupArn { get; private set; }
    public string? ListenerArn { get; private set; }
    public string? ProductionRuleArn { get; private set; }
    public string? TestRuleArn { get; private set; }

    public string? CodeDeployApplication { get; private set; }
    public string? CodeDeployDeploymentGroup { get; private set; }

    /// <summary>CODE_DEPLOY: the production listener CodeDeploy reroutes (its default action forwards blue 100 at first).</summary>
    public string? CodeDeployListenerArn { get; private set; }

    /// <summary>CODE_DEPLOY: the CodeDeploy deployment of :4.</summary>
    public string? CodeDeployDeploymentId { get; private set; }

    /// <summary>The service deployments of :2 and :4 (null where the shape has none: CODE_DEPLOY, EXTERNAL).</summary>
    public string? GoodDeploymentArn { get; private set; }
    public string? FourthDeploymentArn { get; private set; }

    public EcsClient Ecs => new(Transport);
    public ElbClient Elb => new(Transport);

    public static async Task<ShapeWorld> SeedAsync(ShapeEmulatorFixture emulator, ServiceShape shape, FourthDeployment fourth, CancellationToken ct)
    {
        var transport = ClientFactory.Transport(emulator);
        var json = new JsonProtocol(transport, AwsService.Ecs, "AmazonEC2ContainerServiceV20141113", "1.1");
        var cluster = ClientFactory.Unique("shape");
        var family = ClientFactory.Unique("shape-api");
        await json.InvokeAsync("CreateCluster", new JsonObject { ["clusterName"] = cluster }, ct);
        var revisions = new List<string>();
        for (var n = 1; n <= 4; n++)
            revisions.Add(await RegisterAsync(json, family, $"v{n}", ct));
        var world = new ShapeWorld(transport, shape, cluster, "api", family, revisions);
        await world.CreateServiceAsync(json, fourth, ct);
        await world.DeployFourthAsync(json, fourth, ct);
        return world;
    }

    private static async Task<string> RegisterAsync(JsonProtocol json, string family, string tag, CancellationToken ct)
    {
        var answer = await json.InvokeAsync("RegisterTaskDefinition", new JsonObject
        {
            ["family"] = family,
            ["requiresCompatibilities"] = new JsonArray("FARGATE"),
            ["networkMode"] = "awsvpc",
            ["cpu"] = "256",
            ["memory"] = "512",
            ["containerDefinitions"] = new JsonArray(new JsonObject
            {
                ["name"] = "api",
                ["image"] = $"123456789012.dkr.ecr.us-east-1.amazonaws.com/api:{tag}",
                ["essential"] = true,
                ["portMappings"] = new JsonArray(new JsonObject { ["containerPort"] = 8080 }),
            }),
        }, ct);
        return (string)answer["taskDefinition"]!["taskDefinitionArn"]!;
    }

    private bool Shifts => Shape is ServiceShape.BlueGreen or ServiceShape.Linear or ServiceShape.Canary;

    private async Task CreateServiceAsync(JsonProtocol json, FourthDeployment fourth, CancellationToken ct)
    {
        var request = new JsonObject
        {
            ["cluster"] = Cluster,
            ["serviceName"] = Service,
            ["taskDefinition"] = Good,
            ["desiredCount"] = 2,
            ["launchType"] = "FARGATE",
        };
        if (Shifts)
        {
            await SeedLoadBalancerAsync(ct);
            request["deploymentConfiguration"] = ShiftingConfiguration(fourth);
            request["loadBalancers"] = new JsonArray(new JsonObject
            {
                ["targetGroupArn"] = BlueTargetGroupArn,
                ["containerName"] = "api",
                ["containerPort"] = 8080,
                ["advancedConfiguration"] = new JsonObject
                {
                    ["alternateTargetGroupArn"] = GreenTargetGroupArn,
                    ["productionListenerRule"] = ProductionRuleArn,
                    ["testListenerRule"] = TestRuleArn,
                    ["roleArn"] = "arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers",
                },
            });
        }
        else if (Shape is ServiceShape.CodeDeploy or ServiceShape.External)
        {
            request["deploymentController"] = new JsonObject { ["type"] = Shape == ServiceShape.CodeDeploy ? "CODE_DEPLOY" : "EXTERNAL" };
        }

        string? suffix = null;
        if (Shape == ServiceShape.CodeDeploy)
        {
            suffix = await SeedLoadBalancerAsync(ct);
            request["loadBalancers"] = new JsonArray(new JsonObject { ["targetGroupArn"] = BlueTargetGroupArn, ["containerName"] = "api", ["containerPort"] = 8080 });
        }

        await json.InvokeAsync("CreateService", request, ct);
        if (Shape == ServiceShape.CodeDeploy)
            await SeedCodeDeployAsync(suffix!, ct);
        if (Shape == ServiceShape.External)
            await json.InvokeAsync("CreateTaskSet", new JsonObject { ["cluster"] = Cluster, ["service"] = Service, ["taskDefinition"] = Good }, ct);
        if (Shape is ServiceShape.Rolling || Shifts)
            GoodDeploymentArn = (await LatestAsync(ct)).ServiceDeploymentArn;
    }

    private JsonObject ShiftingConfiguration(FourthDeployment fourth)
    {
        var config = new JsonObject
        {
            ["strategy"] = Shape switch { ServiceShape.Linear => "LINEAR", ServiceShape.Canary => "CANARY", _ => "BLUE_GREEN" },
            ["bakeTimeInMinutes"] = fourth == FourthDeployment.InBakeTime ? LongBakeMinutes : 2,
            ["deploymentCircuitBreaker"] = new JsonObject { ["enable"] = true, ["rollback"] = true },
        };
        if (Shape == ServiceShape.Linear)
            config["linearConfiguration"] = new JsonObject { ["stepPercent"] = 50.0, ["stepBakeTimeInMinutes"] = 1 };
        if (Shape == ServiceShape.Canary)
            config["canaryConfiguration"] = new JsonObject { ["canaryPercent"] = 10.0, ["canaryBakeTimeInMinutes"] = 1 };
        if (fourth == FourthDeployment.PausedAtHook)
        {
            config["lifecycleHooks"] = new JsonArray(new JsonObject
            {
                ["targetType"] = "PAUSE",
                ["lifecycleStages"] = new JsonArray("POST_TEST_TRAFFIC_SHIFT"),
            });
        }
        return config;
    }

    /// <summary>Two target groups (blue, green), a listener and, for the shifting shapes, its production and test rules; returns the target groups' name suffix.</summary>
    private async Task<string> SeedLoadBalancerAsync(CancellationToken ct)
    {
        var seed = new ElbSeed(Transport);
        var alb = await seed.CreateWeightedAlbAsync(ct);
        BlueTargetGroupArn = alb.MainArn;
        GreenTargetGroupArn = alb.CanaryArn;
        ListenerArn = alb.ListenerArn;
        List<KeyValuePair<string, string>> ForwardToBlue(string prefix) => ElbSeed.WeightedForward(prefix, alb.MainArn, 100, alb.CanaryArn, 0);
        if (Shape == ServiceShape.CodeDeploy)
        {
            CodeDeployListenerArn = await seed.CreateListenerAsync(alb.LoadBalancerArn, 8080, ForwardToBlue("DefaultActions.member.1"), ct);
            return alb.Suffix;
        }
        ProductionRuleArn = await seed.CreateRuleAsync(alb.ListenerArn, 10, "api", ForwardToBlue("Actions.member.1"), ct);
        TestRuleArn = await seed.CreateRuleAsync(alb.ListenerArn, 20, "test", ForwardToBlue("Actions.member.1"), ct);
        return alb.Suffix;
    }

    private JsonProtocol CodeDeploy => new(Transport, AwsService.CodeDeploy, "CodeDeploy_20141006", "1.1");

    private async Task SeedCodeDeployAsync(string suffix, CancellationToken ct)
    {
        var codeDeploy = CodeDeploy;
        CodeDeployApplication = ClientFactory.Unique("shape-app");
        CodeDeployDeploymentGroup = ClientFactory.Unique("shape-dg");
        await codeDeploy.InvokeAsync("CreateApplication", new JsonObject { ["applicationName"] = CodeDeployApplication, ["computePlatform"] = "ECS" }, ct);
        await codeDeploy.InvokeAsync("CreateDeploymentGroup", new JsonObject
        {
            ["applicationName"] = CodeDeployApplication,
            ["deploymentGroupName"] = CodeDeployDeploymentGroup,
            ["serviceRoleArn"] = "arn:aws:iam::123456789012:role/codedeploy",
            ["deploymentConfigName"] = "CodeDeployDefault.ECSAllAtOnce",
            ["deploymentStyle"] = new JsonObject { ["deploymentType"] = "BLUE_GREEN", ["deploymentOption"] = "WITH_TRAFFIC_CONTROL" },
            ["ecsServices"] = new JsonArray(new JsonObject { ["serviceName"] = Service, ["clusterName"] = Cluster }),
            ["autoRollbackConfiguration"] = new JsonObject { ["enabled"] = true, ["events"] = new JsonArray("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST") },
            ["loadBalancerInfo"] = new JsonObject
            {
                ["targetGroupPairInfoList"] = new JsonArray(new JsonObject
                {
                    ["targetGroups"] = new JsonArray(new JsonObject { ["name"] = $"rw-{suffix}-main" }, new JsonObject { ["name"] = $"rw-{suffix}-canary" }),
                    ["prodTrafficRoute"] = new JsonObject { ["listenerArns"] = new JsonArray(CodeDeployListenerArn) },
                }),
            },
        }, ct);
    }

    /// <summary>CreateDeployment of :4 with an AppSpecContent revision, as a CodeDeploy user would send it.</summary>
    private async Task DeployFourthWithCodeDeployAsync(FourthDeployment fourth, CancellationToken ct)
    {
        var appSpec = new JsonObject
        {
            ["version"] = 0.0,
            ["Resources"] = new JsonArray(new JsonObject
            {
                ["TargetService"] = new JsonObject
                {
                    ["Type"] = "AWS::ECS::Service",
                    ["Properties"] = new JsonObject
                    {
                        ["TaskDefinition"] = Bad,
                        ["LoadBalancerInfo"] = new JsonObject { ["ContainerName"] = "api", ["ContainerPort"] = 8080 },
                    },
                },
            }),
        };
        var answer = await CodeDeploy.InvokeAsync("CreateDeployment", new JsonObject
        {
            ["applicationName"] = CodeDeployApplication,
            ["deploymentGroupName"] = CodeDeployDeploymentGroup,
            ["revision"] = new JsonObject
            {
                ["revisionType"] = "AppSpecContent",
                ["appSpecContent"] = new JsonObject { ["content"] = appSpec.ToJsonString() },
            },
        }, ct);
        CodeDeployDeploymentId = (string)answer["deploymentId"]!;
        if (fourth != FourthDeployment.Completed)
            return;
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
        while ((await CodeDeployStatusAsync(CodeDeployDeploymentId, ct)) != "Succeeded")
        {
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException($"the CodeDeploy deployment {CodeDeployDeploymentId} did not succeed");
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
        }
    }

    /// <summary>GetDeployment's status of a CodeDeploy deployment (InProgress, Succeeded, Stopped, Failed).</summary>
    public async Task<string> CodeDeployStatusAsync(string deploymentId, CancellationToken ct) =>
        (string)(await CodeDeploy.InvokeAsync("GetDeployment", new JsonObject { ["deploymentId"] = deploymentId }, ct))["deploymentInfo"]!["status"]!;

    /// <summary>CODE_DEPLOY: the production listener's default forward as Rewind's ElbClient reads it: target group ARN → weight.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CodeDeployListenerWeightsAsync(CancellationToken ct)
    {
        var listener = (await Elb.DescribeListenersAsync([CodeDeployListenerArn!], ct)).Single();
        return Weights(listener.DefaultActions.Single(a => a.Type == "forward"));
    }

    private async Task DeployFourthAsync(JsonProtocol json, FourthDeployment fourth, CancellationToken ct)
    {
        if (Shape == ServiceShape.CodeDeploy)
        {
            await DeployFourthWithCodeDeployAsync(fourth, ct);
            return;
        }
        if (Shape == ServiceShape.External)
        {
            await json.InvokeAsync("CreateTaskSet", new JsonObject { ["cluster"] = Cluster, ["service"] = Service, ["taskDefinition"] = Bad }, ct);
            return; // EXTERNAL services deploy with task sets: a task set of :4 beside the one of :2
        }
        await Ecs.UpdateServiceAsync(new ServiceUpdate(Cluster, Service, Bad), ct);
        var latest = await LatestAsync(ct);
        FourthDeploymentArn = latest.ServiceDeploymentArn;
        Func<ServiceDeployment, bool>? reached = fourth switch
        {
            FourthDeployment.Completed => d => d.Status == ServiceDeploymentStatus.Successful,
            FourthDeployment.InBakeTime => d => d.LifecycleStage == ServiceDeploymentLifecycleStage.BakeTime,
            FourthDeployment.PausedAtHook => d => d.LifecycleHookDetails.Any(h => h.Status == LifecycleHookStatus.AwaitingAction),
            _ => null,
        };
        if (reached is not null)
            await WaitForAsync(reached, TimeSpan.FromSeconds(15), ct);
    }

    /// <summary>The service's newest service deployment, in detail.</summary>
    public async Task<ServiceDeployment> LatestAsync(CancellationToken ct)
    {
        var briefs = await Ecs.ListServiceDeploymentsAsync(Cluster, Service, ct);
        var newest = briefs.Deployments.OrderByDescending(d => d.CreatedAt).First();
        return (await DescribeAsync(newest.ServiceDeploymentArn, ct))!;
    }

    public async Task<ServiceDeployment?> DescribeAsync(string serviceDeploymentArn, CancellationToken ct) =>
        (await Ecs.DescribeServiceDeploymentsAsync([serviceDeploymentArn], ct)).Deployments.SingleOrDefault();

    /// <summary>Polls the deployment of :4 (or the newest) until <paramref name="reached"/>; fails with the last answer after <paramref name="timeout"/>.</summary>
    public async Task<ServiceDeployment> WaitForAsync(Func<ServiceDeployment, bool> reached, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var deployment = FourthDeploymentArn is { } arn ? (await DescribeAsync(arn, ct))! : await LatestAsync(ct);
            if (reached(deployment))
                return deployment;
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException($"the service deployment did not reach the condition in {timeout}: {deployment}");
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
        }
    }

    /// <summary>The production rule's weights as Rewind's ElbClient reads them: target group ARN → weight.</summary>
    public Task<IReadOnlyDictionary<string, int>> ProductionWeightsAsync(CancellationToken ct) => WeightsAsync(ProductionRuleArn!, ct);

    public Task<IReadOnlyDictionary<string, int>> TestWeightsAsync(CancellationToken ct) => WeightsAsync(TestRuleArn!, ct);

    private async Task<IReadOnlyDictionary<string, int>> WeightsAsync(string ruleArn, CancellationToken ct)
    {
        var rule = (await Elb.DescribeRulesAsync([ruleArn], ct)).Single();
        return Weights(rule.Actions.Single(a => a.Type == "forward"));
    }

    private static Dictionary<string, int> Weights(ElbAction forward) =>
        forward.ForwardConfig is { } config
            ? config.TargetGroups.ToDictionary(g => g.TargetGroupArn, g => g.Weight ?? 1)
            : new Dictionary<string, int> { [forward.TargetGroupArn!] = 1 };
}
