using System.Text.Json.Nodes;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Notify;

namespace Rewind.Playbook.Freeze;

/// <summary>
/// <c>rewind freeze off</c> as a run: lifts the freeze in the ledger, copies its root cause into its incident, publishes
/// the lift to SSM and reads it back, and tells the team, in that order (the ledger first: a run killed anywhere is
/// continued by <c>rewind resume</c>). Every change is journaled and each is made only when the ledger, the incident,
/// SSM or the outbox does not already show it: a resumed run lifts, copies, publishes and announces at most once.
/// </summary>
public sealed class LiftFreezeStep : IStep
{
    /// <summary>The step's name in plans and journals.</summary>
    public const string StepName = "freeze-off";

    private const string LiftCall = "LiftFreeze";
    private const string CopyCall = "RecordRootCause";

    private readonly IFreezeStore _freezes;
    private readonly IIncidentStore _incidents;
    private readonly FreezeParameterOf _parameterOf;
    private readonly NotificationOutbox _outbox;
    private readonly LiftFreezeFindings? _findings;

    /// <summary>For <c>rewind resume</c>: executes a stored plan; plans nothing.</summary>
    public LiftFreezeStep(IFreezeStore freezes, IIncidentStore incidents, FreezeParameterOf parameterOf, NotificationOutbox outbox)
    {
        _freezes = freezes;
        _incidents = incidents;
        _parameterOf = parameterOf;
        _outbox = outbox;
    }

    /// <summary>For <c>rewind freeze off</c>: plans what <paramref name="findings"/> found to do.</summary>
    public LiftFreezeStep(IFreezeStore freezes, IIncidentStore incidents, FreezeParameterOf parameterOf, NotificationOutbox outbox, LiftFreezeFindings findings)
        : this(freezes, incidents, parameterOf, outbox) => _findings = findings;

    public string Name => StepName;
    public StepStage Stage => StepStage.Announce;

    public Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        var found = _findings ?? throw new InvalidOperationException($"step {StepName} was built to execute a stored plan, not to plan");
        var plan = found.Plan();
        IReadOnlyList<string> changes =
        [
            .. found.Active is { } active ? [$"releases: frozen ({active.Id}: {active.Reason}) → open, root cause: {found.RootCause}"] : Array.Empty<string>(),
            .. found.Copy is { ChangesIncident: true } copy ? [$"incident {copy.IncidentId}: root cause → {copy.RootCause}"] : Array.Empty<string>(),
            .. found.Active is not null || found.Republish is not null ? [$"{found.Parameter.Name}: frozen=true → frozen=false"] : Array.Empty<string>(),
            .. plan.Announce.Select(r => $"{r.Audience}: {r.Target}: releases unfrozen"),
        ];
        var summary = found.Active is { } lifting
            ? $"lift {lifting.Id} of {found.Service} with root cause: {found.RootCause}"
            : $"finish lifting {plan.Freeze ?? "the freeze published in SSM"} of {found.Service}";
        return Task.FromResult(StepPlan.Of(
            Name, Stage, summary, changes, nothingToDo: found.NothingToDo, expectedSeconds: 2, deadlineSeconds: 120,
            plan, FreezeJson.Default.LiftFreezePlan));
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        var planned = plan.Read(FreezeJson.Default.LiftFreezePlan);
        var parameter = _parameterOf(planned.Parameter, planned.Service);
        var lifted = planned.Freeze is { } id ? await LiftedAsync(planned, id, context, cancellationToken) : null;

        IncidentRootCause? copy = null;
        if (lifted is not null && planned.CopyRootCause)
        {
            copy = await IncidentRootCause.PlanAsync(_incidents, lifted, cancellationToken);
            if (copy.ChangesIncident)
            {
                await context.CallAsync(
                    CopyCall,
                    new JsonObject { ["incident"] = copy.IncidentId, ["freeze"] = copy.FreezeId, ["rootCause"] = copy.RootCause, ["replaces"] = copy.Replaced },
                    ct => copy.ApplyAsync(_incidents, ct),
                    incident => new JsonObject { ["incident"] = incident.Id, ["outcome"] = copy.Wire(done: true) },
                    cancellationToken);
            }
            else if (context.EarlierResult(CopyCall)?["outcome"]?.GetValue<string>() is { } earlier)
            {
                // An interrupted attempt made the copy: report what it did, not "unchanged".
                copy = IncidentRootCause.FromWire(copy.FreezeId, copy.IncidentId, copy.RootCause, earlier, null);
            }
        }

        var wanted = planned.Lift && lifted is not null ? FreezeState.Of(lifted, planned.Service) : planned.Republish;
        var published = wanted is null ? null : await parameter.PublishJournaledAsync(wanted, context, cancellationToken);
        FreezeLifted Evidence(IReadOnlyList<AudienceDelivery> announced) => new(
            lifted?.Id ?? wanted?.FreezeId, parameter.Name, lifted?.IncidentId, planned.Lift, lifted?.LiftedBy ?? wanted?.LiftedBy, lifted?.LiftedAt ?? wanted?.LiftedAt,
            lifted?.RootCause ?? wanted?.RootCause, copy?.Wire(done: true), copy?.Replaced, wanted?.ToJson(), published?.Version, announced);
        if (published is { ReadBack: false })
            return StepResult.Failed($"{parameter.Name} does not read back the lift of {wanted!.FreezeId}: pipelines would still see the freeze", Evidence([]));

        var deliveries = new List<Delivery>();
        if (lifted is not null)
        {
            foreach (var route in planned.Announce)
                deliveries.Add(await _outbox.DeliverAsync(FreezeNotifications.Off(lifted), route, context.CallAsync, cancellationToken));
            foreach (var failed in deliveries.Where(d => !d.Delivered))
                context.Report($"{failed.Route.Target}: {(failed.Unconfirmed ? "" : "not told: ")}{failed.Error}");
        }
        var what = planned.Lift ? $"lifted {lifted!.Id}" : $"finished lifting {lifted?.Id ?? wanted?.FreezeId ?? "the freeze"}";
        return StepResult.Succeeded($"{planned.Service}: {what}; root cause: {lifted?.RootCause ?? planned.RootCause}", Evidence(NotificationOutbox.Evidence(deliveries)));
    }

    /// <summary>
    /// The planned freeze, lifted: by this call when it is still active (read first, so a resumed run whose lift
    /// reached the ledger before it was journaled does not lift again), else as an earlier attempt or run lifted it.
    /// </summary>
    private async Task<Core.Ledger.Freeze> LiftedAsync(LiftFreezePlan planned, string id, StepContext context, CancellationToken cancellationToken)
    {
        var freeze = (await _freezes.ListFreezesAsync(cancellationToken)).FirstOrDefault(f => f.Id == id)
            ?? throw new RewindException($"freeze {id} is not in the ledger any more", "see 'rewind freeze status'", FailureKind.Failed);
        if (!freeze.IsActive)
            return freeze;
        return await context.CallAsync(
            LiftCall,
            new JsonObject { ["freeze"] = id, ["scope"] = freeze.Scope, ["rootCause"] = planned.RootCause, ["by"] = planned.LiftedBy },
            ct => _freezes.LiftAsync(freeze.Scope, planned.LiftedBy, planned.RootCause, ct),
            f => new JsonObject { ["freeze"] = f.Id, ["liftedAt"] = NotificationRenderer.Iso(f.LiftedAt ?? f.Since) },
            cancellationToken);
    }
}
