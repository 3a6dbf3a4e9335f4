using System.Net;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Rewind.Core;
using Rewind.Core.Ledger;
using Rewind.Ledger.DynamoDb;

namespace Rewind.Ledger.Tests;

/// <summary>
/// DynamoDB's answers get the kind every AWS client gives the same answer (no emulator: the SDK's own exceptions are
/// translated as the ledger translates them).
/// </summary>
public sealed class DynamoErrorsTests : IDisposable
{
    private readonly AmazonDynamoDBClient _client = new(new BasicAWSCredentials("AKIDEXAMPLE", "secret"), new AmazonDynamoDBConfig { ServiceURL = "http://127.0.0.1:1" });

    public void Dispose() => _client.Dispose();

    [Theory]
    [InlineData("AccessDeniedException")]
    [InlineData("UnrecognizedClientException")]
    [InlineData("InvalidSignatureException")]
    [InlineData("ExpiredTokenException")]
    public void Given_DynamoDB_refuses_the_identity_when_translated_then_it_is_bad_input_with_the_AWS_code_and_the_same_message(string code)
    {
        var refused = new AmazonDynamoDBException("not authorized to perform: dynamodb:PutItem") { ErrorCode = code, StatusCode = HttpStatusCode.BadRequest };

        var failure = DynamoErrors.Translate(refused, "rewind-ledger", _client);

        Assert.Equal(FailureKind.BadInput, failure.Kind);
        Assert.Equal(code, failure.AwsCode);
        Assert.Equal(LedgerFailureReason.Unreachable, failure.Reason);
        Assert.Equal(
            $"DynamoDB refused access to table rewind-ledger ({code}: not authorized to perform: dynamodb:PutItem): check the credentials and the IAM policy (dynamodb:* on the table)",
            failure.Message);
    }

    [Fact]
    public void Given_DynamoDB_throttles_or_cannot_be_reached_when_translated_then_it_is_unavailable()
    {
        var throttled = new ProvisionedThroughputExceededException("Rate exceeded") { ErrorCode = "ProvisionedThroughputExceededException", StatusCode = HttpStatusCode.BadRequest };

        var busy = DynamoErrors.Translate(throttled, "rewind-ledger", _client);
        var unreachable = DynamoErrors.Translate(new HttpRequestException("Connection refused"), "rewind-ledger", _client);

        Assert.Equal(FailureKind.Unavailable, busy.Kind);
        Assert.Equal("ProvisionedThroughputExceededException", busy.AwsCode);
        Assert.Equal(FailureKind.Unavailable, unreachable.Kind);
        Assert.Null(unreachable.AwsCode);
        Assert.StartsWith("cannot reach DynamoDB at http://127.0.0.1:1/", unreachable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_missing_table_when_translated_then_it_is_bad_input_naming_the_init_command()
    {
        var failure = DynamoErrors.Translate(new ResourceNotFoundException("Requested resource not found"), "rewind-ledger", _client);

        Assert.Equal(LedgerFailureReason.TableMissing, failure.Reason);
        Assert.Equal(FailureKind.BadInput, failure.Kind);
        Assert.EndsWith("create it with `rewind ledger init --backend dynamodb --table rewind-ledger`", failure.Message, StringComparison.Ordinal);
    }
}
