using System.Text.Json.Nodes;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Incident;

/// <summary>
/// <c>rewind incident close</c> as a run: the incident is closed, journaled under the service's lock like every change.
/// Idempotent: an incident already closed is not written again.
/// </summary>
public sealed class CloseIncidentStep : IStep
{
    /// <summary>The step's name in plans and journals.</summary>
    public const string StepName = "incident-close";

    private const string Call = "CloseIncident";

    private readonly IIncidentStore _incidents;
    private readonly string? _incident;

    /// <summary>For <c>rewind resume</c>: executes a stored plan, which names the incident; plans nothing.</summary>
    public CloseIncidentStep(IIncidentStore incidents) => _incidents = incidents;

    /// <summary>For <c>rewind incident close</c>: plans closing <paramref name="incident"/>.</summary>
    public CloseIncidentStep(IIncidentStore incidents, string incident)
        : this(incidents) => _incident = incident;

    public string Name => StepName;
    public StepStage Stage => StepStage.Process;

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        var id = _incident ?? throw new InvalidOperationException($"step {StepName} was built to execute a stored plan, not to plan");
        var incident = await IncidentLookup.GetAsync(_incidents, id, cancellationToken);
        var closed = incident.Status == IncidentStatus.Closed;
        return StepPlan.Of(
            Name, Stage, $"close {id}",
            [$"ledger: {id} status {Text(incident.Status)} → {Text(IncidentStatus.Closed)}"],
            nothingToDo: closed, expectedSeconds: 1, deadlineSeconds: 60,
            new CloseIncidentPlan(id, incident.Owner), IncidentCommandsJson.Default.CloseIncidentPlan);
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        var wanted = plan.Read(IncidentCommandsJson.Default.CloseIncidentPlan);
        var current = await IncidentLookup.GetAsync(_incidents, wanted.Incident, cancellationToken);
        if (current.Status == IncidentStatus.Closed)
            return StepResult.Succeeded($"{wanted.Incident} is closed", new IncidentClosed(wanted.Incident, current.Owner, AlreadyClosed: true));
        var stored = await context.CallAsync(
            Call,
            new JsonObject { ["incident"] = wanted.Incident },
            ct => _incidents.UpdateIncidentAsync(wanted.Incident, i => i with { Status = IncidentStatus.Closed }, ct),
            updated => new JsonObject { ["incident"] = updated.Id, ["status"] = Text(updated.Status) },
            cancellationToken);
        return StepResult.Succeeded($"{stored.Id} closed", new IncidentClosed(stored.Id, stored.Owner, AlreadyClosed: false));
    }

    private static string Text(IncidentStatus status) => status.ToString().ToLowerInvariant();
}
