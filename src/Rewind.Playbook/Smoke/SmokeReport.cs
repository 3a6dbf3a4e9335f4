using Rewind.Core.Evidence;

namespace Rewind.Playbook.Smoke;

/// <summary>How one check ended after its attempts.</summary>
/// <param name="Check">The check's name.</param>
/// <param name="Status">The last answer's HTTP status; null when none came (timeout, connection failure).</param>
/// <param name="LatencyMs">The last attempt's latency in milliseconds.</param>
/// <param name="Attempts">How many requests were sent.</param>
/// <param name="Ok">Whether the last attempt passed.</param>
/// <param name="Error">Why the last attempt failed; null when it passed. Never contains the API key.</param>
/// <param name="Unreachable">The last attempt could not connect at all (refused, unknown host).</param>
public sealed record SmokeCheckOutcome(string Check, int? Status, long LatencyMs, int Attempts, bool Ok, string? Error, bool Unreachable);

/// <summary>The smoke tests of one run: each check's result and the log file.</summary>
public sealed record SmokeReport(string Url, IReadOnlyList<SmokeCheckOutcome> Results, string LogPath)
{
    public int Passed => Results.Count(r => r.Ok);

    public int Failed => Results.Count(r => !r.Ok);

    public bool AllPassed => Failed == 0;

    /// <summary>Every check failed without ever connecting: the URL is unreachable, not the service broken.</summary>
    public bool Unreachable => Results.Count > 0 && Results.All(r => r.Unreachable);

    /// <summary>The <c>smoke</c> evidence: the URL, the counts, every check's result, and the log.</summary>
    public SmokePassed Evidence() => new(
        Url, Results.Count, Passed, Failed,
        [.. Results.Select(r => new SmokeCheckResult(r.Check, r.Status, r.LatencyMs, r.Attempts, r.Ok, r.Error))], LogPath);

    /// <summary>One line: "2/2 checks passed" or "1/2 checks passed; enqueue: status 500".</summary>
    public string Summary() => AllPassed
        ? $"{Passed}/{Results.Count} checks passed against {Url}"
        : $"{Passed}/{Results.Count} checks passed against {Url}; " + string.Join("; ", Results.Where(r => !r.Ok).Select(r => $"{r.Check}: {r.Error}"));
}
