using Rewind.Core.Evidence;

namespace Rewind.Cli.Rendering;

/// <summary>The rollback checklist as text: a tick or a cross per item, its evidence, and for an unticked item what is missing and the command.</summary>
public static class ChecklistView
{
    public static void Render(TextWriter writer, string runId, IReadOnlyList<ChecklistItem> items)
    {
        writer.WriteLine($"rollback checklist of {runId}: {items.Count(i => i.Ticked)} of {items.Count} ticked by evidence");
        foreach (var item in items)
        {
            writer.WriteLine($"  {(item.Ticked ? "✓" : "✗")} {item.Item}");
            if (item.Ticked)
            {
                writer.WriteLine($"      evidence: {item.EvidenceLine()}");
                if (item.Source is not null)
                    writer.WriteLine($"      source: {item.Source}");
                continue;
            }
            writer.WriteLine($"      missing: {item.Missing}");
            writer.WriteLine($"      to provide it: {item.Command}");
        }
    }
}

/// <summary>What <c>rewind checklist</c> prints with <c>--output json</c>.</summary>
public sealed record ChecklistReport(string RunId, string Service, string Status, bool JournalIntact, bool Complete, IReadOnlyList<ChecklistItem> Items);
