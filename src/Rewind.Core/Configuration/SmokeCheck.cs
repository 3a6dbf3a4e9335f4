namespace Rewind.Core.Configuration;

/// <summary>One smoke check: a request, the answers it accepts and how fast it must come back.</summary>
/// <param name="Name">The check's name in tables, logs and evidence ("health").</param>
/// <param name="Method">The HTTP method, upper case.</param>
/// <param name="Path">The path (and query) below the base URL, starting with '/'.</param>
/// <param name="Headers">Request headers; <see cref="ApiKeyPlaceholder"/> in a value is replaced by the API key.</param>
/// <param name="Body">The request body, sent as JSON when it starts with '{' or '['; null for none.</param>
/// <param name="Status">Accepted status codes ("200") or classes ("2xx").</param>
/// <param name="Contains">Text the answer's body must contain.</param>
/// <param name="Regex">A .NET regular expression the body must match.</param>
/// <param name="JsonPaths">JSON paths (<c>$.a.b[0]</c>) of which at least one must exist in the body.</param>
/// <param name="LatencyBudget">The slowest acceptable answer; null for none beyond the request timeout.</param>
public sealed record SmokeCheck(
    string Name,
    string Method,
    string Path,
    ValueList<SmokeHeader> Headers,
    string? Body,
    ValueList<string> Status,
    string? Contains,
    string? Regex,
    ValueList<string> JsonPaths,
    TimeSpan? LatencyBudget)
{
    /// <summary>Written in a header value, replaced by the API key when the request is sent (never stored or printed).</summary>
    public const string ApiKeyPlaceholder = "{api_key}";

    /// <summary>Whether the check sends the API key.</summary>
    public bool UsesApiKey => Headers.Any(h => h.Value.Contains(ApiKeyPlaceholder, StringComparison.Ordinal));

    /// <summary>Whether <paramref name="status"/> is accepted.</summary>
    public bool Accepts(int status) => Status.Any(s =>
        s.Length == 3 && s.EndsWith("xx", StringComparison.Ordinal) ? s[0] - '0' == status / 100 : s == status.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// The playbook's <c>smoke_test.sh</c>: <c>GET /health</c> answering JSON with a <c>status</c> field, and
    /// <c>POST /api/enqueue</c> with <c>X-API-Key</c> answering with <c>request_id</c>, <c>queued</c> or <c>error</c>.
    /// </summary>
    public static ValueList<SmokeCheck> Defaults { get; } = new(
    [
        new SmokeCheck("health", "GET", "/health", ValueList<SmokeHeader>.Empty, null, new(["2xx"]), null, null, new(["$.status"]), TimeSpan.FromSeconds(2)),
        new SmokeCheck(
            "enqueue", "POST", "/api/enqueue", new([new SmokeHeader("X-API-Key", ApiKeyPlaceholder)]),
            """{"prompt":"rewind smoke test","max_tokens":1}""",
            // 429 answers {"error": …} from a service that is up and judging the request (rate limited): not a failure of the rollback.
            new(["2xx", "429"]), null, null, new(["$.request_id", "$.queued", "$.error"]), TimeSpan.FromSeconds(5)),
    ]);
}

/// <summary>One request header of a smoke check.</summary>
public sealed record SmokeHeader(string Name, string Value);
