using System.Text.Json.Nodes;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Notify;

namespace Rewind.Playbook.Freeze;

/// <summary>What the freeze step plans from: the parameter and the team's routes (rewind.yaml), and for <c>freeze on</c> the operator's flags.</summary>
/// <param name="Parameter">The service's freeze parameter.</param>
/// <param name="TeamRoutes">The team's enabled routes.</param>
/// <param name="Reason"><c>freeze on --reason</c>; else the rollback's reason.</param>
/// <param name="Incident"><c>freeze on --incident</c>.</param>
/// <param name="FrozenBy">The operator of <c>freeze on</c>; else the run.</param>
/// <param name="AnnounceUntold"><c>freeze on</c> announces a freeze in force that was never announced.</param>
public sealed record FreezePlanning(
    IFreezeParameter Parameter, IReadOnlyList<NotifyRoute> TeamRoutes, string? Reason = null, string? Incident = null, string? FrozenBy = null, bool AnnounceUntold = false);

/// <summary>
/// Playbook "Freeze Releases — no new deployments until root cause identified" (and <c>rewind freeze on</c>): freezes
/// the service in the ledger, tied to the run's incident (the incident step's evidence, which it needs), publishes it
/// to SSM for pipelines and reads it back, and tells #releases. A freeze already in force (this run's earlier attempt,
/// or an operator's) is kept, not doubled. It executes from its plan alone (<see cref="ForExecution"/>).
/// </summary>
public sealed class FreezeStep(IFreezeStore freezes, FreezeParameterOf parameterOf, NotificationOutbox? outbox = null, FreezePlanning? planning = null) : IStep
{
    private const string FreezeCall = "Freeze";

    public string Name => "freeze";
    public StepStage Stage => StepStage.Announce;

    /// <summary>The incident step's evidence names the incident the freeze belongs to.</summary>
    public IReadOnlyList<string> Needs { get; } = [RunFacts.IncidentStep];

    /// <summary>A step that executes a stored plan (<c>rewind resume</c>): it cannot plan.</summary>
    public static FreezeStep ForExecution(IFreezeStore freezes, FreezeParameterOf parameterOf, NotificationOutbox? outbox) => new(freezes, parameterOf, outbox);

    private FreezePlanning Planning => planning ?? throw new InvalidOperationException("this freeze step executes stored plans only; it was built without the configuration to plan");

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        var settings = Planning;
        FreezeVerdict verdict;
        try
        {
            verdict = await FreezeVerdict.ReadAsync(freezes, settings.Parameter, context.Service, cancellationToken);
        }
        catch (Aws.Errors.AwsException e)
        {
            // SSM unreadable must not stop a rollback from being planned: the publish is retried when the step runs.
            verdict = new FreezeVerdict(context.Service, await ActiveAsync(context.Service, cancellationToken), null, settings.Parameter.Name);
            return await PlanAsync(context, settings, verdict, $" (SSM not readable now: {e.Message})", cancellationToken);
        }
        return await PlanAsync(context, settings, verdict, "", cancellationToken);
    }

    private async Task<StepPlan> PlanAsync(PlanningContext context, FreezePlanning settings, FreezeVerdict verdict, string note, CancellationToken cancellationToken)
    {
        // freeze on: a freeze in force whose announcement never went out (the command that made it stopped first) is announced now.
        var untold = settings.AnnounceUntold && outbox is not null && verdict.Active is { } current
            && await outbox.IsUnfinishedAsync(FreezeNotifications.On(current), settings.TeamRoutes, cancellationToken);
        var reason = settings.Reason ?? $"rolled back to {context.Target?.Label ?? "the previous release"}; no new deployments until the root cause is identified";
        var routes = outbox is null ? [] : settings.TeamRoutes;
        var plan = new FreezePlan(context.Service, settings.Parameter.Name, reason, routes, settings.Incident, settings.FrozenBy, untold);
        if (verdict.Active is { } active)
        {
            return StepPlan.Of(Name, Stage, $"already frozen ({active.Id} by {active.FrozenBy}): kept{(verdict.Agrees ? "" : $", published again to {settings.Parameter.Name}")}{note}",
                [$"freeze {active.Id}: {active.Reason}"], verdict.Agrees && !untold, 1, 60, plan, FreezeJson.Default.FreezePlan);
        }
        // A rollback refuses to announce into the void; an operator's freeze (freeze on) is never refused for a webhook: it warns.
        if (!settings.AnnounceUntold)
            outbox?.CheckRoutes(routes);
        return StepPlan.Of(Name, Stage, $"freeze releases of {context.Service} ({(settings.Incident is { } incident ? $"incident {incident}" : "with the run's incident")}) and publish to SSM {settings.Parameter.Name}{note}",
            [
                $"releases: open → frozen ({reason})",
                $"{settings.Parameter.Name}: {(verdict.Published is null ? "absent" : "frozen=false")} → frozen=true",
                .. routes.Select(r => $"{r.Audience}: {r.Target}: releases frozen"),
            ],
            false, 1, 60, plan, FreezeJson.Default.FreezePlan);
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        var planned = plan.Read(FreezeJson.Default.FreezePlan, FreezePlan.FromVersion1);
        var service = planned.Service;
        var parameter = parameterOf(planned.Parameter, service);
        var by = planned.FrozenBy ?? $"rewind run {context.RunId}";
        var incident = planned.Incident ?? context.OutputOf<TicketOpened>(RunFacts.IncidentStep)?.Incident;
        var active = await ActiveAsync(service, cancellationToken);
        var created = false;
        if (active is null)
        {
            try
            {
                active = await context.CallAsync(
                    FreezeCall,
                    new JsonObject { ["scope"] = service, ["reason"] = planned.Reason, ["incident"] = incident },
                    ct => freezes.FreezeAsync(service, planned.Reason, incident, by, ct),
                    f => new JsonObject { ["freeze"] = f.Id, ["since"] = NotificationRenderer.Iso(f.Since) },
                    cancellationToken);
                created = true;
            }
            catch (LedgerException e) when (e.Reason == LedgerFailureReason.Conflict)
            {
                // Someone froze it between the read and the write: theirs stands.
                active = await ActiveAsync(service, cancellationToken);
                if (active is null)
                    throw;
            }
        }
        else
        {
            context.Report($"already frozen: {FreezeVerdict.Describe(active)}: kept");
        }

        var wanted = FreezeState.Of(active, service);
        var published = await parameter.PublishJournaledAsync(wanted, context, cancellationToken);
        var version = published.Version;
        ReleasesFrozen Evidence(IReadOnlyList<AudienceDelivery> announced) =>
            new(active.Id, parameter.Name, active.IncidentId, active.Since, active.FrozenBy, version, announced);
        if (!published.ReadBack)
            return StepResult.Failed($"{parameter.Name} does not read back frozen by {active.Id} after publishing: pipelines would not see the freeze", Evidence([]));

        // This run's freeze is announced (again on resume: the outbox never sends a delivered message twice); another's
        // only when the plan asks and it was never told.
        var ours = created || context.EarlierResult(FreezeCall)?["freeze"]?.GetValue<string>() == active.Id || (context.WasSent(FreezeCall) && active.FrozenBy == by);
        var deliveries = new List<Delivery>();
        if (outbox is not null && planned.Announce.Count > 0
            && (ours || (planned.AnnounceUntold && await outbox.IsUnfinishedAsync(FreezeNotifications.On(active), planned.Announce, cancellationToken))))
        {
            foreach (var route in planned.Announce)
                deliveries.Add(await outbox.DeliverAsync(FreezeNotifications.On(active), route, context.CallAsync, cancellationToken));
            foreach (var failed in deliveries.Where(d => !d.Delivered))
                context.Report($"{failed.Route.Target}: {(failed.Unconfirmed ? "" : "not told: ")}{failed.Error}");
        }
        var whose = ours ? "frozen" : $"already frozen by {active.FrozenBy}, kept;";
        return StepResult.Succeeded($"{service} {whose} {active.Id} (incident {active.IncidentId ?? "none"}), published to {parameter.Name}", Evidence(NotificationOutbox.Evidence(deliveries)));
    }

    private Task<Core.Ledger.Freeze?> ActiveAsync(string service, CancellationToken cancellationToken) =>
        FreezeVerdict.ActiveAsync(freezes, service, cancellationToken);
}
