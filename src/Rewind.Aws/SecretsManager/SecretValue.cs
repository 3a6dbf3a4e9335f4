using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rewind.Aws.SecretsManager;

/// <summary>
/// A secret's value, kept out of logs and documents: ToString() gives "***" and serialising it with System.Text.Json
/// throws. Only <see cref="Reveal"/> hands out the text.
/// </summary>
[JsonConverter(typeof(SecretValueJsonConverter))]
[DebuggerDisplay("***")]
public sealed class SecretValue
{
    public const string Mask = "***";

    private readonly string _value;

    internal SecretValue(string value, bool isBinary)
    {
        _value = value;
        IsBinary = isBinary;
    }

    /// <summary>True when the secret is binary (SecretBinary): <see cref="Reveal"/> then gives its base64 text.</summary>
    public bool IsBinary { get; }

    /// <summary>The secret text. Register it with the redactor before using it, and never print, log or journal it.</summary>
    public string Reveal() => _value;

    public override string ToString() => Mask;
}

/// <summary>Refuses to write or read a <see cref="SecretValue"/>: a secret never goes into a JSON document.</summary>
public sealed class SecretValueJsonConverter : JsonConverter<SecretValue>
{
    public override SecretValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("A SecretValue is never read from JSON: secrets come only from Secrets Manager.");

    public override void Write(Utf8JsonWriter writer, SecretValue value, JsonSerializerOptions options) =>
        throw new NotSupportedException("A SecretValue is never serialised: secret values must not be printed, logged or journaled.");
}
