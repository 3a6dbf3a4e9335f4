using System.Text;
using Rewind.Core.Ledger;

namespace Rewind.Ledger.Tests;

public sealed class JournalChainTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 27, 9, 15, 0, TimeSpan.Zero);

    [Fact]
    public void Hash_matches_the_documented_canonical_form_computed_independently()
    {
        // Expected values computed with Python's hashlib from the form documented on JournalChain.
        var first = JournalChain.ComputeHash(
            "run-20261127-091500-ab12", 1, Time.AddTicks(1_234_567), "ecs", JournalKind.CallSent,
            """{"revision":41,"note":"naïve"}""", JournalChain.GenesisHash);
        var second = JournalChain.ComputeHash(
            "run-20261127-091500-ab12", 2, Time.AddSeconds(1), "ecs", JournalKind.CallSucceeded, "{}", first);

        Assert.Equal("527bdc664825818ce10006b9784a8e428005a5c21425bc043fbe1b6535344970", first);
        Assert.Equal("c66933b4d072b15986c2130b47c61ad23ff4406192e2b4bf0908a596daf9f535", second);
    }

    [Fact]
    public void Canonical_form_is_length_prefixed_utf8_with_fixed_precision_utc_time()
    {
        var bytes = JournalChain.CanonicalBytes(
            "run-1", 12, new DateTimeOffset(2026, 11, 27, 10, 15, 0, TimeSpan.FromHours(1)), "cdn",
            JournalKind.Skipped, "{\"é\":1}", "ab");

        Assert.Equal(
            "rewind-journal-v1\n5:run-1\n2:12\n28:2026-11-27T09:15:00.0000000Z\n3:cdn\n7:skipped\n8:{\"é\":1}\n2:ab\n",
            Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Fields_cannot_be_shifted_between_each_other_without_changing_the_hash()
    {
        var a = JournalChain.ComputeHash("run-1", 1, Time, "ecs\n3:x", JournalKind.Started, "{}", JournalChain.GenesisHash);
        var b = JournalChain.ComputeHash("run-1", 1, Time, "ecs", JournalKind.Started, "{}", JournalChain.GenesisHash);

        Assert.NotEqual(a, b);
    }

    [Theory]
    [InlineData(JournalKind.Planned, "planned")]
    [InlineData(JournalKind.Started, "started")]
    [InlineData(JournalKind.CallSent, "call-sent")]
    [InlineData(JournalKind.CallSucceeded, "call-succeeded")]
    [InlineData(JournalKind.CallFailed, "call-failed")]
    [InlineData(JournalKind.Completed, "completed")]
    [InlineData(JournalKind.Skipped, "skipped")]
    public void Kinds_have_fixed_wire_names_that_parse_back(JournalKind kind, string name)
    {
        Assert.Equal(name, JournalChain.KindName(kind));
        Assert.True(JournalChain.TryParseKind(name, out var parsed));
        Assert.Equal(kind, parsed);
    }

    [Fact]
    public void Next_entry_after_the_empty_head_is_seq_one_chained_to_sixty_four_zeros()
    {
        var entry = JournalChain.Next(JournalChain.EmptyHead, "run-1", Time, "ecs", JournalKind.Planned, "{}");

        Assert.Equal(1, entry.Seq);
        Assert.Equal(new string('0', 64), entry.PrevHash);
        Assert.Equal(64, entry.Hash.Length);
        Assert.Equal(entry.Hash, JournalChain.ComputeHash(entry));
    }
}
