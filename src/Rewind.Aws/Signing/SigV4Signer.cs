using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Rewind.Aws.Signing;

/// <summary>AWS Signature Version 4 (header flavour) as a pure function of the request, the credentials and the time.</summary>
public static class SigV4Signer
{
    /// <summary>Lower-case hex SHA-256 of an empty body.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private const string Algorithm = "AWS4-HMAC-SHA256";
    private const string UpperHexDigits = "0123456789ABCDEF";

    /// <summary>Lower-case hex SHA-256 of <paramref name="body"/>, as <see cref="SigningRequest.PayloadHash"/> expects.</summary>
    public static string HashPayload(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Signs <paramref name="request"/> and returns the headers to add to it, Authorization last.</summary>
    public static SigningResult Sign(SigningRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.PayloadHash, nameof(request));
        var sessionToken = request.Credentials.SessionToken;
        EnsureHeadersAreTheCallers(request, sessionToken is not null);

        var amzDate = request.Time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var scope = $"{amzDate[..8]}/{request.Region}/{request.Service}/aws4_request";

        var headersToAdd = new List<KeyValuePair<string, string>>(4) { new("X-Amz-Date", amzDate) };
        var headersToSign = new List<KeyValuePair<string, string>>(request.Headers.Count + 3);
        headersToSign.AddRange(request.Headers);
        headersToSign.Add(new("x-amz-date", amzDate));
        if (sessionToken is not null)
        {
            headersToAdd.Add(new("X-Amz-Security-Token", sessionToken));
            if (request.SignSessionToken)
            {
                headersToSign.Add(new("x-amz-security-token", sessionToken));
            }
        }

        if (request.AddContentSha256Header)
        {
            headersToAdd.Add(new("x-amz-content-sha256", request.PayloadHash));
            headersToSign.Add(new("x-amz-content-sha256", request.PayloadHash));
        }

        var canonicalRequest = new StringBuilder(256)
            .Append(request.Method).Append('\n')
            .Append(CanonicalPath(request)).Append('\n');
        AppendCanonicalQuery(canonicalRequest, request.Query);
        canonicalRequest.Append('\n');
        var signedHeaders = AppendCanonicalHeaders(canonicalRequest, headersToSign);
        canonicalRequest.Append('\n').Append(signedHeaders).Append('\n').Append(request.PayloadHash);
        var canonicalRequestText = canonicalRequest.ToString();

        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{HashPayload(Encoding.UTF8.GetBytes(canonicalRequestText))}";
        var signature = ComputeSignature(request, amzDate[..8], stringToSign);

        headersToAdd.Add(new(
            "Authorization",
            $"{Algorithm} Credential={request.Credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}"));
        return new SigningResult(canonicalRequestText, stringToSign, signature, headersToAdd);
    }

    private static void EnsureHeadersAreTheCallers(SigningRequest request, bool hasSessionToken)
    {
        var hasHost = false;
        foreach (var (name, _) in request.Headers)
        {
            hasHost |= name.Equals("host", StringComparison.OrdinalIgnoreCase);
            var setBySigner = name.Equals("authorization", StringComparison.OrdinalIgnoreCase)
                || name.Equals("x-amz-date", StringComparison.OrdinalIgnoreCase)
                || (hasSessionToken && name.Equals("x-amz-security-token", StringComparison.OrdinalIgnoreCase))
                || (request.AddContentSha256Header && name.Equals("x-amz-content-sha256", StringComparison.OrdinalIgnoreCase));
            if (setBySigner)
            {
                throw new ArgumentException($"Header '{name}' is set by the signer; leave it out of the request's headers.", nameof(request));
            }
        }

        if (!hasHost)
        {
            throw new ArgumentException("The request's headers must include Host: SigV4 always signs it.", nameof(request));
        }
    }

    private static string CanonicalPath(SigningRequest request)
    {
        var path = request.RawPath.Length == 0 ? "/" : request.RawPath;
        if (request.NormalizePath)
        {
            path = RemoveDotSegmentsAndEmptySegments(path);
        }

        if (!(request.DoubleEncodePath ?? request.NormalizePath))
        {
            return path;
        }

        var encoded = new StringBuilder(path.Length + 16);
        AppendUriEncoded(encoded, path, keepSlashes: true);
        return encoded.ToString();
    }

    // RFC 3986 section 5.2.4, plus SigV4's collapsing of "//": "/a//b/../c/" becomes "/a/c/".
    private static string RemoveDotSegmentsAndEmptySegments(string path)
    {
        var segments = path.Split('/');
        var kept = new List<string>(segments.Length);
        foreach (var segment in segments)
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (kept.Count > 0)
                {
                    kept.RemoveAt(kept.Count - 1);
                }

                continue;
            }

            kept.Add(segment);
        }

        if (kept.Count == 0)
        {
            return "/";
        }

        var endsAsDirectory = segments[^1] is "" or "." or "..";
        return endsAsDirectory ? $"/{string.Join('/', kept)}/" : $"/{string.Join('/', kept)}";
    }

    private static void AppendCanonicalQuery(StringBuilder builder, IReadOnlyList<KeyValuePair<string, string>> query)
    {
        if (query.Count == 0)
        {
            return;
        }

        var encoded = new (string Name, string Value)[query.Count];
        for (var i = 0; i < query.Count; i++)
        {
            encoded[i] = (UriEncode(query[i].Key), UriEncode(query[i].Value));
        }

        Array.Sort(encoded, static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });

        for (var i = 0; i < encoded.Length; i++)
        {
            if (i > 0)
            {
                builder.Append('&');
            }

            builder.Append(encoded[i].Name).Append('=').Append(encoded[i].Value);
        }
    }

    // Appends "name:value\n" per distinct lower-cased name, sorted; returns the signed-headers list.
    private static string AppendCanonicalHeaders(StringBuilder builder, List<KeyValuePair<string, string>> headers)
    {
        // OrderBy is stable, so repeated headers keep the order the caller gave them in.
        var sorted = headers
            .Select(static header => (Name: header.Key.ToLowerInvariant(), Value: header.Value))
            .OrderBy(static header => header.Name, StringComparer.Ordinal)
            .ToArray();

        var signedHeaders = new StringBuilder(sorted.Length * 16);
        for (var i = 0; i < sorted.Length; i++)
        {
            var name = sorted[i].Name;
            var repeatsPrevious = i > 0 && sorted[i - 1].Name == name;
            if (repeatsPrevious)
            {
                builder.Append(',');
            }
            else
            {
                if (i > 0)
                {
                    builder.Append('\n');
                    signedHeaders.Append(';');
                }

                builder.Append(name).Append(':');
                signedHeaders.Append(name);
            }

            AppendTrimmedAndCollapsed(builder, sorted[i].Value);
        }

        builder.Append('\n');
        return signedHeaders.ToString();
    }

    // Trims the value and turns every inner run of whitespace, line folds included, into one space.
    private static void AppendTrimmedAndCollapsed(StringBuilder builder, string value)
    {
        var wroteAny = false;
        var spacePending = false;
        foreach (var c in value)
        {
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                spacePending = wroteAny;
                continue;
            }

            if (spacePending)
            {
                builder.Append(' ');
                spacePending = false;
            }

            builder.Append(c);
            wroteAny = true;
        }
    }

    private static string UriEncode(string value)
    {
        var builder = new StringBuilder(value.Length + 8);
        AppendUriEncoded(builder, value, keepSlashes: false);
        return builder.ToString();
    }

    private static void AppendUriEncoded(StringBuilder builder, string value, bool keepSlashes)
    {
        Span<byte> utf8 = stackalloc byte[4];
        var i = 0;
        while (i < value.Length)
        {
            var c = value[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' || (keepSlashes && c == '/'))
            {
                builder.Append(c);
                i++;
                continue;
            }

            // A lone surrogate decodes to U+FFFD, as UTF-8 encoders do.
            _ = Rune.DecodeFromUtf16(value.AsSpan(i), out var rune, out var consumed);
            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                builder.Append('%').Append(UpperHexDigits[b >> 4]).Append(UpperHexDigits[b & 0xF]);
            }

            i += consumed;
        }
    }

    private static string ComputeSignature(SigningRequest request, string date, string stringToSign)
    {
        // Two buffers, because each HMAC is keyed with the previous one's output.
        Span<byte> key = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Span<byte> next = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + request.Credentials.SecretAccessKey), Encoding.UTF8.GetBytes(date), key);
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(request.Region), next);
        HMACSHA256.HashData(next, Encoding.UTF8.GetBytes(request.Service), key);
        HMACSHA256.HashData(key, "aws4_request"u8, next);
        HMACSHA256.HashData(next, Encoding.UTF8.GetBytes(stringToSign), key);
        return Convert.ToHexStringLower(key);
    }
}
