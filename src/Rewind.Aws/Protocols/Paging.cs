namespace Rewind.Aws.Protocols;

/// <summary>Walks NextToken/Marker pagination, stopping on a repeated token so a server that ignores paging cannot loop us.</summary>
public static class Paging
{
    public static async IAsyncEnumerable<TItem> AllAsync<TPage, TItem>(
        Func<string?, CancellationToken, Task<TPage>> fetch,
        Func<TPage, IEnumerable<TItem>> items,
        Func<TPage, string?> nextToken,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken,
        int maxPages = 1000)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        for (var page = 0; page < maxPages; page++)
        {
            var result = await fetch(token, cancellationToken);
            foreach (var item in items(result))
                yield return item;
            token = nextToken(result);
            if (string.IsNullOrEmpty(token) || !seen.Add(token))
                yield break;
        }
    }
}
