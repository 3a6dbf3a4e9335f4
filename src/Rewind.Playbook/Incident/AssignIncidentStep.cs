using System.Text.Json.Nodes;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Incident;

/// <summary>
/// <c>rewind incident assign</c> as a run: the postmortem of one incident gets a new owner, journaled under the
/// service's lock like every change. Idempotent: an incident that already has the planned owner is not written again.
/// </summary>
public sealed class AssignIncidentStep : IStep
{
    /// <summary>The step's name in plans and journals.</summary>
    public const string StepName = "incident-assign";

    private const string Call = "AssignIncident";

    private readonly IIncidentStore _incidents;
    private readonly (string Incident, string Owner)? _wanted;

    /// <summary>For <c>rewind resume</c>: executes a stored plan, which names the incident and the owner; plans nothing.</summary>
    public AssignIncidentStep(IIncidentStore incidents) => _incidents = incidents;

    /// <summary>For <c>rewind incident assign</c>: plans giving <paramref name="incident"/> to <paramref name="owner"/>.</summary>
    public AssignIncidentStep(IIncidentStore incidents, string incident, string owner)
        : this(incidents) => _wanted = (incident, owner);

    public string Name => StepName;
    public StepStage Stage => StepStage.Process;

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        var (id, owner) = _wanted ?? throw new InvalidOperationException($"step {StepName} was built to execute a stored plan, not to plan");
        var incident = await IncidentLookup.GetAsync(_incidents, id, cancellationToken);
        var plan = new AssignIncidentPlan(id, owner, incident.Owner);
        return StepPlan.Of(
            Name, Stage, $"give the postmortem of {id} to {owner}",
            [$"ledger: {id} owner {incident.Owner ?? "unassigned"} → {owner}"],
            nothingToDo: incident.Owner == owner, expectedSeconds: 1, deadlineSeconds: 60,
            plan, IncidentCommandsJson.Default.AssignIncidentPlan);
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        var wanted = plan.Read(IncidentCommandsJson.Default.AssignIncidentPlan);
        var current = await IncidentLookup.GetAsync(_incidents, wanted.Incident, cancellationToken);
        if (current.Owner == wanted.Owner)
        {
            return StepResult.Succeeded(
                $"{wanted.Incident} already belongs to {wanted.Owner}",
                new IncidentAssigned(wanted.Incident, wanted.PreviousOwner, wanted.Owner, AlreadyAssigned: true));
        }
        var stored = await context.CallAsync(
            Call,
            new JsonObject { ["incident"] = wanted.Incident, ["owner"] = wanted.Owner, ["previousOwner"] = current.Owner },
            ct => _incidents.UpdateIncidentAsync(wanted.Incident, i => i with { Owner = wanted.Owner }, ct),
            updated => new JsonObject { ["incident"] = updated.Id, ["owner"] = updated.Owner },
            cancellationToken);
        return StepResult.Succeeded(
            $"{stored.Id}: postmortem owner {stored.Owner} (was {current.Owner ?? "unassigned"})",
            new IncidentAssigned(stored.Id, current.Owner, stored.Owner!, AlreadyAssigned: false));
    }
}
