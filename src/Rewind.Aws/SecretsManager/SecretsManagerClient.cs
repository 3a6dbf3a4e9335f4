using Rewind.Aws.Errors;
using Rewind.Aws.Protocols;
using Rewind.Aws.Transport;

namespace Rewind.Aws.SecretsManager;

/// <summary>Secrets Manager over awsJson1_1 (target prefix secretsmanager).</summary>
public sealed class SecretsManagerClient : ISecretsManagerClient
{
    private readonly JsonProtocol _json;

    public SecretsManagerClient(AwsTransport transport) =>
        _json = new JsonProtocol(transport, AwsService.SecretsManager, "secretsmanager", "1.1");

    public async Task<SecretDescription?> DescribeSecretAsync(string secretId, CancellationToken cancellationToken)
    {
        try
        {
            return await _json.InvokeAsync(
                "DescribeSecret", new SecretIdRequest(secretId),
                SecretsManagerJsonContext.Default.SecretIdRequest, SecretsManagerJsonContext.Default.SecretDescription, cancellationToken);
        }
        catch (AwsServiceException e) when (e.Code == "ResourceNotFoundException")
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<SecretVersion>> ListSecretVersionIdsAsync(
        string secretId, bool includeDeprecated, CancellationToken cancellationToken)
    {
        var versions = new List<SecretVersion>();
        await foreach (var version in Paging.AllAsync(
            (token, ct) => _json.InvokeAsync(
                "ListSecretVersionIds", new ListSecretVersionIdsRequest(secretId, includeDeprecated ? true : null, token),
                SecretsManagerJsonContext.Default.ListSecretVersionIdsRequest, SecretsManagerJsonContext.Default.ListSecretVersionIdsResponse, ct),
            page => page.Versions ?? [],
            page => page.NextToken,
            cancellationToken))
        {
            versions.Add(version);
        }
        return versions;
    }

    public Task<SecretIdentity> UpdateSecretVersionStageAsync(SecretStageMove move, CancellationToken cancellationToken) =>
        _json.InvokeAsync(
            "UpdateSecretVersionStage", move,
            SecretsManagerJsonContext.Default.SecretStageMove, SecretsManagerJsonContext.Default.SecretIdentity,
            cancellationToken, readOnly: false);

    public async Task<SecretVersionValue> GetSecretValueAsync(string secretId, SecretVersionSelector version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        var response = await _json.InvokeAsync(
            "GetSecretValue", new GetSecretValueRequest(secretId, version.VersionId, version.VersionStage),
            SecretsManagerJsonContext.Default.GetSecretValueRequest, SecretsManagerJsonContext.Default.GetSecretValueResponse, cancellationToken);
        var value = response.SecretString is { } text
            ? new SecretValue(text, isBinary: false)
            : response.SecretBinary is { } base64
                ? new SecretValue(base64, isBinary: true)
                : throw Malformed("SecretString or SecretBinary");
        return new SecretVersionValue(
            response.Arn ?? throw Malformed("ARN"),
            response.Name ?? throw Malformed("Name"),
            response.VersionId ?? throw Malformed("VersionId"),
            response.VersionStages ?? [],
            response.CreatedDate,
            value);
    }

    // The message names the missing member only, never the answer's content (it holds the secret).
    private AwsServiceException Malformed(string member) =>
        new(_json.Service, "GetSecretValue", "MalformedResponse", $"the answer has no {member}", 200, null);
}
