namespace Rewind.Core.Configuration;

/// <summary>The closest known key for a mistyped one.</summary>
internal static class KeySuggestions
{
    /// <summary>Typos beyond this many edits are more likely a different key than a slip of the finger.</summary>
    public const int MaxDistance = 2;

    /// <summary>The known key closest to <paramref name="unknown"/> within <see cref="MaxDistance"/> edits, first in order on a tie.</summary>
    public static string? Closest(string unknown, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = MaxDistance + 1;
        foreach (var candidate in known)
        {
            var distance = Distance(unknown.ToLowerInvariant(), candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
