using System.Collections.Concurrent;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;

namespace Rewind.Core.Engine;

/// <summary>
/// The evidence of every step of one run that succeeded: from this execution's results, and on resume from the
/// journal's completed entries. How a step's output reaches the steps that declared they need it.
/// </summary>
internal sealed class RunOutputs
{
    private readonly ConcurrentDictionary<string, StepEvidence> _evidence = new(StringComparer.Ordinal);

    /// <summary>The outputs an earlier attempt of the run journaled (its last successful end per step).</summary>
    public static RunOutputs From(IReadOnlyList<JournalEntry> journal)
    {
        var outputs = new RunOutputs();
        foreach (var entry in journal.Where(e => e.Kind == JournalKind.Completed))
        {
            if (StepEnd.TryParse(entry, out var end) && end.Succeeded && end.Evidence is { } evidence)
                outputs._evidence[entry.Step] = evidence;
        }
        return outputs;
    }

    /// <summary>Keeps a step's evidence when it succeeded; a skip without evidence keeps what the journal had.</summary>
    public void Add(string step, StepResult result)
    {
        if (result.Status is StepStatus.Succeeded or StepStatus.Skipped && result.Evidence is { } evidence)
            _evidence[step] = evidence;
    }

    public StepEvidence? Of(string step) => _evidence.GetValueOrDefault(step);
}
