using System.Globalization;

namespace Rewind.Core.Ledger;

/// <summary>Why a journal chain is broken.</summary>
public enum ChainBreakReason
{
    /// <summary>The entry's stored hash is not the hash of its own fields: the entry was altered.</summary>
    HashMismatch,

    /// <summary>The entry's prev hash is not the previous entry's hash: an entry before it was altered or replaced.</summary>
    PrevHashMismatch,

    /// <summary>A seq number is missing: an entry was deleted.</summary>
    Gap,

    /// <summary>The journal ends before the head its run recorded: trailing entries were deleted.</summary>
    Truncated,

    /// <summary>The entry at the run's recorded head carries a different hash than the head.</summary>
    HeadMismatch,
}

/// <summary>The first broken entry of a run's journal and why it is broken.</summary>
public sealed record ChainBreak(string RunId, long Seq, ChainBreakReason Reason, string Detail)
{
    /// <summary>One line naming the run, the entry and the problem.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"run {RunId} entry {Seq}: {Reason}: {Detail}");
}

/// <summary>The outcome of verifying one run or the whole ledger.</summary>
public sealed record ChainVerification(int RunsChecked, long EntriesChecked, ChainBreak? FirstBreak)
{
    /// <summary>Whether every checked chain is intact.</summary>
    public bool IsIntact => FirstBreak is null;
}

/// <summary>Walks journal hash chains and names the first broken entry.</summary>
public static class LedgerVerifier
{
    /// <summary>
    /// Verifies one run's journal, or every run's (oldest first) when <paramref name="runId"/> is null, stopping at
    /// the first broken entry. <see cref="LedgerFailureReason.NotFound"/> if the named run does not exist.
    /// </summary>
    public static async Task<ChainVerification> VerifyAsync(
        ILedger ledger, string? runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        IReadOnlyList<string> runIds;
        if (runId is not null)
        {
            _ = await ledger.Runs.GetRunAsync(runId, cancellationToken)
                ?? throw new LedgerException(
                    LedgerFailureReason.NotFound,
                    $"run {runId} is not in the ledger {ledger.Location}: list runs with `rewind history`");
            runIds = [runId];
        }
        else
        {
            var runs = await ledger.Runs.ListRunsAsync(null, int.MaxValue, cancellationToken);
            runIds = runs.OrderBy(run => run.StartedAt).ThenBy(run => run.Id, StringComparer.Ordinal)
                .Select(run => run.Id).ToList();
        }

        long entries = 0;
        var checkedRuns = 0;
        foreach (var id in runIds)
        {
            var journal = await ledger.Runs.ReadJournalAsync(id, cancellationToken);
            var head = await ledger.Runs.GetJournalHeadAsync(id, cancellationToken);
            checkedRuns++;
            var broken = VerifyChain(id, journal, head);
            entries += broken is null ? journal.Count : Math.Max(0, broken.Seq - 1);
            if (broken is not null)
            {
                return new ChainVerification(checkedRuns, entries, broken);
            }
        }

        return new ChainVerification(checkedRuns, entries, null);
    }

    /// <summary>Checks one run's entries (in stored order) against each other and against the run's recorded head.</summary>
    public static ChainBreak? VerifyChain(string runId, IReadOnlyList<JournalEntry> entries, JournalHead head)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var previous = JournalChain.GenesisHash;
        long expectedSeq = 1;
        foreach (var entry in entries)
        {
            if (entry.Seq != expectedSeq)
            {
                return Break(runId, expectedSeq, ChainBreakReason.Gap,
                    $"entry {expectedSeq} is missing; the next stored entry is {entry.Seq}");
            }

            if (!string.Equals(entry.PrevHash, previous, StringComparison.Ordinal))
            {
                return Break(runId, entry.Seq, ChainBreakReason.PrevHashMismatch,
                    $"prev hash {entry.PrevHash} is not the hash of entry {entry.Seq - 1} ({previous})");
            }

            var computed = JournalChain.ComputeHash(entry);
            if (!string.Equals(entry.Hash, computed, StringComparison.Ordinal))
            {
                return Break(runId, entry.Seq, ChainBreakReason.HashMismatch,
                    $"stored hash {entry.Hash} does not match its content (computed {computed})");
            }

            previous = entry.Hash;
            expectedSeq++;
        }

        var last = expectedSeq - 1;
        if (head.Seq > last)
        {
            return Break(runId, last + 1, ChainBreakReason.Truncated,
                $"the run records {head.Seq} entries but the journal ends at entry {last}");
        }

        if (head.Seq > 0 && !string.Equals(entries[(int)head.Seq - 1].Hash, head.Hash, StringComparison.Ordinal))
        {
            return Break(runId, head.Seq, ChainBreakReason.HeadMismatch,
                $"the run records hash {head.Hash} for entry {head.Seq}, the entry carries {entries[(int)head.Seq - 1].Hash}");
        }

        return null;
    }

    private static ChainBreak Break(string runId, long seq, ChainBreakReason reason, string detail) =>
        new(runId, seq, reason, detail);
}
