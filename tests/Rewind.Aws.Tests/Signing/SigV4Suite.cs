using System.Text.Json;
using Rewind.Aws.Credentials;
using Rewind.Aws.Signing;

namespace Rewind.Aws.Tests.Signing;

/// <summary>The public AWS SigV4 test suite (aws-c-auth's copy), kept at ../shared/vectors/sigv4 beside the repository.</summary>
internal static class SigV4Suite
{
    public const string MissingReason = "../shared/vectors/sigv4 not found: the SigV4 suite is provided beside the project in CI";

    /// <summary>The suite's folder, or null in a clone without it.</summary>
    public static string? Folder { get; } = Locate();

    public static IReadOnlyList<string> CaseNames(string folder) =>
        [.. Directory.GetDirectories(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    private static string? Locate()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Rewind.slnx")))
            {
                var suite = Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "vectors", "sigv4"));
                return Directory.Exists(suite) ? suite : null;
            }
        }

        return null;
    }
}

/// <summary>One case of the suite: the request to sign, built from request.txt and context.json, and the expected header-flavour outputs.</summary>
internal sealed record SigV4SuiteCase(
    string Name,
    SigningRequest Request,
    string ExpectedCanonicalRequest,
    string ExpectedStringToSign,
    string ExpectedSignature)
{
    public static SigV4SuiteCase Load(string suiteFolder, string name)
    {
        var folder = Path.Combine(suiteFolder, name);
        var request = ParseRawRequest(ReadText(folder, "request.txt"));
        using var context = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "context.json")));
        var root = context.RootElement;
        var credentials = root.GetProperty("credentials");

        var signingRequest = new SigningRequest(
            request.Method,
            request.Path,
            request.Query,
            request.Headers,
            SigV4Signer.HashPayload(System.Text.Encoding.UTF8.GetBytes(request.Body)),
            new AwsCredentials(
                credentials.GetProperty("access_key_id").GetString()!,
                credentials.GetProperty("secret_access_key").GetString()!,
                credentials.TryGetProperty("token", out var token) ? token.GetString() : null),
            root.GetProperty("region").GetString()!,
            root.GetProperty("service").GetString()!,
            root.GetProperty("timestamp").GetDateTimeOffset(),
            NormalizePath: root.GetProperty("normalize").GetBoolean(),
            AddContentSha256Header: root.GetProperty("sign_body").GetBoolean(),
            SignSessionToken: !(root.TryGetProperty("omit_session_token", out var omit) && omit.GetBoolean()),
            // The suite signs for a non-S3 service and encodes the path again even when it does not normalise it
            // (get-space-unnormalized expects /example%20space/), so double encoding is asked for explicitly.
            DoubleEncodePath: true);

        return new SigV4SuiteCase(
            name,
            signingRequest,
            ReadText(folder, "header-canonical-request.txt").TrimEnd('\n'),
            ReadText(folder, "header-string-to-sign.txt").TrimEnd('\n'),
            ReadText(folder, "header-signature.txt").Trim());
    }

    private static string ReadText(string folder, string file) =>
        File.ReadAllText(Path.Combine(folder, file)).ReplaceLineEndings("\n");

    // request.txt is raw HTTP/1.1: request line, headers (a line starting with whitespace continues the previous
    // header), an optional blank line and body. The target is taken as the wire path: it may hold a space or raw UTF-8.
    private static (string Method, string Path, List<KeyValuePair<string, string>> Query, List<KeyValuePair<string, string>> Headers, string Body)
        ParseRawRequest(string text)
    {
        var blankLine = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = blankLine < 0 ? text.TrimEnd('\n') : text[..blankLine];
        var body = blankLine < 0 ? "" : text[(blankLine + 2)..];

        var lines = head.Split('\n');
        var requestLine = lines[0];
        var method = requestLine[..requestLine.IndexOf(' ', StringComparison.Ordinal)];
        var target = requestLine[(method.Length + 1)..requestLine.LastIndexOf(' ')];
        var questionMark = target.IndexOf('?', StringComparison.Ordinal);
        var path = questionMark < 0 ? target : target[..questionMark];
        var query = questionMark < 0 ? [] : ParseQuery(target[(questionMark + 1)..]);

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1).Where(static line => line.Length > 0))
        {
            if (line[0] is ' ' or '\t')
            {
                var previous = headers[^1];
                headers[^1] = new(previous.Key, previous.Value + "\n" + line);
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add(new(line[..colon], line[(colon + 1)..]));
        }

        return (method, path, query, headers, body);
    }

    private static List<KeyValuePair<string, string>> ParseQuery(string query)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? "" : pair[(equals + 1)..];
            parameters.Add(new(Uri.UnescapeDataString(name), Uri.UnescapeDataString(value)));
        }

        return parameters;
    }
}
