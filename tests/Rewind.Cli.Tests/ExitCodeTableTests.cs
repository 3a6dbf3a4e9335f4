using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement;
using Rewind.Aws;
using Rewind.Aws.Errors;
using Rewind.Core;
using Rewind.Core.Configuration;
using Rewind.Core.Ledger;
using Rewind.Ledger.DynamoDb;
using Xunit;

namespace Rewind.Cli.Tests;

/// <summary>
/// One failure shape, one table: every kind has one exit code, and the same AWS condition exits the same way whether the
/// hand-written clients, the AWSSDK clients (SSM, STS) or the DynamoDB ledger met it.
/// </summary>
public sealed class ExitCodeTableTests
{
    public enum Source
    {
        HandWritten,
        Sdk,
        DynamoDbLedger,
    }

    public enum Condition
    {
        AccessDenied,
        CredentialsRefused,
        ThrottledToTheDeadline,
        Unreachable,
    }

    [Fact]
    public void Given_every_failure_kind_when_looked_up_then_exactly_one_row_of_the_table_documented_in_cli_md_names_it()
    {
        foreach (var kind in Enum.GetValues<FailureKind>())
        {
            var rows = ExitCodes.Table.Where(row => row.Kind == kind).ToList();

            Assert.Single(rows);
            Assert.Equal(rows[0].Code, ExitCodes.Of(kind));
        }

        Assert.Equal([ExitCodes.Ok], ExitCodes.Table.Where(row => row.Kind is null).Select(row => row.Code));
    }

    [Theory]
    [InlineData(FailureKind.Failed, ExitCodes.Failed)]
    [InlineData(FailureKind.BadInput, ExitCodes.BadInput)]
    [InlineData(FailureKind.Blocked, ExitCodes.Blocked)]
    [InlineData(FailureKind.VerificationFailed, ExitCodes.VerificationFailed)]
    [InlineData(FailureKind.Unavailable, ExitCodes.Unavailable)]
    [InlineData(FailureKind.Cancelled, ExitCodes.Cancelled)]
    public void Given_a_failure_of_each_kind_when_handled_then_its_exit_code_is_the_table_s(FailureKind kind, int code)
    {
        var (line, exit) = RewindApp.Describe(new RewindException("the step failed", "do this", kind), CancellationToken.None);

        Assert.Equal(code, exit);
        Assert.Equal("the step failed: do this", line);
    }

    [Theory]
    [InlineData(Source.HandWritten, Condition.AccessDenied, ExitCodes.BadInput)]
    [InlineData(Source.Sdk, Condition.AccessDenied, ExitCodes.BadInput)]
    [InlineData(Source.DynamoDbLedger, Condition.AccessDenied, ExitCodes.BadInput)]
    [InlineData(Source.HandWritten, Condition.CredentialsRefused, ExitCodes.BadInput)]
    [InlineData(Source.Sdk, Condition.CredentialsRefused, ExitCodes.BadInput)]
    [InlineData(Source.DynamoDbLedger, Condition.CredentialsRefused, ExitCodes.BadInput)]
    [InlineData(Source.HandWritten, Condition.ThrottledToTheDeadline, ExitCodes.Unavailable)]
    [InlineData(Source.Sdk, Condition.ThrottledToTheDeadline, ExitCodes.Unavailable)]
    [InlineData(Source.DynamoDbLedger, Condition.ThrottledToTheDeadline, ExitCodes.Unavailable)]
    [InlineData(Source.HandWritten, Condition.Unreachable, ExitCodes.Unavailable)]
    [InlineData(Source.Sdk, Condition.Unreachable, ExitCodes.Unavailable)]
    [InlineData(Source.DynamoDbLedger, Condition.Unreachable, ExitCodes.Unavailable)]
    public async Task Given_an_AWS_condition_from_any_source_when_handled_then_it_exits_with_one_code(Source source, Condition condition, int expected)
    {
        var failure = await FailureAsync(source, condition);

        var (_, code) = RewindApp.Describe(failure, CancellationToken.None);

        Assert.Equal(expected, code);
    }

    [Fact]
    public async Task Given_AccessDenied_from_each_source_then_each_failure_carries_the_AWS_code_and_its_own_wording()
    {
        var handWritten = Assert.IsType<AwsServiceException>(await FailureAsync(Source.HandWritten, Condition.AccessDenied));
        var sdk = Assert.IsType<AwsServiceException>(await FailureAsync(Source.Sdk, Condition.AccessDenied));
        var ledger = Assert.IsType<LedgerException>(await FailureAsync(Source.DynamoDbLedger, Condition.AccessDenied));

        Assert.All(new IRewindFailure[] { handWritten, sdk, ledger }, failure => Assert.Equal("AccessDeniedException", failure.AwsCode));
        Assert.Equal(
            "ECS UpdateService failed: AccessDeniedException: not authorized to perform: ecs:UpdateService (HTTP 400, request req-1): the identity lacks permission for this call: grant it in IAM or use another --profile",
            RewindApp.Describe(handWritten, CancellationToken.None).Line);
        Assert.Equal(
            "DynamoDB refused access to table rewind-ledger (AccessDeniedException: not authorized to perform: dynamodb:PutItem): check the credentials and the IAM policy (dynamodb:* on the table)",
            RewindApp.Describe(ledger, CancellationToken.None).Line);
        Assert.Equal(LedgerFailureReason.Unreachable, ledger.Reason);
    }

    [Fact]
    public void Given_the_failures_Rewind_expects_when_handled_then_each_keeps_its_line()
    {
        var config = new ConfigException("rewind.yaml", 7, 3, "canary.listner_arn", "unknown key 'listner_arn' in canary (did you mean 'listener_arn'?)");
        var cli = new CliException("terraform apply needs CONFIRM=true as well as --live; nothing was changed", "review 'rewind infra plan'", FailureKind.Blocked);
        var conflict = new LedgerException(LedgerFailureReason.Conflict, "run r-1 was changed by another writer");
        var missing = new LedgerException(LedgerFailureReason.NotFound, "no run r-2 in the ledger");

        Assert.Equal(("rewind.yaml:7:3: unknown key 'listner_arn' in canary (did you mean 'listener_arn'?)", ExitCodes.BadInput), RewindApp.Describe(config, CancellationToken.None));
        Assert.Equal(("terraform apply needs CONFIRM=true as well as --live; nothing was changed: review 'rewind infra plan'", ExitCodes.Blocked), RewindApp.Describe(cli, CancellationToken.None));
        Assert.Equal(("run r-1 was changed by another writer", ExitCodes.Failed), RewindApp.Describe(conflict, CancellationToken.None));
        Assert.Equal(("no run r-2 in the ledger", ExitCodes.BadInput), RewindApp.Describe(missing, CancellationToken.None));
        Assert.Equal(("cancelled", ExitCodes.Cancelled), RewindApp.Describe(new OperationCanceledException(), new CancellationToken(canceled: true)));
        Assert.Equal(ExitCodes.Failed, RewindApp.Describe(new InvalidOperationException("oops"), CancellationToken.None).Code);
    }

    // Each source's own path from the wire to the failure it throws: the hand-written clients' parser of error answers,
    // SdkErrors around an official client's exception, and DynamoErrors around the DynamoDB client's.
    private static async Task<Exception> FailureAsync(Source source, Condition condition)
    {
        var (code, status, message) = condition switch
        {
            Condition.AccessDenied => ("AccessDeniedException", 400, $"not authorized to perform: {Action(source)}"),
            Condition.CredentialsRefused => ("UnrecognizedClientException", 400, "The security token included in the request is invalid."),
            Condition.ThrottledToTheDeadline => ("ThrottlingException", 400, "Rate exceeded"),
            _ => (string.Empty, 0, string.Empty),
        };
        var refused = new HttpRequestException("Connection refused (127.0.0.1:1)", new SocketException((int)SocketError.ConnectionRefused));
        switch (source)
        {
            case Source.HandWritten when condition == Condition.Unreachable:
                return new AwsUnavailableException(AwsService.Ecs, "UpdateService", "connection refused", "check --endpoint-url / AWS_ENDPOINT_URL, the network and that the endpoint is running", refused);
            case Source.HandWritten:
                return AwsErrorParser.Parse(AwsService.Ecs, "UpdateService", status,
                    Encoding.UTF8.GetBytes($$"""{"__type":"{{code}}","message":"{{message}}"}"""), new Dictionary<string, string>(), "req-1", null);
            case Source.Sdk:
                Exception thrown = condition == Condition.Unreachable
                    ? refused
                    : new AmazonSimpleSystemsManagementException(message) { ErrorCode = code, StatusCode = (HttpStatusCode)status, RequestId = "req-2" };
                return await Assert.ThrowsAnyAsync<AwsException>(() =>
                    SdkErrors.CallAsync<bool>(AwsService.Ssm, "PutParameter", TimeSpan.FromSeconds(5), _ => throw thrown, CancellationToken.None));
            default:
                using (var client = new AmazonDynamoDBClient(new BasicAWSCredentials("AKIDEXAMPLE", "secret"), new AmazonDynamoDBConfig { ServiceURL = "http://127.0.0.1:1" }))
                {
                    Exception dynamo = condition switch
                    {
                        Condition.Unreachable => refused,
                        Condition.ThrottledToTheDeadline => new ProvisionedThroughputExceededException(message) { ErrorCode = "ProvisionedThroughputExceededException", StatusCode = HttpStatusCode.BadRequest },
                        _ => new AmazonDynamoDBException(message) { ErrorCode = code, StatusCode = (HttpStatusCode)status },
                    };
                    return DynamoErrors.Translate(dynamo, "rewind-ledger", client);
                }
        }
    }

    private static string Action(Source source) => source switch
    {
        Source.HandWritten => "ecs:UpdateService",
        Source.Sdk => "ssm:PutParameter",
        _ => "dynamodb:PutItem",
    };
}
