using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Aws.Protocols;
using Rewind.Aws.Transport;
using Rewind.IntegrationTests.Clients.Support;

namespace Rewind.IntegrationTests.Clients.Ecs;

/// <summary>Creates ECS state for tests with operations the product client does not have, through the signed transport.</summary>
internal sealed class EcsSeeder(AwsTransport transport)
{
    private readonly JsonProtocol _json = new(transport, AwsService.Ecs, "AmazonEC2ContainerServiceV20141113", "1.1");

    public async Task<string> CreateClusterAsync(string name, CancellationToken ct)
    {
        var answer = await _json.InvokeAsync("CreateCluster", new JsonObject { ["clusterName"] = name }, ct);
        return (string)answer["cluster"]!["clusterArn"]!;
    }

    /// <summary>Registers the next revision of <paramref name="family"/> with one container; returns its ARN.</summary>
    public async Task<string> RegisterTaskDefinitionAsync(string family, string image, CancellationToken ct, params (string Key, string Value)[] tags)
    {
        var request = new JsonObject
        {
            ["family"] = family,
            ["containerDefinitions"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = image, ["memory"] = 128 }),
        };
        if (tags.Length > 0)
            request["tags"] = new JsonArray([.. tags.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value })]);
        var answer = await _json.InvokeAsync("RegisterTaskDefinition", request, ct);
        return (string)answer["taskDefinition"]!["taskDefinitionArn"]!;
    }

    public async Task DeregisterTaskDefinitionAsync(string taskDefinition, CancellationToken ct) =>
        await _json.InvokeAsync("DeregisterTaskDefinition", new JsonObject { ["taskDefinition"] = taskDefinition }, ct);

    public async Task<string> CreateServiceAsync(string cluster, string name, string taskDefinition, int desiredCount, CancellationToken ct)
    {
        var answer = await _json.InvokeAsync("CreateService", new JsonObject
        {
            ["cluster"] = cluster,
            ["serviceName"] = name,
            ["taskDefinition"] = taskDefinition,
            ["desiredCount"] = desiredCount,
        }, ct);
        return (string)answer["service"]!["serviceArn"]!;
    }

    /// <summary>moto's CreateService ignores deploymentConfiguration, but its UpdateService stores it.</summary>
    public async Task SetCircuitBreakerAsync(string cluster, string service, bool enable, bool rollback, CancellationToken ct) =>
        await _json.InvokeAsync("UpdateService", new JsonObject
        {
            ["cluster"] = cluster,
            ["service"] = service,
            ["deploymentConfiguration"] = new JsonObject
            {
                ["deploymentCircuitBreaker"] = new JsonObject { ["enable"] = enable, ["rollback"] = rollback },
            },
        }, ct);

    /// <summary>A cluster with one service on family:1 (image v1) and a registered family:2 (image v2).</summary>
    public async Task<(string Cluster, string Service, string Family)> ServiceWithTwoRevisionsAsync(string prefix, CancellationToken ct)
    {
        var cluster = ClientFactory.Unique(prefix);
        var family = ClientFactory.Unique(prefix + "-web");
        var service = ClientFactory.Unique(prefix + "-svc");
        await CreateClusterAsync(cluster, ct);
        await RegisterTaskDefinitionAsync(family, "nginx:1", ct);
        await RegisterTaskDefinitionAsync(family, "nginx:2", ct);
        await CreateServiceAsync(cluster, service, $"{family}:1", 2, ct);
        return (cluster, service, family);
    }
}
