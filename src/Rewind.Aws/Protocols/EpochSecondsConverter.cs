using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rewind.Aws.Protocols;

/// <summary>AWS JSON timestamps: epoch seconds as a number (fractions allowed); ISO 8601 strings are also read.</summary>
internal sealed class EpochSecondsConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Number => FromSeconds(reader.GetDouble()),
            JsonTokenType.String when double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) =>
                FromSeconds(seconds),
            JsonTokenType.String => DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            _ => throw new JsonException($"expected a timestamp, found {reader.TokenType}"),
        };

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value.ToUnixTimeMilliseconds() / 1000m);

    private static DateTimeOffset FromSeconds(double seconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000, MidpointRounding.AwayFromZero));
}
