namespace Rewind.Core.Rules;

/// <summary>What is wrong with invalidation paths, and how to fix it: shown to the operator as "problem: fix".</summary>
public sealed record InvalidationPathProblem(string Problem, string Fix)
{
    public override string ToString() => $"{Problem}: {Fix}";
}

/// <summary>
/// CloudFront's rules for the paths of one invalidation, in the one place the config loader, the cdn step and this
/// client all check them: a leading '/', no unencoded whitespace, '*' only as the last character, at most 3,000
/// paths and at most 15 wildcards. A path CloudFront would refuse is refused before any request is sent.
/// </summary>
public static class InvalidationPaths
{
    /// <summary>CloudFront's limit on the paths of one invalidation.</summary>
    public const int MaxPaths = 3000;

    /// <summary>CloudFront's limit on wildcard paths in progress at once.</summary>
    public const int MaxWildcards = 15;

    /// <summary>Why CloudFront would refuse <paramref name="path"/>, or null when it is a valid invalidation path.</summary>
    public static InvalidationPathProblem? Problem(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith('/'))
            return new("does not start with '/'", $"CloudFront paths are absolute: write '/{path.TrimStart('/')}'");
        if (path.IndexOf('*', StringComparison.Ordinal) is >= 0 and var star && star != path.Length - 1)
            return new("has a '*' before its end", "CloudFront allows '*' only as the last character, as in '/images/*'");
        if (path.Any(char.IsWhiteSpace))
            return new("contains a space", "encode it as %20");
        return null;
    }

    /// <summary>Why CloudFront would refuse the batch (empty, too many paths or wildcards, or one bad path), or null.</summary>
    public static InvalidationPathProblem? Problem(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
            return new("no path to invalidate", "give at least one path, such as /*");
        foreach (var path in paths)
        {
            if (Problem(path) is { } problem)
                return problem with { Problem = $"path '{path}' {problem.Problem}" };
        }
        if (paths.Count > MaxPaths)
            return new($"{paths.Count} paths are more than CloudFront's 3,000 per invalidation", "use a wildcard such as /*");
        if (paths.Count(p => p.EndsWith('*')) > MaxWildcards)
            return new($"more than {MaxWildcards} wildcard paths in one invalidation", "CloudFront allows 15 in progress: combine them, e.g. /*");
        return null;
    }
}
