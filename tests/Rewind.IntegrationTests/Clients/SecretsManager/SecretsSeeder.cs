using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Aws.Protocols;
using Rewind.Aws.Transport;
using Rewind.IntegrationTests.Clients.Support;

namespace Rewind.IntegrationTests.Clients.SecretsManager;

/// <summary>Creates secrets and versions for tests, through the signed transport (the product client only reads and moves stages).</summary>
internal sealed class SecretsSeeder(AwsTransport transport)
{
    private readonly JsonProtocol _json = new(transport, AwsService.SecretsManager, "secretsmanager", "1.1");

    /// <summary>Creates a secret with a first value; returns its ARN and the first version id.</summary>
    public async Task<(string Arn, string VersionId)> CreateSecretAsync(string name, string value, CancellationToken ct)
    {
        var answer = await _json.InvokeAsync("CreateSecret", new JsonObject { ["Name"] = name, ["SecretString"] = value }, ct);
        return ((string)answer["ARN"]!, (string)answer["VersionId"]!);
    }

    /// <summary>Puts a new AWSCURRENT value (the old one becomes AWSPREVIOUS); returns the new version id.</summary>
    public async Task<string> PutSecretValueAsync(string secretId, string value, CancellationToken ct)
    {
        var answer = await _json.InvokeAsync("PutSecretValue", new JsonObject { ["SecretId"] = secretId, ["SecretString"] = value }, ct);
        return (string)answer["VersionId"]!;
    }
}
