using Rewind.Core.Ledger;

namespace Rewind.Ledger.Tests;

public sealed class LedgerVerifierTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 27, 9, 15, 0, TimeSpan.Zero);

    private static List<JournalEntry> Chain(int count)
    {
        var entries = new List<JournalEntry>();
        var head = JournalChain.EmptyHead;
        for (var i = 0; i < count; i++)
        {
            var entry = JournalChain.Next(head, "run-1", Time.AddSeconds(i), "ecs", JournalKind.CallSent, $$"""{"i":{{i}}}""");
            entries.Add(entry);
            head = new JournalHead(entry.Seq, entry.Hash);
        }

        return entries;
    }

    private static JournalHead HeadOf(List<JournalEntry> entries) => new(entries[^1].Seq, entries[^1].Hash);

    [Fact]
    public void An_intact_chain_has_no_break()
    {
        var entries = Chain(5);

        Assert.Null(LedgerVerifier.VerifyChain("run-1", entries, HeadOf(entries)));
        Assert.Null(LedgerVerifier.VerifyChain("run-1", [], JournalChain.EmptyHead));
    }

    [Fact]
    public void An_altered_detail_is_a_hash_mismatch_at_that_entry()
    {
        var entries = Chain(5);
        entries[2] = entries[2] with { Detail = """{"i":99}""" };

        var broken = LedgerVerifier.VerifyChain("run-1", entries, HeadOf(entries));

        Assert.Equal(new ChainBreakReason?(ChainBreakReason.HashMismatch), broken?.Reason);
        Assert.Equal(3, broken!.Seq);
    }

    [Fact]
    public void An_altered_entry_with_a_recomputed_hash_breaks_the_next_entry()
    {
        var entries = Chain(5);
        var forged = entries[2] with { Detail = """{"i":99}""" };
        entries[2] = forged with { Hash = JournalChain.ComputeHash(forged) };

        var broken = LedgerVerifier.VerifyChain("run-1", entries, HeadOf(entries));

        Assert.Equal(ChainBreakReason.PrevHashMismatch, broken!.Reason);
        Assert.Equal(4, broken.Seq);
    }

    [Fact]
    public void A_deleted_entry_is_a_gap_named_by_the_missing_seq()
    {
        var entries = Chain(5);
        var head = HeadOf(entries);
        entries.RemoveAt(1);

        var broken = LedgerVerifier.VerifyChain("run-1", entries, head);

        Assert.Equal(ChainBreakReason.Gap, broken!.Reason);
        Assert.Equal(2, broken.Seq);
    }

    [Fact]
    public void Deleted_trailing_entries_are_caught_by_the_recorded_head()
    {
        var entries = Chain(5);
        var head = HeadOf(entries);
        entries.RemoveRange(3, 2);

        var broken = LedgerVerifier.VerifyChain("run-1", entries, head);

        Assert.Equal(ChainBreakReason.Truncated, broken!.Reason);
        Assert.Equal(4, broken.Seq);
    }

    [Fact]
    public void A_head_that_lags_the_journal_is_accepted_but_a_wrong_head_hash_is_not()
    {
        var entries = Chain(5);

        var lagging = LedgerVerifier.VerifyChain("run-1", entries, new JournalHead(3, entries[2].Hash));
        var wrong = LedgerVerifier.VerifyChain("run-1", entries, new JournalHead(3, entries[1].Hash));

        Assert.Null(lagging);
        Assert.Equal(ChainBreakReason.HeadMismatch, wrong!.Reason);
        Assert.Equal(3, wrong.Seq);
    }

    [Fact]
    public void A_break_describes_itself_in_one_line_with_the_run_and_entry()
    {
        var text = new ChainBreak("run-1", 7, ChainBreakReason.HashMismatch, "stored hash x does not match").ToString();

        Assert.Equal("run run-1 entry 7: HashMismatch: stored hash x does not match", text);
    }
}
