namespace Rewind.Aws.Errors;

/// <summary>
/// Which AWS error codes mean "try again" (the AWS SDKs' standard retry mode: its throttling codes, its transient
/// codes, and HTTP 429/500/502/503/504) and which mean "your credentials are wrong".
/// </summary>
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

    private static readonly HashSet<int> TransientStatus = [500, 502, 503, 504];

    public static bool IsThrottling(string code) => Throttling.Contains(code);

    /// <summary>Throttled: the service refused the request without acting on it, so any call may be sent again.</summary>
    public static bool IsThrottling(string code, int httpStatus) => Throttling.Contains(code) || httpStatus == 429;

    public static bool IsRetryable(string code, int httpStatus) =>
        IsThrottling(code, httpStatus) || Transient.Contains(code) || TransientStatus.Contains(httpStatus);

    public static bool IsAuthFailure(string code) => Auth.Contains(code);
}
