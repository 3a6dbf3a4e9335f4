using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Rewind.Core.Engine;

/// <summary>The plan as the ledger stores it and <c>--output json</c> prints it (source-generated: NativeAOT).</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(RollbackPlan))]
[JsonSerializable(typeof(StepResult))]
public sealed partial class EngineJson : JsonSerializerContext
{
    public static string Serialize(RollbackPlan plan) => JsonSerializer.Serialize(plan, Default.RollbackPlan);

    /// <summary>Reads a stored plan; one stored before the schema version existed (418e7ad) is version 1.</summary>
    public static RollbackPlan DeserializePlan(string json)
    {
        var node = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("the stored plan is not a JSON object");
        var plan = node.Deserialize(Default.RollbackPlan) ?? throw new JsonException("the stored plan is empty");
        return node.ContainsKey("schemaVersion") ? plan : plan with { SchemaVersion = 1 };
    }
}
