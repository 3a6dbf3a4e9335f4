using System.Globalization;
using System.Text.RegularExpressions;

namespace Rewind.Core.Configuration;

/// <summary>
/// Reads smoke checks strictly, from <c>smoke.checks</c> or from a check file (a YAML list of the same items): an
/// unknown field, a bad status, a path without '/', a regular expression that does not compile all fail with the
/// file, line, column and the fix.
/// </summary>
public static partial class SmokeCheckReader
{
    private static readonly IReadOnlyList<string> Methods = ConfigKeys.Get("smoke.checks[].method").Allowed;

    /// <summary>Reads a check file: a YAML list of checks (<c>- name: health …</c>).</summary>
    public static ValueList<SmokeCheck> Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string yaml;
        try
        {
            yaml = ConfigFileText.Read(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException(path, null, null, null, "does not exist: give the path of a smoke check file (a YAML list of checks)", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, null, null, null, $"cannot be read ({e.Message.TrimEnd('.')}): check its permissions", e);
        }

        var source = new ConfigSource(path, _ => null);
        var node = ConfigDocument.Read(yaml, path);
        if (node is null or ConfigScalar { IsNull: true })
        {
            throw source.Whole(null, "has no checks: list at least one, such as '- {name: health, path: /health}'");
        }

        return Read(source, node, "checks");
    }

    internal static ValueList<SmokeCheck> Read(ConfigSource source, ConfigNode node, string path)
    {
        if (node is not ConfigSequence sequence)
        {
            throw source.At(node, path, $"{path} must be a list of checks such as '- {{name: health, path: /health}}', not {node.Kind}");
        }

        if (sequence.Items.Count == 0)
        {
            throw source.At(node, path, $"{path} is empty: list at least one check, or remove it for the playbook's default checks");
        }

        var checks = new List<SmokeCheck>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var check = ReadCheck(source, sequence.Items[i], $"{path}[{i}]");
            if (checks.Any(c => c.Name == check.Name))
            {
                throw source.At(sequence.Items[i], $"{path}[{i}].name", $"{path}[{i}].name '{check.Name}' is used twice: give each check its own name");
            }

            checks.Add(check);
        }

        return new ValueList<SmokeCheck>(checks);
    }

    private static SmokeCheck ReadCheck(ConfigSource source, ConfigNode node, string path)
    {
        if (node is not ConfigMapping)
        {
            throw source.At(node, path, $"{path} must be a mapping such as '{{name: health, path: /health}}', not {node.Kind}");
        }

        var section = ConfigSection.Open(source, path, "smoke.checks[]", node);
        var name = section.String("name") ?? throw source.At(node, $"{path}.name", $"{path}.name is required: a short name such as health");
        if (!CheckName().IsMatch(name))
        {
            throw section.Error("name", $"{path}.name '{name}' must be letters, digits, '-', '_' or '.' (up to 64)");
        }

        var method = (section.String("method") ?? "GET").ToUpperInvariant();
        if (!Methods.Contains(method))
        {
            throw section.Error("method", $"{path}.method '{method}' is not an HTTP method: use one of {string.Join(", ", Methods)}");
        }

        var requestPath = section.String("path") ?? throw source.At(node, $"{path}.path", $"{path}.path is required: the path below smoke.url, such as /health");
        if (!requestPath.StartsWith('/') || requestPath.Any(char.IsWhiteSpace))
        {
            throw section.Error("path", $"{path}.path '{requestPath}' must start with '/' and contain no spaces, such as /health");
        }

        var regex = section.String("regex");
        if (regex is not null)
        {
            try
            {
                _ = new Regex(regex, RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                throw section.Error("regex", $"{path}.regex does not compile ({e.Message.TrimEnd('.')}): fix the expression");
            }
        }

        var jsonPaths = OneOrMany(source, section, "json_path", path) ?? ValueList<string>.Empty;
        foreach (var jsonPath in jsonPaths)
        {
            if (!JsonPathPattern().IsMatch(jsonPath))
            {
                throw section.Error("json_path", $"{path}.json_path '{jsonPath}' is not a JSON path: write $.field, $.a.b or $.items[0].id");
            }
        }

        var status = OneOrMany(source, section, "status", path) ?? new ValueList<string>(["2xx"]);
        foreach (var code in status)
        {
            if (!StatusPattern().IsMatch(code))
            {
                throw section.Error("status", $"{path}.status '{code}' is not a status code: write codes such as 200 or classes such as 2xx");
            }
        }

        return new SmokeCheck(
            name,
            method,
            requestPath,
            ReadHeaders(source, section, path),
            section.String("body"),
            status,
            section.String("contains"),
            regex,
            jsonPaths,
            LatencyBudget(source, section, path));
    }

    private static ValueList<SmokeHeader> ReadHeaders(ConfigSource source, ConfigSection section, string path)
    {
        if (section.Value("headers") is not { } node)
        {
            return ValueList<SmokeHeader>.Empty;
        }

        if (node is not ConfigMapping mapping)
        {
            throw source.At(node, $"{path}.headers", $"{path}.headers must be a mapping such as '{{X-API-Key: \"{SmokeCheck.ApiKeyPlaceholder}\"}}', not {node.Kind}");
        }

        var headers = new List<SmokeHeader>();
        foreach (var (keyNode, valueNode) in mapping.Entries)
        {
            if (keyNode is not ConfigScalar { IsNull: false } key || !HeaderName().IsMatch(key.Value))
            {
                throw source.At(keyNode, $"{path}.headers", $"{path}.headers keys must be header names such as X-API-Key");
            }

            if (valueNode is not ConfigScalar value || value.IsNull)
            {
                throw source.At(valueNode, $"{path}.headers.{key.Value}", $"{path}.headers.{key.Value} must be a text value");
            }

            if (headers.Any(h => string.Equals(h.Name, key.Value, StringComparison.OrdinalIgnoreCase)))
            {
                throw source.At(keyNode, $"{path}.headers.{key.Value}", $"{path}.headers.{key.Value} is given twice: keep one");
            }

            headers.Add(new SmokeHeader(key.Value, value.Value));
        }

        return new ValueList<SmokeHeader>(headers);
    }

    // A value or a list of values: "status: 200" and "status: [200, 429]" both read.
    private static ValueList<string>? OneOrMany(ConfigSource source, ConfigSection section, string key, string path)
    {
        return section.Value(key) switch
        {
            null => null,
            ConfigScalar => new ValueList<string>([section.String(key)!]),
            ConfigSequence => section.StringList(key, "[200, 2xx]", (value, _, _) => value),
            var other => throw source.At(other, $"{path}.{key}", $"{path}.{key} must be a value or a list of values, not {other.Kind}"),
        };
    }

    // Latency budgets are often below a second, so milliseconds are accepted besides the usual durations.
    private static TimeSpan? LatencyBudget(ConfigSource source, ConfigSection section, string path)
    {
        if (section.String("latency_budget") is not { } text)
        {
            return null;
        }

        var node = section.Value("latency_budget")!;
        if (text.EndsWith("ms", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(0, text.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        return ConfigDuration.TryParse(text, out var duration) && duration > TimeSpan.Zero
            ? duration
            : throw source.At(node, $"{path}.latency_budget", $"{path}.latency_budget '{text}' is not a duration: use 500ms, 2s or 1m");
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex CheckName();

    [GeneratedRegex("^[1-5]([0-9]{2}|xx)$")]
    private static partial Regex StatusPattern();

    [GeneratedRegex(@"^\$(\.[A-Za-z_][A-Za-z0-9_-]*|\[[0-9]+\])+$")]
    private static partial Regex JsonPathPattern();

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")]
    private static partial Regex HeaderName();
}
