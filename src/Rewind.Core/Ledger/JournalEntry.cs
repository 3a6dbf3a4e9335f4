namespace Rewind.Core.Ledger;

/// <summary>What a journal entry records about a step.</summary>
public enum JournalKind
{
    /// <summary>The step is in the plan.</summary>
    Planned,

    /// <summary>The step began.</summary>
    Started,

    /// <summary>A mutating call is about to be sent (written before sending).</summary>
    CallSent,

    /// <summary>The call succeeded.</summary>
    CallSucceeded,

    /// <summary>The call failed.</summary>
    CallFailed,

    /// <summary>The step finished and verified.</summary>
    Completed,

    /// <summary>The step was skipped (already done, or excluded).</summary>
    Skipped,
}

/// <summary>One append-only, hash-chained journal entry of a run.</summary>
/// <param name="RunId">The run it belongs to.</param>
/// <param name="Seq">Sequence number, 1, 2, 3… without gaps.</param>
/// <param name="Time">When it was appended.</param>
/// <param name="Step">The step name, e.g. <c>ecs</c>.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Detail">Structured detail as a JSON document.</param>
/// <param name="PrevHash">The previous entry's hash; 64 zeros for the first entry.</param>
/// <param name="Hash">This entry's hash (see <see cref="JournalChain"/>).</param>
public sealed record JournalEntry(
    string RunId,
    long Seq,
    DateTimeOffset Time,
    string Step,
    JournalKind Kind,
    string Detail,
    string PrevHash,
    string Hash);

/// <summary>The last entry a run's journal is known to have: seq 0 and the genesis hash when empty.</summary>
public readonly record struct JournalHead(long Seq, string Hash);
