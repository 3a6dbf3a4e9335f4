using Rewind.Aws.SecretsManager;
using Rewind.IntegrationTests.Clients.Support;
using Xunit;

namespace Rewind.IntegrationTests.Clients.SecretsManager;

// What goes on the wire, and answers moto cannot give (pages, binary secrets), served in-process.
public sealed class SecretsManagerClientWireTests
{
    [Fact]
    public async Task Get_secret_value_always_sends_the_stage_or_the_version_id()
    {
        var ct = TestContext.Current.CancellationToken;
        const string Answer = """{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf","Name":"db","VersionId":"v2","VersionStages":["AWSCURRENT"],"SecretString":"x","CreatedDate":1740830400.5}""";
        var answers = new CannedAnswers().Json(Answer).Json(Answer);
        var secrets = new SecretsManagerClient(ClientFactory.Transport(answers));

        var read = await secrets.GetSecretValueAsync("db", SecretVersionSelector.Current, ct);
        await secrets.GetSecretValueAsync("db", SecretVersionSelector.ById("v2"), ct);

        Assert.Equal("secretsmanager.GetSecretValue", answers.Sent[0].Target);
        Assert.Equal("""{"SecretId":"db","VersionStage":"AWSCURRENT"}""", answers.Sent[0].Body);
        Assert.Equal("""{"SecretId":"db","VersionId":"v2"}""", answers.Sent[1].Body);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1740830400500), read.CreatedDate);
    }

    [Fact]
    public async Task Given_a_binary_secret_when_read_then_the_value_is_its_base64_text_and_marked_binary()
    {
        var ct = TestContext.Current.CancellationToken;
        var answers = new CannedAnswers().Json("""{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf","Name":"k","VersionId":"v1","VersionStages":["AWSCURRENT"],"SecretBinary":"AAEC"}""");

        var read = await new SecretsManagerClient(ClientFactory.Transport(answers)).GetSecretValueAsync("k", SecretVersionSelector.Current, ct);

        Assert.True(read.Value.IsBinary);
        Assert.Equal("AAEC", read.Value.Reveal());
    }

    [Fact]
    public async Task List_secret_version_ids_follows_next_tokens_and_asks_for_deprecated_versions_only_when_told()
    {
        var ct = TestContext.Current.CancellationToken;
        var answers = new CannedAnswers()
            .Json("""{"Versions":[{"VersionId":"v1","VersionStages":["AWSPREVIOUS"],"CreatedDate":1740000000}],"NextToken":"t2"}""")
            .Json("""{"Versions":[{"VersionId":"v2","VersionStages":["AWSCURRENT"],"CreatedDate":1740000100}],"NextToken":""}""")
            .Json("""{"Versions":[]}""");
        var secrets = new SecretsManagerClient(ClientFactory.Transport(answers));

        var versions = await secrets.ListSecretVersionIdsAsync("db", includeDeprecated: true, ct);
        await secrets.ListSecretVersionIdsAsync("db", includeDeprecated: false, ct);

        Assert.Equal(["v1", "v2"], versions.Select(v => v.VersionId));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1740000100), versions[1].CreatedDate);
        Assert.Equal("""{"SecretId":"db","IncludeDeprecated":true}""", answers.Sent[0].Body);
        Assert.Equal("""{"SecretId":"db","IncludeDeprecated":true,"NextToken":"t2"}""", answers.Sent[1].Body);
        Assert.Equal("""{"SecretId":"db"}""", answers.Sent[2].Body);
    }

    [Fact]
    public async Task Update_secret_version_stage_sends_the_four_members()
    {
        var ct = TestContext.Current.CancellationToken;
        var answers = new CannedAnswers().Json("""{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf","Name":"db"}""");

        var moved = await new SecretsManagerClient(ClientFactory.Transport(answers)).UpdateSecretVersionStageAsync(
            new SecretStageMove("db", "AWSCURRENT", MoveToVersionId: "v1", RemoveFromVersionId: "v2"), ct);

        Assert.Equal("db", moved.Name);
        Assert.Equal(
            """{"SecretId":"db","VersionStage":"AWSCURRENT","MoveToVersionId":"v1","RemoveFromVersionId":"v2"}""",
            answers.Sent[0].Body);
    }
}
