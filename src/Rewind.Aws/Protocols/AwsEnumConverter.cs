using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rewind.Aws.Protocols;

/// <summary>
/// Maps AWS enum strings ("IN_PROGRESS", "PRIMARY") to members (InProgress, Primary) ignoring case and underscores.
/// A value AWS adds later reads as the enum's zero member (Unknown) instead of failing the whole answer.
/// </summary>
internal sealed class AwsEnumConverter<T> : JsonConverter<T>
    where T : struct, Enum
{
    private static readonly Dictionary<string, T> ByKey = Enum.GetValues<T>().ToDictionary(v => Key(v.ToString()), StringComparer.Ordinal);

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && ByKey.TryGetValue(Key(reader.GetString()!), out var value) ? value : default;

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(WireName(value.ToString()));

    private static string Key(string text) => text.Replace("_", "", StringComparison.Ordinal).ToUpperInvariant();

    /// <summary>"InProgress" → "IN_PROGRESS".</summary>
    private static string WireName(string member)
    {
        var name = new StringBuilder(member.Length + 4);
        for (var i = 0; i < member.Length; i++)
        {
            if (i > 0 && char.IsUpper(member[i]))
                name.Append('_');
            name.Append(char.ToUpperInvariant(member[i]));
        }
        return name.ToString();
    }
}
