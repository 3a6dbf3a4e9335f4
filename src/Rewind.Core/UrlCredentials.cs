namespace Rewind.Core;

/// <summary>
/// URLs that carry a user name or password (<c>http://user:password@host/</c>). Rewind refuses them everywhere: the
/// credentials would end up in outputs and logs, and HttpClient does not send them anyway.
/// </summary>
public static class UrlCredentials
{
    /// <summary>Whether <paramref name="url"/> parses as an absolute URL with user information before its host.</summary>
    public static bool In(string? url) =>
        url is not null && Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) && In(uri);

    /// <summary>Whether <paramref name="uri"/> has user information before its host.</summary>
    public static bool In(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.IsAbsoluteUri && uri.UserInfo.Length > 0;
    }

    /// <summary>The problem part of the refusal, naming where the URL came from and never quoting it.</summary>
    public static string Problem(string source) => $"{source} has a user name or password in it (the URL is not shown)";
}
