using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Rewind.Cli.Commands;

namespace Rewind.Cli.Rendering;

/// <summary>Writes one JSON document to stdout: the whole answer of a command run with <c>--output json</c>.</summary>
public static class Json
{
    // Arrows and dashes stay readable ("main 90 → main 100"); stdout is not embedded in HTML.
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync<T>(TextWriter writer, T value, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer, Options))
            JsonSerializer.Serialize(json, value, type);
        await writer.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length).AsMemory(), cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }
}

/// <summary>Source-generated serialisation for every document the CLI prints (NativeAOT: no reflection).</summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(DoctorReport))]
[JsonSerializable(typeof(LedgerInitReport))]
[JsonSerializable(typeof(LedgerVerifyReport))]
[JsonSerializable(typeof(HistoryReport))]
[JsonSerializable(typeof(RunReport))]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(HistoryRelease))]
[JsonSerializable(typeof(SecretVersionsDocument))]
[JsonSerializable(typeof(ChecklistReport))]
[JsonSerializable(typeof(IncidentListReport))]
[JsonSerializable(typeof(IncidentShowReport))]
[JsonSerializable(typeof(IncidentChangeReport))]
internal sealed partial class CliJson : JsonSerializerContext;
