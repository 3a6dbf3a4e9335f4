using Rewind.Aws.Credentials;

namespace Rewind.Aws.Signing;

/// <summary>Everything SigV4 needs to sign one HTTP request; the body itself is represented only by its hash.</summary>
/// <param name="Method">The HTTP method, e.g. <c>GET</c> or <c>POST</c>.</param>
/// <param name="RawPath">The path exactly as it goes on the wire, already percent-encoded by the caller; never round-tripped through <see cref="Uri"/>.</param>
/// <param name="Query">Decoded query names and values; the signer encodes them (RFC 3986 unreserved set) and sorts them.</param>
/// <param name="Headers">Headers to sign; must include <c>Host</c>. Names in any case; repeated names are joined with ',' in order.</param>
/// <param name="PayloadHash">Lower-case hex SHA-256 of the body (<see cref="SigV4Signer.EmptyPayloadHash"/> for none).</param>
/// <param name="Credentials">The credentials to sign with.</param>
/// <param name="Region">The signing region, e.g. <c>us-east-1</c>.</param>
/// <param name="Service">The signing name of the service, e.g. <c>cloudfront</c>.</param>
/// <param name="Time">The signing time; converted to UTC.</param>
/// <param name="NormalizePath">True for every service but S3: remove dot segments and duplicate slashes. False: sign <paramref name="RawPath"/> as given.</param>
/// <param name="AddContentSha256Header">Add <c>x-amz-content-sha256</c> as a signed header.</param>
/// <param name="SignSessionToken">True (what AWS services expect): <c>X-Amz-Security-Token</c> is a signed header. False: it is added after signing, outside the signature.</param>
/// <param name="DoubleEncodePath">Percent-encode the already-encoded path once more, segment by segment. Null follows <paramref name="NormalizePath"/>: non-S3 services do both, S3 neither.</param>
public sealed record SigningRequest(
    string Method,
    string RawPath,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string PayloadHash,
    AwsCredentials Credentials,
    string Region,
    string Service,
    DateTimeOffset Time,
    bool NormalizePath = true,
    bool AddContentSha256Header = false,
    bool SignSessionToken = true,
    bool? DoubleEncodePath = null);
