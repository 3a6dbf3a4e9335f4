using System.Text.Json.Serialization;
using Rewind.Aws.SecretsManager;

namespace Rewind.IntegrationTests.Clients.SecretsManager;

/// <summary>A context like any other component's, to prove a SecretValue cannot be written even by accident.</summary>
[JsonSerializable(typeof(SecretValue))]
[JsonSerializable(typeof(SecretVersionValue))]
internal sealed partial class MaskJson : JsonSerializerContext;
