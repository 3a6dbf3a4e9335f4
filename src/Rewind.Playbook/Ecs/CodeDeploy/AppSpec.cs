using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rewind.Playbook.Ecs.CodeDeploy;

/// <summary>The ECS AppSpec of a CodeDeploy deployment: the target task definition and the load balancer's container.</summary>
public static class AppSpec
{
    /// <summary>
    /// The AppSpec as JSON (CodeDeploy takes YAML or JSON). Written by hand because "version" must read 0.0, which a
    /// JSON number writer shortens to 0; every string is JSON-escaped.
    /// </summary>
    public static string ForEcs(string taskDefinition, string containerName, int containerPort) =>
        """{"version":0.0,"Resources":[{"TargetService":{"Type":"AWS::ECS::Service","Properties":{"TaskDefinition":"""
        + Quoted(taskDefinition)
        + ""","LoadBalancerInfo":{"ContainerName":""" + Quoted(containerName)
        + ""","ContainerPort":""" + containerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}}}]}";

    /// <summary>The task definitions a JSON AppSpec's target services name; empty for YAML or anything unreadable.</summary>
    public static IReadOnlyList<string> TaskDefinitionsOf(string? content)
    {
        if (string.IsNullOrWhiteSpace(content) || !content.TrimStart().StartsWith('{'))
            return [];
        try
        {
            return JsonNode.Parse(content)?["Resources"] is JsonArray resources
                ? [.. resources.Select(r => r?["TargetService"]?["Properties"]?["TaskDefinition"]?.GetValue<string>()).OfType<string>()]
                : [];
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return [];
        }
    }

    private static string Quoted(string value) => JsonValue.Create(value).ToJsonString();
}
