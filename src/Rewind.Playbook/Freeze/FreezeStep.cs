using System.Text.Json.Nodes;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Playbook.Notify;

namespace Rewind.Playbook.Freeze;

/// <summary>
/// Playbook "Freeze Releases — no new deployments until root cause identified": freezes the service in the ledger,
/// tied to the run's incident (when the incident step set one), publishes it to SSM for pipelines and reads it back,
/// and tells #releases. A freeze already in force (this run's earlier attempt, or an operator's) is kept, not doubled.
/// </summary>
public sealed class FreezeStep(ILedger ledger, FreezeParameter parameter, NotificationOutbox? outbox = null, IReadOnlyList<NotifyRoute>? teamRoutes = null) : IStep
{
    private const string FreezeCall = "Freeze";
    private const string PublishCall = "PutParameter";

    public string Name => "freeze";
    public StepStage Stage => StepStage.Announce;

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        FreezeVerdict verdict;
        try
        {
            verdict = await FreezeVerdict.ReadAsync(ledger.Freezes, parameter, context.Service, cancellationToken);
        }
        catch (Aws.Errors.AwsException e)
        {
            // SSM unreadable must not stop a rollback from being planned: the publish is retried when the step runs.
            verdict = new FreezeVerdict(context.Service, await ActiveAsync(context.Service, cancellationToken), null, parameter.Name);
            return Plan(context, verdict, $" (SSM not readable now: {e.Message})");
        }
        return Plan(context, verdict, "");
    }

    private StepPlan Plan(PlanningContext context, FreezeVerdict verdict, string note)
    {
        var reason = $"rolled back to {context.Target?.Label ?? "the previous release"}; no new deployments until the root cause is identified";
        var parameters = new Dictionary<string, string>
        {
            ["service"] = context.Service,
            ["parameter"] = parameter.Name,
            ["reason"] = reason,
        };
        if (verdict.Active is { } active)
        {
            return new StepPlan(Name, Stage, $"already frozen ({active.Id} by {active.FrozenBy}): kept{(verdict.Agrees ? "" : $", published again to {parameter.Name}")}{note}",
                [$"freeze {active.Id}: {active.Reason}"], NothingToDo: verdict.Agrees, ExpectedSeconds: 1, DeadlineSeconds: 60, parameters);
        }
        var routes = outbox is null ? [] : teamRoutes ?? [];
        outbox?.CheckRoutes(routes);
        return new StepPlan(Name, Stage, $"freeze releases of {context.Service} (with the run's incident) and publish to SSM {parameter.Name}{note}",
            [
                $"releases: open → frozen ({reason})",
                $"{parameter.Name}: {(verdict.Published is null ? "absent" : "frozen=false")} → frozen=true",
                .. routes.Select(r => $"{r.Audience}: {r.Target}: releases frozen"),
            ],
            NothingToDo: false, ExpectedSeconds: 1, DeadlineSeconds: 60, parameters);
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        var service = plan.Parameter("service");
        var by = $"rewind run {context.RunId}";
        var incident = (await ledger.Runs.GetRunAsync(context.RunId, cancellationToken))?.IncidentId;
        var active = await ActiveAsync(service, cancellationToken);
        if (active is null)
        {
            var reason = plan.Parameter("reason");
            try
            {
                active = await context.CallAsync(
                    FreezeCall,
                    new JsonObject { ["scope"] = service, ["reason"] = reason, ["incident"] = incident },
                    ct => ledger.Freezes.FreezeAsync(service, reason, incident, by, ct),
                    f => new JsonObject { ["freeze"] = f.Id, ["since"] = NotificationRenderer.Iso(f.Since) },
                    cancellationToken);
            }
            catch (LedgerException e) when (e.Reason == LedgerFailureReason.Conflict)
            {
                // Someone froze it between the read and the write: theirs stands.
                active = await ActiveAsync(service, cancellationToken);
                if (active is null)
                    throw;
            }
        }

        var wanted = FreezeState.Of(active, service);
        // SSM throttles like every AWS API during an incident: the read, the (idempotent) publish and the read-back
        // are tried again until the step's deadline.
        if (!wanted.SameAs(await StepRetries.UntilDeadlineAsync(context, parameter.ReadAsync, cancellationToken)))
        {
            await StepRetries.UntilDeadlineAsync(context, ct => context.CallAsync(
                PublishCall,
                new JsonObject { ["parameter"] = parameter.Name, ["freeze"] = active.Id, ["frozen"] = true },
                call => parameter.PublishAsync(wanted, call),
                version => new JsonObject { ["version"] = version },
                ct), cancellationToken);
        }
        var published = await StepRetries.UntilDeadlineAsync(context, parameter.ReadAsync, cancellationToken);
        var evidence = new Dictionary<string, string>
        {
            ["freeze"] = active.Id,
            ["parameter"] = parameter.Name,
            ["incident"] = active.IncidentId ?? "none",
            ["since"] = NotificationRenderer.Iso(active.Since),
            ["frozenBy"] = active.FrozenBy,
        };
        if (!wanted.SameAs(published))
            return StepResult.Failed($"{parameter.Name} does not read back frozen by {active.Id} after publishing: pipelines would not see the freeze", evidence);

        var ours = active.FrozenBy == by;
        if (ours && outbox is not null && teamRoutes is { Count: > 0 })
        {
            var deliveries = new List<Delivery>();
            foreach (var route in teamRoutes)
                deliveries.Add(await outbox.DeliverAsync(FreezeNotifications.On(active), route, context.CallAsync, cancellationToken));
            foreach (var (key, value) in NotificationOutbox.Evidence(deliveries))
                evidence["announced." + key] = value;
        }
        var whose = ours ? "frozen" : $"already frozen by {active.FrozenBy}, kept;";
        return StepResult.Succeeded($"{service} {whose} {active.Id} (incident {active.IncidentId ?? "none"}), published to {parameter.Name}", evidence);
    }

    private Task<Core.Ledger.Freeze?> ActiveAsync(string service, CancellationToken cancellationToken) =>
        FreezeVerdict.ActiveAsync(ledger.Freezes, service, cancellationToken);
}
