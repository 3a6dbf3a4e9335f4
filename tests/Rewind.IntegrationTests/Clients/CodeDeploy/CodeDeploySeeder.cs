using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Aws.Protocols;
using Rewind.Aws.Transport;
using Rewind.IntegrationTests.Clients.Support;

namespace Rewind.IntegrationTests.Clients.CodeDeploy;

/// <summary>Creates CodeDeploy applications and ECS deployment groups for tests (the product client never creates them).</summary>
internal sealed class CodeDeploySeeder(AwsTransport transport)
{
    private readonly JsonProtocol _json = new(transport, AwsService.CodeDeploy, "CodeDeploy_20141006", "1.1");

    public Task CreateEcsApplicationAsync(string name, CancellationToken ct) =>
        _json.InvokeAsync("CreateApplication", new JsonObject { ["applicationName"] = name, ["computePlatform"] = "ECS" }, ct);

    /// <summary>An ECS blue/green deployment group for <paramref name="cluster"/>/<paramref name="service"/>.</summary>
    public Task CreateEcsGroupAsync(string application, string group, string cluster, string service, CancellationToken ct) =>
        _json.InvokeAsync("CreateDeploymentGroup", new JsonObject
        {
            ["applicationName"] = application,
            ["deploymentGroupName"] = group,
            ["serviceRoleArn"] = "arn:aws:iam::123456789012:role/codedeploy",
            ["deploymentConfigName"] = "CodeDeployDefault.ECSAllAtOnce",
            ["deploymentStyle"] = new JsonObject { ["deploymentType"] = "BLUE_GREEN", ["deploymentOption"] = "WITH_TRAFFIC_CONTROL" },
            ["ecsServices"] = new JsonArray(new JsonObject { ["serviceName"] = service, ["clusterName"] = cluster }),
            ["autoRollbackConfiguration"] = new JsonObject { ["enabled"] = true, ["events"] = new JsonArray("DEPLOYMENT_FAILURE") },
            ["loadBalancerInfo"] = new JsonObject
            {
                ["targetGroupPairInfoList"] = new JsonArray(new JsonObject
                {
                    ["targetGroups"] = new JsonArray(new JsonObject { ["name"] = "blue" }, new JsonObject { ["name"] = "green" }),
                    ["prodTrafficRoute"] = new JsonObject { ["listenerArns"] = new JsonArray("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/1/2") },
                }),
            },
        }, ct);
}
