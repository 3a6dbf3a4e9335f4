using System.Text.Json.Serialization;
using Rewind.Aws.Protocols;

namespace Rewind.Aws.SecretsManager;

// The request and response shapes of the Secrets Manager API (botocore's secretsmanager/2017-10-17 model), PascalCase.

internal sealed record SecretIdRequest(string SecretId);

internal sealed record ListSecretVersionIdsRequest(string SecretId, bool? IncludeDeprecated, string? NextToken);

internal sealed record ListSecretVersionIdsResponse(IReadOnlyList<SecretVersion>? Versions, string? NextToken);

internal sealed record GetSecretValueRequest(string SecretId, string? VersionId, string? VersionStage);

// The only type that holds the secret as a plain string: internal, and a class so no generated ToString prints it.
internal sealed class GetSecretValueResponse
{
    [JsonPropertyName("ARN")]
    public string? Arn { get; init; }

    public string? Name { get; init; }
    public string? VersionId { get; init; }
    public IReadOnlyList<string>? VersionStages { get; init; }
    public DateTimeOffset? CreatedDate { get; init; }
    public string? SecretString { get; init; }
    public string? SecretBinary { get; init; }
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(EpochSecondsConverter)])]
[JsonSerializable(typeof(SecretIdRequest))]
[JsonSerializable(typeof(SecretDescription))]
[JsonSerializable(typeof(ListSecretVersionIdsRequest))]
[JsonSerializable(typeof(ListSecretVersionIdsResponse))]
[JsonSerializable(typeof(SecretStageMove))]
[JsonSerializable(typeof(SecretIdentity))]
[JsonSerializable(typeof(GetSecretValueRequest))]
[JsonSerializable(typeof(GetSecretValueResponse))]
internal sealed partial class SecretsManagerJsonContext : JsonSerializerContext;
