namespace Rewind.Aws.Signing;

/// <summary>The outcome of signing: the intermediate texts (for diagnosing a signature mismatch) and the headers to send.</summary>
/// <param name="CanonicalRequest">The SigV4 canonical request that was hashed.</param>
/// <param name="StringToSign">The SigV4 string to sign.</param>
/// <param name="Signature">The lower-case hex signature.</param>
/// <param name="HeadersToAdd"><c>X-Amz-Date</c>, <c>X-Amz-Security-Token</c> when the credentials carry one, <c>x-amz-content-sha256</c> when asked, and <c>Authorization</c> last.</param>
public sealed record SigningResult(
    string CanonicalRequest,
    string StringToSign,
    string Signature,
    IReadOnlyList<KeyValuePair<string, string>> HeadersToAdd);
