using Rewind.Aws.Ecs;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Playbook.Ecs;

namespace Rewind.Playbook.Notify;

/// <summary>
/// Playbook "Notify Stakeholders" and "Update team in #releases": tells each configured audience that the rollback
/// finished, through the ledger's outbox (a resumed run never sends twice). A failed delivery is evidence
/// (<c>A.status</c>, <c>A.error</c>) and a summary line, never a failed step: the rollback itself succeeded.
/// Customers are told only when configured, enabled and confirmed for this run (<c>--notify-customers</c>).
/// </summary>
public sealed class NotifyStep(
    NotifySection notify, IEcsClient ecs, EcsSettings ecsSettings, ILedger ledger, NotificationOutbox outbox, bool customersConfirmed = false) : IStep
{
    public string Name => RunFacts.Step;
    public StepStage Stage => StepStage.Announce;

    /// <summary>The same step with customers confirmed for this run.</summary>
    public NotifyStep WithCustomersConfirmed() => new(notify, ecs, ecsSettings, ledger, outbox, customersConfirmed: true);

    /// <summary>Whether any audience is configured at all (the step is left out of a run otherwise).</summary>
    public static bool IsConfigured(NotifySection notify) => Audiences.All.Any(a => Audiences.TargetOf(notify, a) is not null);

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        var changes = new List<string>();
        var routes = new List<NotifyRoute>();
        foreach (var audience in Audiences.All)
        {
            var target = Audiences.TargetOf(notify, audience);
            if (target is null)
                continue;
            if (!target.Enabled)
            {
                changes.Add($"{audience}: not told (notify.{audience}.enabled is false)");
                continue;
            }
            if (audience == Audiences.Customers && !customersConfirmed)
            {
                changes.Add("customers: not told (confirm with --notify-customers)");
                continue;
            }
            foreach (var route in NotifyRoute.Of(audience, target))
            {
                routes.Add(route);
                changes.Add($"{audience}: {route.Target}: {MessagesOf(audience)}");
            }
        }
        outbox.CheckRoutes(routes);

        var service = await EcsStep.DescribeAsync(ecs, ecsSettings, cancellationToken);
        var running = service.PrimaryDeployment?.TaskDefinition ?? service.TaskDefinition;
        var from = TaskDefinitionRevision.TryParse(running, out var revision) ? revision.ToString() : running ?? "?";
        var since = (await ledger.Releases.ListReleasesAsync(context.Service, 20, cancellationToken))
            .FirstOrDefault(r => running is not null && r.TaskDefinitions.Values.Contains(running))?.RecordedAt;
        var to = context.Target?.Label ?? "";
        var parameters = new Dictionary<string, string>
        {
            ["kind"] = NotificationKinds.Finished,
            ["service"] = context.Service,
            ["from"] = from,
            ["to"] = to,
            ["impactSince"] = since is { } s ? NotificationRenderer.Iso(s) : "",
            ["routes"] = NotifyRoute.EncodeAll(routes),
        };
        var summary = routes.Count == 0
            ? "nobody to tell (no audience enabled)"
            : $"tell {string.Join(", ", routes.Select(r => r.Audience).Distinct())} ({string.Join(", ", routes.Select(r => r.Target))})";
        return new StepPlan(Name, Stage, summary, changes, NothingToDo: routes.Count == 0, ExpectedSeconds: 1, DeadlineSeconds: 120, parameters);
    }

    /// <summary>
    /// Exactly the messages a live run sends an audience: the team hears "started" when the run is journaled (and
    /// "failed" instead of "finished" if a step fails); every other audience hears "finished" only, from this step.
    /// </summary>
    public static string MessagesOf(string audience) => audience == Audiences.Team
        ? "rollback started (as the run starts), then rollback finished, or rollback failed if a step fails"
        : "rollback finished (only once every step before it succeeded; nothing if the rollback fails)";

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        var facts = await RunFacts.ReadAsync(ledger.Runs, context.RunId, cancellationToken)
            ?? throw new InvalidOperationException($"run {context.RunId} has no planned notify step in its journal");
        var notification = facts.Parameters.GetValueOrDefault("kind") == NotificationKinds.Message ? facts.Message() : facts.Finished();
        var routes = NotifyRoute.DecodeAll(plan.Parameters!.GetValueOrDefault("routes"));
        if (routes.Count == 0)
            return StepResult.Succeeded("nobody to tell (no audience enabled)", new Dictionary<string, string> { ["delivered"] = "0", ["failed"] = "0" });

        // One at a time: at any crash point at most one message is in flight (the only one a resume may repeat).
        var deliveries = new List<Delivery>();
        foreach (var route in routes)
            deliveries.Add(await outbox.DeliverAsync(notification, route, context.CallAsync, cancellationToken));
        foreach (var delivery in deliveries.Where(d => !d.Delivered))
            context.Report($"{delivery.Route.Target}: {(delivery.Unconfirmed ? "" : "not delivered: ")}{delivery.Error}");
        var evidence = NotificationOutbox.Evidence(deliveries);
        var failed = deliveries.Where(d => !d.Delivered).ToList();
        var summary = failed.Count == 0
            ? $"{notification.Kind} message delivered to {string.Join(", ", deliveries.Select(d => $"{d.Route.Target} ({d.Status})"))}"
            : $"{deliveries.Count - failed.Count} of {deliveries.Count} delivered; not delivered: {string.Join("; ", failed.Select(d => $"{d.Route.Target}: {d.Error}"))} (retry with 'rewind notify --retry --live')";
        return StepResult.Succeeded(summary, evidence);
    }
}
