using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Rewind.Core;
using Rewind.Core.Ledger;

namespace Rewind.Ledger.DynamoDb;

/// <summary>
/// Maps DynamoDB and transport failures to one clear <see cref="LedgerException"/> each; an answer's kind is
/// <see cref="AwsErrorCodes.KindOf"/>'s, as for every other AWS client, so refused access exits as bad input everywhere.
/// </summary>
internal static class DynamoErrors
{
    public static LedgerException Translate(Exception e, string tableName, IAmazonDynamoDB client)
    {
        var endpoint = client.Config.ServiceURL ?? client.Config.RegionEndpoint?.SystemName ?? "the default endpoint";
        return e switch
        {
            ResourceNotFoundException => new LedgerException(
                LedgerFailureReason.TableMissing,
                $"DynamoDB table {tableName} does not exist at {endpoint}: create it with `rewind ledger init --backend dynamodb --table {tableName}`",
                e)
            {
                AwsCode = "ResourceNotFoundException",
            },
            AmazonServiceException { ErrorCode: "ValidationException" } service
                when service.Message.Contains("key", StringComparison.OrdinalIgnoreCase) => new LedgerException(
                LedgerFailureReason.WrongKeySchema,
                $"DynamoDB table {tableName} rejected the ledger's keys ({service.Message}): it needs pk (S, HASH) + sk (S, RANGE); create one with `rewind ledger init --backend dynamodb --table NEW_TABLE`",
                e)
                {
                    AwsCode = service.ErrorCode,
                },
            AmazonServiceException { ErrorCode: { } code } service when AwsErrorCodes.IsAuthFailure(code) || AwsErrorCodes.IsAccessDenied(code) =>
                new LedgerException(
                    LedgerFailureReason.Unreachable,
                    $"DynamoDB refused access to table {tableName} ({service.ErrorCode}: {service.Message}): check the credentials and the IAM policy (dynamodb:* on the table)",
                    e)
                {
                    Kind = FailureKind.BadInput,
                    AwsCode = code,
                },
            AmazonServiceException service => new LedgerException(
                LedgerFailureReason.Unreachable,
                $"DynamoDB failed on table {tableName} ({service.ErrorCode}: {service.Message}): retry",
                e)
            {
                Kind = service.ErrorCode is { } code ? AwsErrorCodes.KindOf(code, (int)service.StatusCode) : FailureKind.Unavailable,
                AwsCode = service.ErrorCode,
            },
            _ => new LedgerException(
                LedgerFailureReason.Unreachable,
                $"cannot reach DynamoDB at {endpoint} ({e.Message}): check the network, region and endpoint",
                e),
        };
    }

    /// <summary>Whether a failure should be translated (it is the store's, not a bug or a cancellation).</summary>
    public static bool IsStoreFailure(Exception e) =>
        e is AmazonServiceException or AmazonClientException or HttpRequestException
        || (e is TaskCanceledException && e.InnerException is TimeoutException);
}
