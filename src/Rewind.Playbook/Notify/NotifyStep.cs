using Rewind.Aws.Ecs;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Ecs;

namespace Rewind.Playbook.Notify;

/// <summary>What the notify step plans a rollback's message from: the configured audiences and the service as it runs now.</summary>
/// <param name="Notify">The notify section.</param>
/// <param name="Ecs">ECS, to name the release running before the rollback.</param>
/// <param name="EcsSettings">The service.</param>
/// <param name="Releases">The releases, to date when the running one came out (customers' impact since).</param>
/// <param name="CustomersConfirmed">Customers are told in this run (<c>--notify-customers</c>).</param>
public sealed record NotifyPlanning(NotifySection Notify, IEcsClient Ecs, EcsSettings EcsSettings, IReleaseStore Releases, bool CustomersConfirmed = false);

/// <summary>
/// Playbook "Notify Stakeholders" and "Update team in #releases": tells each planned route that the rollback
/// finished (or an operator's message, for <c>rewind notify</c>), through the ledger's outbox (a resumed run never
/// sends twice). A failed delivery is evidence and a summary line, never a failed step: the rollback itself
/// succeeded. Customers are told only when configured, enabled and confirmed for this run (<c>--notify-customers</c>).
/// It needs the incident step's evidence (the incident named in "finished"); it executes from its plan alone, so a
/// step built without <paramref name="planning"/> (<see cref="ForExecution"/>) can resume any stored plan.
/// </summary>
public sealed class NotifyStep(IRunStore runs, NotificationOutbox outbox, NotifyPlanning? planning = null) : IStep
{
    public string Name => RunFacts.Step;
    public StepStage Stage => StepStage.Announce;

    /// <summary>The incident step's evidence names the incident in "rollback finished".</summary>
    public IReadOnlyList<string> Needs { get; } = [RunFacts.IncidentStep];

    /// <summary>A step that executes a stored plan (<c>rewind resume</c>, <c>rewind notify</c>): it cannot plan.</summary>
    public static NotifyStep ForExecution(IRunStore runs, NotificationOutbox outbox) => new(runs, outbox);

    /// <summary>The same step with customers confirmed for this run.</summary>
    public NotifyStep WithCustomersConfirmed() => new(runs, outbox, Planning with { CustomersConfirmed = true });

    /// <summary>Whether any audience is configured at all (the step is left out of a run otherwise).</summary>
    public static bool IsConfigured(NotifySection notify) => Audiences.All.Any(a => Audiences.TargetOf(notify, a) is not null);

    private NotifyPlanning Planning => planning ?? throw new InvalidOperationException("this notify step executes stored plans only; it was built without the configuration to plan");

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        var settings = Planning;
        var changes = new List<string>();
        var routes = new List<NotifyRoute>();
        foreach (var audience in Audiences.All)
        {
            var target = Audiences.TargetOf(settings.Notify, audience);
            if (target is null)
                continue;
            if (!target.Enabled)
            {
                changes.Add($"{audience}: not told (notify.{audience}.enabled is false)");
                continue;
            }
            if (audience == Audiences.Customers && !settings.CustomersConfirmed)
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

        var service = await EcsStep.DescribeAsync(settings.Ecs, settings.EcsSettings, cancellationToken);
        var running = service.PrimaryDeployment?.TaskDefinition ?? service.TaskDefinition;
        var from = TaskDefinitionRevision.TryParse(running, out var revision) ? revision.ToString() : running ?? "?";
        var since = (await settings.Releases.ListReleasesAsync(context.Service, 20, cancellationToken))
            .FirstOrDefault(r => running is not null && r.TaskDefinitions.Values.Contains(running))?.RecordedAt;
        var plan = new NotifyPlan(NotificationKinds.Finished, context.Service, from, context.Target?.Label, since, routes);
        var summary = routes.Count == 0
            ? "nobody to tell (no audience enabled)"
            : $"tell {string.Join(", ", routes.Select(r => r.Audience).Distinct())} ({string.Join(", ", routes.Select(r => r.Target))})";
        return StepPlan.Of(Name, Stage, summary, changes, routes.Count == 0, 1, 120, plan, NotifyJson.Default.NotifyPlan);
    }

    /// <summary>The plan of <c>rewind notify</c>: an operator's message to routes already checked.</summary>
    public static StepPlan MessagePlan(string service, string message, IReadOnlyList<string> audiences, IReadOnlyList<NotifyRoute> routes) =>
        StepPlan.Of(RunFacts.Step, StepStage.Announce, $"tell {string.Join(", ", audiences)}: {message}", [.. routes.Select(r => r.Target)], false, 1, 120,
            new NotifyPlan(NotificationKinds.Message, service, null, null, null, routes, message), NotifyJson.Default.NotifyPlan);

    /// <summary>
    /// Exactly the messages a live run sends an audience: the team hears "started" when the run is journaled (and
    /// "failed" instead of "finished" if a step fails); every other audience hears "finished" only, from this step.
    /// </summary>
    public static string MessagesOf(string audience) => audience == Audiences.Team
        ? "rollback started (as the run starts), then rollback finished, or rollback failed if a step fails"
        : "rollback finished (only once every step before it succeeded; nothing if the rollback fails)";

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        var planned = plan.Read(NotifyJson.Default.NotifyPlan, NotifyPlan.FromVersion1);
        if (planned.Routes.Count == 0)
            return StepResult.Succeeded("nobody to tell (no audience enabled)", new TeamNotified([], 0, 0));
        // The run and its journal time the message; what it says and whom it reaches is the plan's.
        var run = await runs.GetRunAsync(context.RunId, cancellationToken)
            ?? throw new InvalidOperationException($"run {context.RunId} is not in the ledger");
        var facts = new RunFacts(run, await runs.ReadJournalAsync(context.RunId, cancellationToken), planned);
        var notification = planned.Kind == NotificationKinds.Message
            ? facts.Message()
            : facts.Finished(context.OutputOf<TicketOpened>(RunFacts.IncidentStep)?.Incident);

        // One at a time: at any crash point at most one message is in flight (the only one a resume may repeat).
        var deliveries = new List<Delivery>();
        foreach (var route in planned.Routes)
            deliveries.Add(await outbox.DeliverAsync(notification, route, context.CallAsync, cancellationToken));
        foreach (var delivery in deliveries.Where(d => !d.Delivered))
            context.Report($"{delivery.Route.Target}: {(delivery.Unconfirmed ? "" : "not delivered: ")}{delivery.Error}");
        var failed = deliveries.Where(d => !d.Delivered).ToList();
        var summary = failed.Count == 0
            ? $"{notification.Kind} message delivered to {string.Join(", ", deliveries.Select(d => $"{d.Route.Target} ({d.Status})"))}"
            : $"{deliveries.Count - failed.Count} of {deliveries.Count} delivered; not delivered: {string.Join("; ", failed.Select(d => $"{d.Route.Target}: {d.Error}"))} (retry with 'rewind notify --retry --live')";
        return StepResult.Succeeded(summary, NotificationOutbox.Notified(deliveries));
    }
}
