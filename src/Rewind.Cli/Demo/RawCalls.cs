using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Xml.Linq;
using Rewind.Aws.Protocols;
using Rewind.Aws.Transport;

namespace Rewind.Cli.Demo;

/// <summary>
/// Untyped calls through the signed protocols, for the operations only the demo needs (CreateCluster,
/// RegisterTaskDefinition, CreateLoadBalancer…): JSON in and out as <see cref="JsonNode"/>, query answers as XML.
/// </summary>
internal static class RawCalls
{
    /// <summary>Seeding a world is not a rollback: its calls are never resent after a lost answer.</summary>
    public const CallClass SetupClass = CallClass.NotIdempotent;

    /// <summary>One mutating awsJson call with a hand-built request; the answer as a JSON tree.</summary>
    public static async Task<JsonNode> JsonAsync(JsonProtocol json, string operation, JsonObject request, CancellationToken cancellationToken) =>
        await json.InvokeAsync(operation, (JsonNode)request, RawJsonContext.Default.JsonNode, RawJsonContext.Default.JsonNode, cancellationToken, readOnly: false, declaredClass: SetupClass);

    /// <summary>One mutating query call; the text of the first <paramref name="element"/> in the answer.</summary>
    public static async Task<string> QueryAsync(
        QueryProtocol query, string action, IEnumerable<KeyValuePair<string, string>> fields, string element, CancellationToken cancellationToken)
    {
        var answer = await query.InvokeAsync(action, fields, cancellationToken, readOnly: false, declaredClass: SetupClass);
        return FirstText(answer, element)
            ?? throw new InvalidOperationException($"{query.Service} {action} answered without <{element}>");
    }

    /// <summary>The text of the first element named <paramref name="name"/> at any depth, namespaces ignored.</summary>
    public static string? FirstText(XElement root, string name) =>
        root.DescendantsAndSelf().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    /// <summary>A required string member of a JSON answer.</summary>
    public static string Text(JsonNode? node, string path)
    {
        var current = node;
        foreach (var member in path.Split('.'))
            current = current?[member];
        return current?.GetValue<string>() ?? throw new InvalidOperationException($"the answer has no {path}");
    }
}

[JsonSerializable(typeof(JsonNode))]
internal sealed partial class RawJsonContext : JsonSerializerContext;
