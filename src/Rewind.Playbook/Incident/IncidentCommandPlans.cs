using System.Text.Json.Serialization;

namespace Rewind.Playbook.Incident;

/// <summary>What <c>rewind incident assign</c> approved: this incident's postmortem goes from its owner then to <paramref name="Owner"/>.</summary>
public sealed record AssignIncidentPlan(string Incident, string Owner, string? PreviousOwner);

/// <summary>What <c>rewind incident close</c> approved: this incident, then owned by <paramref name="Owner"/>, is closed.</summary>
public sealed record CloseIncidentPlan(string Incident, string? Owner);

/// <summary>The stored plans of the incident commands' steps (source-generated: NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AssignIncidentPlan))]
[JsonSerializable(typeof(CloseIncidentPlan))]
public sealed partial class IncidentCommandsJson : JsonSerializerContext;
