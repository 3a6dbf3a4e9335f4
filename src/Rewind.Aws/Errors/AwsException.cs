using Rewind.Core;

namespace Rewind.Aws.Errors;

/// <summary>An expected failure of the wire layer: what failed, what the user can do about it, and its kind.</summary>
public abstract class AwsException : Exception, IRewindFailure
{
    protected AwsException(string message, string hint, Exception? inner = null)
        : base(message, inner) => Hint = hint;

    /// <summary>What the user should do next, in one sentence.</summary>
    public string Hint { get; }

    /// <inheritdoc />
    public abstract FailureKind Kind { get; }

    /// <summary>Only an answer from AWS has a code; a setup problem or a lost connection has none.</summary>
    public virtual string? AwsCode => null;
}

/// <summary>The setup is wrong before any request is sent: no credentials, no region, an unknown profile, a bad endpoint.</summary>
public sealed class AwsConfigurationException(string message, string hint, Exception? inner = null)
    : AwsException(message, hint, inner)
{
    /// <summary>Setup the user fixes; nothing was sent.</summary>
    public override FailureKind Kind => FailureKind.BadInput;
}

/// <summary>An AWS service answered with an error.</summary>
public sealed class AwsServiceException : AwsException
{
    public AwsServiceException(
        AwsService service, string operation, string code, string errorMessage, int httpStatus, string? requestId,
        TimeSpan? retryAfter = null)
        : base(
            $"{service.DisplayName} {operation} failed: {code}: {errorMessage} (HTTP {httpStatus}{(requestId is null ? "" : $", request {requestId}")})",
            HintFor(code, httpStatus))
    {
        Service = service;
        Operation = operation;
        Code = code;
        ErrorMessage = errorMessage;
        HttpStatus = httpStatus;
        RequestId = requestId;
        RetryAfter = retryAfter;
    }

    public AwsService Service { get; }
    public string Operation { get; }
    public string Code { get; }
    public string ErrorMessage { get; }
    public int HttpStatus { get; }
    public string? RequestId { get; }
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// As <see cref="AwsErrorCodes.KindOf"/> says for every source of AWS answers; the emulator's crash page is a
    /// failed call, since sending it again fails the same way.
    /// </summary>
    public override FailureKind Kind => IsEmulatorErrorPage ? FailureKind.Failed : AwsErrorCodes.KindOf(Code, HttpStatus);

    /// <inheritdoc />
    public override string? AwsCode => Code;

    /// <summary>
    /// Throttling, a transient server fault or a 429/5xx: worth another attempt. Not the emulator's crash page: the
    /// same request fails the same way again, and only delays the answer.
    /// </summary>
    public bool IsRetryable => AwsErrorCodes.IsRetryable(Code, HttpStatus) && !IsEmulatorErrorPage;

    /// <summary>Throttling (a throttling code or 429): the request was refused before it was acted on.</summary>
    public bool IsThrottling => AwsErrorCodes.IsThrottling(Code, HttpStatus);

    /// <summary>
    /// Werkzeug's generic HTML 500 page: moto's answer to an action it does not implement (it raises
    /// NotImplementedError) or to its own bug. Real AWS never sends it: its 5xx answers are JSON or XML.
    /// </summary>
    public bool IsEmulatorErrorPage =>
        HttpStatus == 500
        && Code == "InternalFailure"
        && ErrorMessage.StartsWith("<!doctype html>", StringComparison.OrdinalIgnoreCase)
        && ErrorMessage.Contains(WerkzeugInternalError, StringComparison.Ordinal);

    private const string WerkzeugInternalError = "The server encountered an internal error and was unable to complete your request.";

    /// <summary>The signature or the credentials were refused.</summary>
    public bool IsAuthFailure => AwsErrorCodes.IsAuthFailure(Code);

    private static string HintFor(string code, int status) => code switch
    {
        _ when AwsErrorCodes.IsAuthFailure(code) =>
            "check the access key and secret (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or --profile) and the machine's clock",
        _ when AwsErrorCodes.IsAccessDenied(code) =>
            "the identity lacks permission for this call: grant it in IAM or use another --profile",
        _ when status == 404 || code.EndsWith("NotFound", StringComparison.Ordinal) || code.EndsWith("NotFoundException", StringComparison.Ordinal) =>
            "check the name or ARN, and that --region points at the right region",
        _ when AwsErrorCodes.IsRetryable(code, status) => "the service is busy or failing: try again in a minute",
        _ => "see the AWS error above; run with --verbose for the request details",
    };
}

/// <summary>The endpoint could not be reached, or did not answer in time, after every attempt.</summary>
public sealed class AwsUnavailableException(AwsService service, string operation, string message, string hint, Exception? inner = null)
    : AwsException($"{service.DisplayName} {operation}: {message}", hint, inner)
{
    public AwsService Service { get; } = service;
    public string Operation { get; } = operation;

    /// <summary>Nothing answered after every attempt: safe to run again.</summary>
    public override FailureKind Kind => FailureKind.Unavailable;
}

/// <summary>
/// A call that is not idempotent was delivered, or may have been, and its answer never came (a timeout after the
/// request was written, a connection reset, a 5xx): the transport does not resend it; the step reads live state and
/// decides.
/// </summary>
public sealed class AwsAnswerLostException(AwsService service, string operation, string whatHappened, Exception? inner = null)
    : AwsException(
        $"{service.DisplayName} {operation} may have been applied, but its answer was lost ({whatHappened})",
        "the step reads the live state before deciding; 'rewind resume' does the same", inner)
{
    public AwsService Service { get; } = service;
    public string Operation { get; } = operation;

    /// <summary>What became of the answer: "no answer within 2 s", "connection reset", "HTTP 500 InternalFailure".</summary>
    public string WhatHappened { get; } = whatHappened;

    /// <summary>The call may or may not have happened; running again reads live state first, so it is safe.</summary>
    public override FailureKind Kind => FailureKind.Unavailable;
}
