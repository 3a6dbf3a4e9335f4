using System.CommandLine;
using Rewind.Cli.Playbook;
using Rewind.Cli.Rendering;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Playbook.Notify;
using Rewind.Playbook.Undo;

namespace Rewind.Cli.Commands;

/// <summary>
/// <c>rewind undo RUN</c>: a new run whose plan restores what RUN replaced, inverted from RUN's stored typed plan and
/// journal (<see cref="UndoInverter"/>), checked against live state (<see cref="UndoLiveCheck"/>), then shown (dry-run)
/// or executed like <c>rewind run --live</c>: same lock, journal, confirmation, report, history and <c>rewind resume</c>.
/// </summary>
public static class UndoCommand
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var runId = new Argument<string>("RUN") { Description = "the run to undo (rewind history lists them)" };
        var live = new Option<bool>("--live") { Description = "act; without it nothing is changed (dry-run)" };
        var yes = new Option<bool>("--yes") { Description = "do not ask for confirmation on a terminal" };
        var takeover = new Option<bool>("--takeover") { Description = "take the service's lock from its current holder (journaled); a dead process's lock on this host is taken without it" };
        var overrideFreeze = new Option<bool>("--override-freeze") { Description = "undo although RUN's freeze is in force (needs --reason; journaled as the undo's first step, the freeze stays)" };
        var reason = new Option<string?>("--reason") { Description = "why the freeze is overridden (with --override-freeze)", HelpName = "TEXT" }.SingleLine();
        var undo = new Command("undo", "Restore what a rollback run replaced: a new run, inverted from RUN's plan (dry-run unless --live)") { runId, live, yes, takeover, overrideFreeze, reason };
        undo.SetAction((parse, ct) => UndoAsync(
            context(parse), new Request(parse.GetValue(runId)!, parse.GetValue(live), parse.GetValue(yes), parse.GetValue(takeover), parse.GetValue(overrideFreeze), parse.GetValue(reason)), ct));
        return undo;
    }

    private sealed record Request(string RunId, bool Live, bool Yes, bool TakeOver, bool OverrideFreeze, string? Reason);

    private static async Task<int> UndoAsync(CliContext context, Request request, CancellationToken cancellationToken)
    {
        if (request.OverrideFreeze && string.IsNullOrWhiteSpace(request.Reason))
            throw new CliException("--override-freeze needs a reason", "give --reason \"why the undo may go ahead during the freeze\" (it is journaled)");
        if (!request.OverrideFreeze && request.Reason is not null)
            throw new CliException("--reason goes with --override-freeze", "add --override-freeze, or drop --reason");
        var service = context.Config.Service.Name;
        using var aws = context.Aws();
        await using var ledger = await context.OpenLedgerAsync(aws, cancellationToken);
        var run = await ledger.Runs.GetRunAsync(request.RunId, cancellationToken)
            ?? throw new CliException(
                $"run {request.RunId} is not in the ledger {ledger.Location}",
                "list runs with 'rewind history'; a dry run is never stored, so only a --live run can be undone");
        if (run.Service != service)
            throw new CliException($"run {run.Id} is a run of {run.Service}, not of {service}", $"undo it with the configuration of {run.Service} (--config FILE)");
        var undone = EngineJson.DeserializePlan(run.PlanJson);
        var journal = await ledger.Runs.ReadJournalAsync(run.Id, cancellationToken);
        var draft = UndoInverter.Invert(run, undone, journal);
        // Only reads: while AWS throttles or fails, it is simply read again, up to one call's deadline.
        var steps = await Rewind.Playbook.StepRetries.ReadingAsync(context.Time, context.Log, aws.Options.OverallTimeout,
            ct => new UndoLiveCheck(aws.Ecs, aws.Elb, aws.SecretsManager).CheckAsync(draft, undone, ct), cancellationToken);
        if (steps.Where(s => UndoInverter.LayerSteps.Contains(s.Step)).All(s => s.NothingToDo))
        {
            context.Log($"rewind: every layer {run.Id} changed is already back on what it replaced: nothing to undo");
            return ExitCodes.Ok;
        }
        var overridden = await FreezeOfAsync(context, ledger, run, request, cancellationToken);
        // Its own announcement, "undo of RUN", to whom RUN told (customers left out), else the configured team.
        var routes = UndoAnnouncement.Routes(undone, NotificationOutbox.EnabledRoutes(context.Config.Notify, Audiences.Team));
        PlaybookSteps.Outbox(ledger, context.Time).CheckRoutes(routes);
        var announcement = UndoAnnouncement.Plan(run.Id, service, steps, routes, request.Reason);
        IReadOnlyList<StepPlan> planned =
        [
            .. overridden is null ? Array.Empty<StepPlan>() : [UndoOverrideFreezeStep.Plan(overridden)],
            .. steps,
            .. announcement is null ? Array.Empty<StepPlan>() : [announcement],
        ];
        var plan = new RollbackPlan(service, draft.Target, context.Time.GetUtcNow(), planned)
        {
            Undoes = run.Id,
            Notes = draft.Notes.Count == 0 ? null : draft.Notes,
        };

        if (!request.Live)
        {
            await PlanView.WriteAsync(context, plan, null, cancellationToken);
            context.Log($"rewind: dry-run: nothing was changed; run again with --live to undo {run.Id}");
            return ExitCodes.Ok;
        }
        if (context.Output == OutputFormat.Text)
            PlanView.RenderPlan(context.Error, plan);
        if (!request.Yes && context.Terminal.CanPrompt
            && !context.Terminal.Confirm($"Undo {run.Id} on {service} now ({plan.Steps.Count} steps, about {plan.ExpectedSeconds:0} s)? [y/N] "))
        {
            context.Log("rewind: not confirmed: nothing was changed");
            return ExitCodes.Cancelled;
        }
        var executing = PlaybookSteps.ForPlan(context, aws, ledger, plan);
        var outcome = await RunProgress.ShowAsync(context, plan, observer =>
            new RunExecutor(ledger, executing, observer, context.Time) { TakeOverWhen = RollbackCommands.TakeOverPolicy(context, request.TakeOver), Hooks = new RunAnnouncements(context, ledger) }
                .StartAsync(plan, EngineJson.Serialize(plan), context.Operator, cancellationToken));
        await PlanView.WriteAsync(context, plan, outcome, cancellationToken);
        return RollbackCommands.ExitCodeOf(context, outcome);
    }

    /// <summary>
    /// The override to journal when RUN's freeze (the one its freeze step set) is in force: refused (exit 3) without
    /// <c>--override-freeze</c> (a dry run says so and shows the plan); null when no freeze of RUN is in force.
    /// </summary>
    private static async Task<UndoOverridePlan?> FreezeOfAsync(CliContext context, ILedger ledger, Run run, Request request, CancellationToken cancellationToken)
    {
        var freeze = (await ledger.Freezes.GetActiveFreezesAsync(run.Service, cancellationToken)).FirstOrDefault(f => f.FrozenBy == $"rewind run {run.Id}");
        if (freeze is null)
        {
            if (request.OverrideFreeze)
                context.Log($"rewind: no freeze of {run.Id} is in force: --override-freeze has nothing to override");
            return null;
        }
        if (!request.OverrideFreeze && !request.Live)
        {
            context.Log($"rewind: warning: {run.Id}'s freeze {freeze.Id} is in force ({freeze.Reason}): --live would be refused (exit 3) without --override-freeze --reason \"…\"");
            return null;
        }
        if (!request.OverrideFreeze)
        {
            throw new CliException(
                $"{run.Id}'s freeze {freeze.Id} is in force ({freeze.Reason}): releases of {run.Service} are frozen",
                $"lift it with 'rewind freeze off --root-cause \"…\" --live', or undo anyway with --override-freeze --reason \"…\" (journaled)",
                FailureKind.Blocked);
        }
        context.Log($"rewind: warning: {run.Id}'s freeze {freeze.Id} is in force; overriding it for the undo, and journaling it");
        return new UndoOverridePlan(run.Id, freeze.Id, freeze.Reason, request.Reason!, context.Operator.Signature);
    }
}
