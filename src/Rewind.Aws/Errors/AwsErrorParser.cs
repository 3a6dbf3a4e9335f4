using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace Rewind.Aws.Errors;

/// <summary>
/// Turns an error answer into one <see cref="AwsServiceException"/>, whatever the protocol: JSON (<c>__type</c>,
/// <c>message</c>), XML (<c>&lt;Code&gt;</c>, <c>&lt;Message&gt;</c>, also the XML auth errors moto sends for JSON
/// services), the <c>x-amzn-ErrorType</c> header, or nothing at all.
/// </summary>
public static class AwsErrorParser
{
    public static AwsServiceException Parse(
        AwsService service, string operation, int status, ReadOnlySpan<byte> body,
        IReadOnlyDictionary<string, string> headers, string? requestId, TimeSpan? retryAfter)
    {
        string? code = null, message = null;
        var trimmed = body.TrimStart(" \t\r\n"u8);
        if (!trimmed.IsEmpty && trimmed[0] == (byte)'{')
            (code, message) = FromJson(trimmed);
        else if (!trimmed.IsEmpty && trimmed[0] == (byte)'<')
            (code, message, requestId) = FromXml(trimmed, requestId);

        if (code is null && headers.TryGetValue("x-amzn-ErrorType", out var errorType))
            code = errorType;
        code = Clean(code) ?? FallbackCode(status);
        message ??= status switch
        {
            404 => "not found",
            _ => trimmed.IsEmpty ? "no details in the answer" : Truncate(System.Text.Encoding.UTF8.GetString(trimmed)),
        };
        return new AwsServiceException(service, operation, code, message, status, requestId, retryAfter);
    }

    private static (string? Code, string? Message) FromJson(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return (null, null);
            return (StringProperty(root, "__type", "code", "Code"), StringProperty(root, "message", "Message", "errorMessage"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static (string? Code, string? Message, string? RequestId) FromXml(ReadOnlySpan<byte> body, string? requestId)
    {
        try
        {
            var document = XDocument.Parse(System.Text.Encoding.UTF8.GetString(body));
            string? First(string name) => document.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim();
            return (First("Code"), First("Message"), requestId ?? First("RequestId") ?? First("RequestID"));
        }
        catch (XmlException)
        {
            return (null, null, requestId);
        }
    }

    private static string? StringProperty(JsonElement element, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                return value.GetString();
        }
        return null;
    }

    /// <summary>"com.amazonaws.ecs#ClientException" and "ValidationException:http://…" both become the bare code.</summary>
    private static string? Clean(string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
            return null;
        var hash = code.LastIndexOf('#');
        if (hash >= 0)
            code = code[(hash + 1)..];
        var colon = code.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
            code = code[..colon];
        return code.Trim();
    }

    private static string FallbackCode(int status) => status switch
    {
        400 => "BadRequest",
        403 => "AccessDenied",
        404 => "NotFound",
        429 => "TooManyRequestsException",
        503 => "ServiceUnavailable",
        >= 500 => "InternalFailure",
        _ => $"Http{status}",
    };

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
