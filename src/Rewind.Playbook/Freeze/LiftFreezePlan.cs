using Rewind.Core.Ledger;
using Rewind.Playbook.Notify;

namespace Rewind.Playbook.Freeze;

/// <summary>
/// What <c>rewind freeze off</c> approved. Either the service's active freeze <paramref name="Freeze"/> is lifted
/// (<paramref name="Lift"/>), its root cause copied into its incident, the lift published to SSM and announced; or,
/// nothing being frozen in the ledger, the last lift that was cut short is finished: the copy of its root cause
/// (<paramref name="CopyRootCause"/>), the SSM value (<paramref name="Republish"/>), the announcement (routes in
/// <paramref name="Announce"/>).
/// </summary>
/// <param name="Service">The service.</param>
/// <param name="Parameter">The SSM parameter pipelines read.</param>
/// <param name="Freeze">The ledger freeze lifted (or whose lift is finished); none for a freeze published in SSM alone.</param>
/// <param name="RootCause">The root cause given (<c>--root-cause</c>); a finished lift keeps the one it was lifted with.</param>
/// <param name="LiftedBy">Who lifts.</param>
/// <param name="Lift">The freeze is active and this run lifts it.</param>
/// <param name="CopyRootCause">The lift's root cause goes into the freeze's incident.</param>
/// <param name="Republish">A finished lift: what SSM gets again (it still says frozen); a lift publishes what it lifted.</param>
/// <param name="Announce">The team's routes told of the lift (none: nobody, or they were told already).</param>
public sealed record LiftFreezePlan(
    string Service, string Parameter, string? Freeze, string RootCause, string LiftedBy, bool Lift, bool CopyRootCause,
    FreezeState? Republish, IReadOnlyList<NotifyRoute> Announce);

/// <summary>
/// What <c>rewind freeze off</c> finds before it plans (and what its dry-run shows): the active freeze to lift, else the
/// last lift and what of it is unfinished (SSM still says frozen because its write failed, or the process died before
/// the root cause reached the incident or before the team was told). <see cref="NothingToDo"/>: not frozen.
/// </summary>
/// <param name="Service">The service.</param>
/// <param name="Parameter">The service's freeze parameter.</param>
/// <param name="Routes">The team's enabled routes.</param>
/// <param name="RootCause">The root cause given.</param>
/// <param name="LiftedBy">Who lifts.</param>
/// <param name="Active">The ledger's active freeze, lifted by the plan.</param>
/// <param name="Preview">The active freeze as it will be once lifted (for the dry-run's SSM value and message).</param>
/// <param name="Copy">The copy of the root cause into the incident: the active freeze's, else the last lift's unfinished one.</param>
/// <param name="Republish">No freeze is active but SSM says frozen: the value that lifts it there.</param>
/// <param name="Untold">No freeze is active and the team never heard of the last lift: its message.</param>
public sealed record LiftFreezeFindings(
    string Service, IFreezeParameter Parameter, IReadOnlyList<NotifyRoute> Routes, string RootCause, string LiftedBy,
    Core.Ledger.Freeze? Active, Core.Ledger.Freeze? Preview, IncidentRootCause? Copy, FreezeState? Republish, Notification? Untold)
{
    /// <summary>Nothing frozen and nothing of the last lift left to finish.</summary>
    public bool NothingToDo => Active is null && Copy is null && Republish is null && Untold is null;

    /// <summary>The plan these findings approve.</summary>
    public LiftFreezePlan Plan() => Active is { } active
        ? new(Service, Parameter.Name, active.Id, RootCause, LiftedBy, Lift: true, CopyRootCause: true, null, Routes)
        : new(Service, Parameter.Name, Copy?.FreezeId ?? Untold?.Subject, RootCause, LiftedBy, Lift: false, CopyRootCause: Copy is not null, Republish,
            Untold is null ? [] : Routes);

    /// <summary>Reads the ledger, SSM and the outbox for <c>freeze off</c> of <paramref name="service"/>.</summary>
    public static async Task<LiftFreezeFindings> ReadAsync(
        IFreezeStore freezes, IIncidentStore incidents, IFreezeParameter parameter, NotificationOutbox outbox, IReadOnlyList<NotifyRoute> routes,
        string service, string rootCause, string liftedBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        var verdict = await FreezeVerdict.ReadAsync(freezes, parameter, service, cancellationToken);
        if (verdict.Active is { } active)
        {
            var preview = active with { LiftedBy = liftedBy, LiftedAt = now, RootCause = rootCause };
            var copy = await IncidentRootCause.PlanAsync(incidents, preview, cancellationToken);
            return new(service, parameter, routes, rootCause, liftedBy, active, preview, copy, null, null);
        }

        var all = await freezes.ListFreezesAsync(cancellationToken);
        var last = FreezeVerdict.LastLift(all, service);
        var unfinished = await IncidentRootCause.UnfinishedAsync(incidents, last, cancellationToken);
        var message = last is null ? null : FreezeNotifications.Off(last);
        var untold = message is not null && await outbox.IsUnfinishedAsync(message, routes, cancellationToken) ? message : null;
        FreezeState? republish = null;
        if (verdict.Published is { Frozen: true } stale)
        {
            // Lifted in the ledger, but SSM still says frozen (its write failed), or frozen in SSM alone: publish the lift.
            var lifted = all.FirstOrDefault(f => f.Id == stale.FreezeId && !f.IsActive);
            republish = lifted is not null
                ? FreezeState.Of(lifted, service)
                : stale with { Frozen = false, LiftedBy = liftedBy, LiftedAt = now, RootCause = rootCause };
        }
        return new(service, parameter, routes, rootCause, liftedBy, null, null, unfinished, republish, untold);
    }
}
