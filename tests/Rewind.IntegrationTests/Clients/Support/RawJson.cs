using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Rewind.Aws.Protocols;
using Rewind.Aws.Transport;

namespace Rewind.IntegrationTests.Clients.Support;

/// <summary>
/// Untyped awsJson calls through the real (signed) transport, for seeding state with operations the product clients
/// do not have (RegisterTaskDefinition, CreateSecret, PutMetricData...).
/// </summary>
public static class RawJson
{
    public static async Task<JsonNode> InvokeAsync(this JsonProtocol json, string operation, JsonObject request, CancellationToken cancellationToken) =>
        await json.InvokeAsync(operation, (JsonNode)request, RawJsonContext.Default.JsonNode, RawJsonContext.Default.JsonNode, cancellationToken, readOnly: false, declaredClass: CallClass.NotIdempotent);
}

[JsonSerializable(typeof(JsonNode))]
internal sealed partial class RawJsonContext : JsonSerializerContext;
