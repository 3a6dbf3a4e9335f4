using System.Text;

namespace Rewind.Aws.Transport;

/// <summary>RFC 3986 encoding as SigV4 wants it: unreserved characters kept, everything else %XX, upper-case.</summary>
public static class QueryString
{
    /// <summary>"?a=1&amp;b=2" in the given order, or "" when there is nothing.</summary>
    public static string Encode(IReadOnlyList<KeyValuePair<string, string>> query)
    {
        if (query.Count == 0)
            return "";
        var builder = new StringBuilder("?");
        foreach (var (name, value) in query)
        {
            if (builder.Length > 1)
                builder.Append('&');
            builder.Append(Escape(name)).Append('=').Append(Escape(value));
        }
        return builder.ToString();
    }

    public static string Escape(string value) => Uri.EscapeDataString(value);

    /// <summary>application/x-www-form-urlencoded with spaces as '+', as moto's signature check expects.</summary>
    public static string FormEncode(IEnumerable<KeyValuePair<string, string>> fields)
    {
        var builder = new StringBuilder();
        foreach (var (name, value) in fields)
        {
            if (builder.Length > 0)
                builder.Append('&');
            builder.Append(Escape(name).Replace("%20", "+", StringComparison.Ordinal))
                .Append('=')
                .Append(Escape(value).Replace("%20", "+", StringComparison.Ordinal));
        }
        return builder.ToString();
    }
}
