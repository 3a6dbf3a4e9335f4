namespace Rewind.Aws.Errors;

/// <summary>Which AWS error codes mean "try again" and which mean "your credentials are wrong".</summary>
public static class AwsErrorCodes
{
    private static readonly HashSet<string> Throttling = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    };

    private static readonly HashSet<string> Transient = new(StringComparer.Ordinal)
    {
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
        "ServiceUnavailableException", "InternalServerError", "ServerException",
    };

    private static readonly HashSet<string> Auth = new(StringComparer.Ordinal)
    {
        "SignatureDoesNotMatch", "InvalidClientTokenId", "UnrecognizedClientException", "InvalidSignatureException",
        "IncompleteSignature", "MissingAuthenticationToken", "ExpiredToken", "ExpiredTokenException", "AuthFailure",
        "InvalidAccessKeyId",
    };

    public static bool IsThrottling(string code) => Throttling.Contains(code);

    public static bool IsRetryable(string code, int httpStatus) =>
        Throttling.Contains(code) || Transient.Contains(code) || httpStatus == 429 || httpStatus >= 500;

    public static bool IsAuthFailure(string code) => Auth.Contains(code);
}
