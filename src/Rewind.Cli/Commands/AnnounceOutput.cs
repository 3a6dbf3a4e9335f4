using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rewind.Cli.Commands;

/// <summary>JSON documents of the freeze and notify commands, built as <see cref="JsonNode"/> (no reflection: NativeAOT).</summary>
internal static class AnnounceOutput
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Format(JsonNode node) => node.ToJsonString(Indented);

    public static async Task WriteAsync(TextWriter writer, JsonNode node, CancellationToken cancellationToken)
    {
        await writer.WriteLineAsync(Format(node).AsMemory(), cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>Who acts, as freezes and journals record it (<see cref="Core.Engine.Operator.Signature"/>).</summary>
    public static string Who() => Core.Engine.Operator.Current().Signature;
}
