namespace Rewind.Core.Evidence;

/// <summary>One item of the playbook's rollback checklist, ticked only when the journal's evidence proves it.</summary>
/// <param name="Key">A stable name: <c>service-reverted</c>, <c>smoke-tests-passing</c>, <c>error-rates-normalized</c>,
/// <c>postmortem-ticket-created</c>, <c>team-notified</c>.</param>
/// <param name="Item">The playbook's words.</param>
/// <param name="Ticked">Whether the evidence proves it.</param>
/// <param name="Evidence">The evidence found (what proves it, or what was found instead).</param>
/// <param name="Source">The journal entry the evidence comes from ("entry 12: ecs completed at …"), or null.</param>
/// <param name="Missing">When not ticked: what is missing or contradicts the claim.</param>
/// <param name="Command">When not ticked: the command that would provide the evidence.</param>
public sealed record ChecklistItem(
    string Key,
    string Item,
    bool Ticked,
    IReadOnlyDictionary<string, string> Evidence,
    string? Source,
    string? Missing,
    string? Command)
{
    /// <summary>The evidence as one line, <c>key value, key value</c> (the smoke results table left out).</summary>
    public string EvidenceLine() => string.Join(", ", Evidence.Where(e => e.Key != "results").Select(e => $"{e.Key} {e.Value}"));
}
