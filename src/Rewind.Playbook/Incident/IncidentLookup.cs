using Rewind.Core;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Incident;

/// <summary>The incident commands' steps read the incident as stored now, when planning and again when executing.</summary>
internal static class IncidentLookup
{
    public static async Task<Core.Ledger.Incident> GetAsync(IIncidentStore incidents, string id, CancellationToken cancellationToken) =>
        await incidents.GetIncidentAsync(id, cancellationToken)
            ?? throw new RewindException($"incident {id} is not in the ledger", "list incidents with 'rewind incident list'", FailureKind.BadInput);
}
