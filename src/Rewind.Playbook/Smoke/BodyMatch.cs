using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rewind.Core.Configuration;

namespace Rewind.Playbook.Smoke;

/// <summary>Whether an answer's body satisfies a check: contains, regex, and at least one of its JSON paths present.</summary>
public static class BodyMatch
{
    /// <summary>Null when the body passes; otherwise why not, in a few words.</summary>
    public static string? Problem(SmokeCheck check, string body)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (check.Contains is { } text && !body.Contains(text, StringComparison.Ordinal))
            return $"body does not contain '{text}'";
        if (check.Regex is { } pattern && !Regex.IsMatch(body, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
            return $"body does not match /{pattern}/";
        if (check.JsonPaths.Count == 0)
            return null;
        JsonNode? document;
        try
        {
            document = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return "body is not JSON";
        }
        return check.JsonPaths.Any(path => Exists(document, path))
            ? null
            : $"body has no {string.Join(" or ", check.JsonPaths)}";
    }

    /// <summary>
    /// Whether <paramref name="path"/> (<c>$.a.b</c>, <c>$.items[0].id</c>: members and indexes only, the subset the
    /// configuration accepts) names a value in <paramref name="document"/>; a JSON null counts as present.
    /// </summary>
    public static bool Exists(JsonNode? document, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var current = document;
        var position = 1; // after '$'
        while (position < path.Length)
        {
            if (path[position] == '.')
            {
                var end = path.IndexOfAny(['.', '['], position + 1);
                var member = end < 0 ? path[(position + 1)..] : path[(position + 1)..end];
                if (current is not JsonObject obj || !obj.TryGetPropertyValue(member, out var next))
                    return false;
                current = next;
                position = end < 0 ? path.Length : end;
            }
            else if (path[position] == '[')
            {
                var end = path.IndexOf(']', position);
                if (end < 0 || current is not JsonArray array
                    || !int.TryParse(path.AsSpan(position + 1, end - position - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    || index >= array.Count)
                    return false;
                current = array[index];
                position = end + 1;
            }
            else
            {
                return false;
            }
        }
        return true;
    }
}
