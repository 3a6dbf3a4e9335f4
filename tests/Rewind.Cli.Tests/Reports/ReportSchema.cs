using System.Text.Json;
using Json.Schema;

namespace Rewind.Cli.Tests.Reports;

/// <summary>docs/report.schema.json, loaded once, and a validation that names every error.</summary>
internal static class ReportSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(ExitCodeTests.RepositoryRoot(), "docs", "report.schema.json"))));

    /// <summary>The schema's errors for <paramref name="json"/>, one line each; empty when it is valid.</summary>
    public static IReadOnlyList<string> Errors(string json)
    {
        using var document = JsonDocument.Parse(json);
        var results = Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = Json.Schema.OutputFormat.List, RequireFormatValidation = true });
        if (results.IsValid)
            return [];
        return [.. (results.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))
            .DefaultIfEmpty("invalid (no detail)")];
    }
}
