using CsCheck;
using Rewind.Core.Ledger;
using Rewind.Core.Tests.Evidence;
using Xunit;

namespace Rewind.Core.Tests.Properties;

/// <summary>The hash chain notices any edit of any field of any entry.</summary>
public sealed class JournalChainProperties
{
    private static readonly Gen<IReadOnlyList<JournalEntry>> Journals =
        Gen.Select(Gen.OneOf("ecs", "smoke", "verify", "lock"), Gen.Enum<JournalKind>(), Gens.Text, (s, k, d) => (s, k, $$"""{"summary":"{{d.Replace("\\", "").Replace("\"", "")}}"}"""))
            .Array[1, 12].Select(e => EvidenceRuns.Journal(e));

    private enum Edit { Detail, Kind, Seq, Step, Time, Hash, PrevHash }

    [Fact]
    public void Given_any_journal_then_its_chain_verifies()
    {
        Journals.Sample(journal => Assert.Null(LedgerVerifier.VerifyChain(EvidenceRuns.RunId, journal, Head(journal))));
    }

    [Fact]
    public void Given_any_journal_when_any_field_of_any_entry_is_edited_then_the_chain_is_broken()
    {
        Gen.Select(Journals, Gen.Int[0, 1000], Gen.Enum<Edit>(), Gen.Int[1, 1_000_000]).Sample((journal, at, edit, by) =>
        {
            var index = at % journal.Count;
            var entry = journal[index];
            var edited = edit switch
            {
                Edit.Detail => entry with { Detail = entry.Detail + " " },
                Edit.Kind => entry with { Kind = (JournalKind)(((int)entry.Kind + 1 + by % 6) % 7) },
                Edit.Seq => entry with { Seq = entry.Seq + (by % 2 == 0 ? by : -by) },
                Edit.Step => entry with { Step = entry.Step + "x" },
                Edit.Time => entry with { Time = entry.Time.AddTicks(by) },
                Edit.Hash => entry with { Hash = Flip(entry.Hash, by) },
                Edit.PrevHash => entry with { PrevHash = Flip(entry.PrevHash, by) },
                _ => throw new ArgumentOutOfRangeException(nameof(edit)),
            };
            var tampered = journal.Select((e, i) => i == index ? edited : e).ToList();

            Assert.NotNull(LedgerVerifier.VerifyChain(EvidenceRuns.RunId, tampered, Head(journal)));
        });
    }

    [Fact]
    public void Given_any_journal_when_its_last_entries_are_dropped_then_the_chain_is_truncated()
    {
        Gen.Select(Journals, Gen.Int[1, 12]).Where((j, n) => n <= j.Count).Sample((journal, dropped) =>
        {
            var broken = LedgerVerifier.VerifyChain(EvidenceRuns.RunId, journal.Take(journal.Count - dropped).ToList(), Head(journal));

            Assert.Equal(ChainBreakReason.Truncated, broken?.Reason);
        });
    }

    private static JournalHead Head(IReadOnlyList<JournalEntry> journal) => new(journal[^1].Seq, journal[^1].Hash);

    /// <summary>The hash with one hex digit changed.</summary>
    private static string Flip(string hash, int by)
    {
        var at = by % hash.Length;
        return string.Concat(hash[..at], hash[at] == '0' ? "1" : "0", hash[(at + 1)..]);
    }
}
