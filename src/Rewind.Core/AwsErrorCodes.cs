namespace Rewind.Core;

/// <summary>
/// Which AWS error codes mean "try again" (the AWS SDKs' standard retry mode: its throttling codes, its transient
/// codes, and HTTP 429/500/502/503/504), which mean "your credentials are wrong" and which "no permission", and so
/// which <see cref="FailureKind"/> an AWS answer is: in Core, so the hand-written clients, the AWSSDK clients and the
/// DynamoDB ledger classify the same answer the same way.
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

    private static readonly HashSet<string> Denied = new(StringComparer.Ordinal)
    {
        "AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
    };

    private static readonly HashSet<int> TransientStatus = [500, 502, 503, 504];

    public static bool IsThrottling(string code) => Throttling.Contains(code);

    /// <summary>Throttled: the service refused the request without acting on it, so any call may be sent again.</summary>
    public static bool IsThrottling(string code, int httpStatus) => Throttling.Contains(code) || httpStatus == 429;

    public static bool IsRetryable(string code, int httpStatus) =>
        IsThrottling(code, httpStatus) || Transient.Contains(code) || TransientStatus.Contains(httpStatus);

    public static bool IsAuthFailure(string code) => Auth.Contains(code);

    /// <summary>The identity is known but lacks permission for the call.</summary>
    public static bool IsAccessDenied(string code) => Denied.Contains(code);

    /// <summary>
    /// The kind of an AWS error answer: refused credentials or a missing permission are setup the user fixes (bad
    /// input, nothing was changed); busy or failing after every retry is unavailable (safe to run again); anything
    /// else is a failed call.
    /// </summary>
    public static FailureKind KindOf(string code, int httpStatus) =>
        IsAuthFailure(code) || IsAccessDenied(code) ? FailureKind.BadInput
        : IsRetryable(code, httpStatus) ? FailureKind.Unavailable
        : FailureKind.Failed;
}
