using System.Text.Json;
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

    public static RollbackPlan DeserializePlan(string json) =>
        JsonSerializer.Deserialize(json, Default.RollbackPlan) ?? throw new JsonException("the stored plan is empty");
}
