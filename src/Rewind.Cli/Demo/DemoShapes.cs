using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Aws.CodeDeploy;
using Rewind.Aws.Ecs;
using Rewind.Aws.Protocols;
using Rewind.Aws.Transport;
using Rewind.Playbook.Ecs.CodeDeploy;

namespace Rewind.Cli.Demo;

/// <summary>The deployment shape <c>rewind demo --shape</c> seeds (docs/deployment-shapes.md).</summary>
public enum DemoShape
{
    /// <summary>The seed's world: a rolling service created on v4, a listener split main 90 / canary 10 that Rewind moves.</summary>
    WeightedListener,

    /// <summary>ROLLING: v2 deployed, then v4 rolled out and completed; the same weighted listener.</summary>
    Rolling,

    /// <summary>ECS-native BLUE_GREEN: v4's deployment in bake time, production on green, ECS owns the rules.</summary>
    BlueGreen,

    /// <summary>ECS-native LINEAR (50 % steps): v4's deployment in bake time.</summary>
    Linear,

    /// <summary>ECS-native CANARY (10 % first): v4's deployment in bake time.</summary>
    Canary,

    /// <summary>The CODE_DEPLOY controller: v4 deployed by a CodeDeploy deployment that Succeeded.</summary>
    CodeDeploy,
}

/// <summary>
/// The shape-specific part of the demo's world: the service's deployment configuration, the listener rules ECS owns
/// under BLUE_GREEN/LINEAR/CANARY, the CodeDeploy application and group, and deploying the bad revision v4 after the
/// good v2 so that ECS (or CodeDeploy) has a real deployment of it, left where the shape's demo needs it.
/// </summary>
public static class DemoShapes
{
    /// <summary>The <c>--shape</c> values, in the order the help lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["weighted-listener", "rolling", "blue-green", "linear", "canary", "codedeploy"];

    /// <summary>ECS's limit for <c>bakeTimeInMinutes</c>: the demo's deployment stays in bake time for its whole run.</summary>
    public const int BakeMinutes = 1440;

    /// <summary>How long seeding waits for v4's deployment to reach the shape's state.</summary>
    private static readonly TimeSpan SeedDeadline = TimeSpan.FromSeconds(60);

    /// <summary>The shape a <c>--shape</c> value names (one of <see cref="Names"/>).</summary>
    public static DemoShape Parse(string name) => (DemoShape)IndexOf(name);

    /// <summary>The <c>--shape</c> value of <paramref name="shape"/>.</summary>
    public static string Name(DemoShape shape) => Names[(int)shape];

    /// <summary>ECS owns the production and test listener rules: BLUE_GREEN, LINEAR, CANARY.</summary>
    public static bool Shifts(this DemoShape shape) => shape is DemoShape.BlueGreen or DemoShape.Linear or DemoShape.Canary;

    /// <summary>Whether ECS's own deployment of v2 comes before v4's (every shape but the seed's, which is created on v4).</summary>
    public static bool DeploysTwice(this DemoShape shape) => shape != DemoShape.WeightedListener;

    /// <summary>One line for the demo's log: where v4 is left and what moves the traffic.</summary>
    public static string Describe(DemoShape shape) => shape switch
    {
        DemoShape.WeightedListener => "canary 90/10 on the listener",
        DemoShape.Rolling => "ROLLING deployment of v4 completed after v2's, canary 90/10 on the listener",
        DemoShape.CodeDeploy => "CODE_DEPLOY controller, CodeDeploy's deployment of v4 Succeeded and its listener on v4",
        _ => $"{Strategy(shape)} deployment of v4 in BAKE_TIME (bake {BakeMinutes} emulated minutes), production rule 100 % on v4, ECS owns the rules",
    };

    /// <summary>The main/canary weights of the listener's default forward as seeded.</summary>
    public static (int Main, int Canary) ListenerWeights(DemoShape shape) =>
        shape is DemoShape.WeightedListener or DemoShape.Rolling ? (DemoWorld.MainWeight, DemoWorld.CanaryWeight) : (100, 0);

    /// <summary>The service's CreateService members for the shape: deployment configuration, controller, load balancer.</summary>
    internal static void Configure(DemoShape shape, JsonObject createService, string canaryTargetGroup, string? productionRule, string? testRule)
    {
        var loadBalancer = (JsonObject)createService["loadBalancers"]![0]!;
        var configuration = (JsonObject)createService["deploymentConfiguration"]!;
        if (shape == DemoShape.CodeDeploy)
        {
            // CodeDeploy deploys this service: ECS accepts no deployment configuration of its own here.
            createService["deploymentController"] = new JsonObject { ["type"] = "CODE_DEPLOY" };
            createService.Remove("deploymentConfiguration");
            return;
        }
        if (!shape.Shifts())
            return;
        configuration["strategy"] = Strategy(shape);
        configuration["bakeTimeInMinutes"] = BakeMinutes;
        if (shape == DemoShape.Linear)
            configuration["linearConfiguration"] = new JsonObject { ["stepPercent"] = 50.0, ["stepBakeTimeInMinutes"] = 1 };
        if (shape == DemoShape.Canary)
            configuration["canaryConfiguration"] = new JsonObject { ["canaryPercent"] = 10.0, ["canaryBakeTimeInMinutes"] = 1 };
        // The service's own target group (main) is blue while v2 serves; ECS puts v4 on the alternate one.
        loadBalancer["advancedConfiguration"] = new JsonObject
        {
            ["alternateTargetGroupArn"] = canaryTargetGroup,
            ["productionListenerRule"] = productionRule,
            ["testListenerRule"] = testRule,
            ["roleArn"] = "arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers",
        };
    }

    private static string Strategy(DemoShape shape) => shape switch
    {
        DemoShape.Linear => "LINEAR",
        DemoShape.Canary => "CANARY",
        _ => "BLUE_GREEN",
    };

    private static int IndexOf(string name)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (Names[i] == name)
                return i;
        }
        throw new ArgumentException($"unknown demo shape '{name}': use one of {string.Join(", ", Names)}", nameof(name));
    }

    /// <summary>The production rule (every path) and the test rule (<c>/test/*</c>, first) that ECS rewrites; both start with <paramref name="forwardToBlue"/>.</summary>
    internal static async Task<(string Production, string Test)> RulesAsync(
        QueryProtocol elb, string listenerArn, IReadOnlyList<KeyValuePair<string, string>> forwardToBlue, CancellationToken ct)
    {
        Task<string> Rule(int priority, string path) => RawCalls.QueryAsync(elb, "CreateRule",
            [
                new("ListenerArn", listenerArn), new("Priority", priority.ToString(CultureInfo.InvariantCulture)),
                new("Conditions.member.1.Field", "path-pattern"),
                new("Conditions.member.1.PathPatternConfig.Values.member.1", path),
                .. forwardToBlue,
            ],
            "RuleArn", ct);
        var test = await Rule(5, "/test/*");
        return (await Rule(10, "/*"), test);
    }

    /// <summary>CODE_DEPLOY: the application and the deployment group that deploys the service behind <paramref name="listenerArn"/>.</summary>
    internal static async Task<(string Application, string Group)> CodeDeployGroupAsync(
        AwsTransport transport, DemoNames names, string listenerArn, CancellationToken ct)
    {
        var codeDeploy = CodeDeployJson(transport);
        var application = $"{names.Service}-app";
        var group = $"{names.Service}-dg";
        await RawCalls.JsonAsync(codeDeploy, "CreateApplication", new JsonObject { ["applicationName"] = application, ["computePlatform"] = "ECS" }, ct);
        await RawCalls.JsonAsync(codeDeploy, "CreateDeploymentGroup", new JsonObject
        {
            ["applicationName"] = application,
            ["deploymentGroupName"] = group,
            ["serviceRoleArn"] = "arn:aws:iam::123456789012:role/codedeploy",
            ["deploymentConfigName"] = "CodeDeployDefault.ECSAllAtOnce",
            ["deploymentStyle"] = new JsonObject { ["deploymentType"] = "BLUE_GREEN", ["deploymentOption"] = "WITH_TRAFFIC_CONTROL" },
            ["ecsServices"] = new JsonArray(new JsonObject { ["serviceName"] = names.Service, ["clusterName"] = names.Cluster }),
            ["autoRollbackConfiguration"] = new JsonObject { ["enabled"] = true, ["events"] = new JsonArray("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST") },
            ["loadBalancerInfo"] = new JsonObject
            {
                ["targetGroupPairInfoList"] = new JsonArray(new JsonObject
                {
                    ["targetGroups"] = new JsonArray(new JsonObject { ["name"] = names.MainTargetGroup }, new JsonObject { ["name"] = names.CanaryTargetGroup }),
                    ["prodTrafficRoute"] = new JsonObject { ["listenerArns"] = new JsonArray(listenerArn) },
                }),
            },
        }, ct);
        return (application, group);
    }

    /// <summary>
    /// Deploys the bad revision the way the shape does (UpdateService, or a CodeDeploy deployment with an AppSpec) and
    /// waits until it is where the demo leaves it: ROLLING completed, the shifting strategies in BAKE_TIME, CodeDeploy Succeeded.
    /// </summary>
    internal static async Task DeployBadAsync(
        AwsTransport transport, DemoShape shape, DemoNames names, string badTaskDefinition, (string Application, string Group)? codeDeploy,
        string containerName, int containerPort, CancellationToken ct)
    {
        if (shape == DemoShape.CodeDeploy)
        {
            var (application, group) = codeDeploy ?? throw new InvalidOperationException("a CODE_DEPLOY world needs its deployment group");
            var created = await RawCalls.JsonAsync(CodeDeployJson(transport), "CreateDeployment", new JsonObject
            {
                ["applicationName"] = application,
                ["deploymentGroupName"] = group,
                ["revision"] = new JsonObject
                {
                    ["revisionType"] = CodeDeployClient.AppSpecContentRevision,
                    ["appSpecContent"] = new JsonObject { ["content"] = AppSpec.ForEcs(badTaskDefinition, containerName, containerPort) },
                },
            }, ct);
            var id = RawCalls.Text(created, "deploymentId");
            var client = new CodeDeployClient(transport);
            await UntilAsync(async () => (await client.GetDeploymentAsync(id, ct)).Status, s => s == CodeDeployDeploymentStatus.Succeeded, $"CodeDeploy deployment {id} of v4", ct);
            return;
        }

        var ecs = new EcsClient(transport);
        await ecs.UpdateServiceAsync(new ServiceUpdate(names.Cluster, names.Service, badTaskDefinition), ct);
        var listed = await ecs.ListServiceDeploymentsAsync(names.Cluster, names.Service, ct);
        var newest = listed.Deployments.OrderByDescending(d => d.CreatedAt).First().ServiceDeploymentArn;
        Func<ServiceDeployment, bool> reached = shape.Shifts()
            ? d => d.LifecycleStage == ServiceDeploymentLifecycleStage.BakeTime
            : d => d.Status == ServiceDeploymentStatus.Successful;
        await UntilAsync(
            async () => (await ecs.DescribeServiceDeploymentsAsync([newest], ct)).Deployments.Single(), reached,
            $"service deployment {newest} of v4", ct);
    }

    private static JsonProtocol CodeDeployJson(AwsTransport transport) => new(transport, AwsService.CodeDeploy, "CodeDeploy_20141006", "1.1");

    /// <summary>Polls the emulator (a real process: the monotonic clock, real delays) until <paramref name="reached"/>.</summary>
    private static async Task UntilAsync<T>(Func<Task<T>> read, Func<T, bool> reached, string what, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var state = await read();
            if (reached(state))
                return;
            if (Stopwatch.GetElapsedTime(started) > SeedDeadline)
                throw new InvalidOperationException($"seeding: {what} did not get where the demo needs it within {SeedDeadline.TotalSeconds:0} s: {state}");
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }
}
