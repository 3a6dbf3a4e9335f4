using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Playbook.Notify;

namespace Rewind.Cli.Playbook;

/// <summary>
/// The team's "rollback started" and "rollback failed" messages around every live run, started or resumed, through
/// the same outbox as the notify step (keys <c>{run}/notify/started|failed/team/…</c>), rendered from the run's plan
/// and journal and journaled under the notify step through the executor's fenced context. "Started" goes out
/// alongside the first stage, so a slow or dead receiver never delays the rollback; a delivery that fails is one
/// warning line, never a failed run (<c>rewind notify --retry</c> sends it again).
/// </summary>
/// <param name="context">The command's log.</param>
/// <param name="ledger">The run's ledger.</param>
/// <param name="startedLine">A line to log once the run holds its lock (a continued run says so), if any.</param>
internal sealed class RunAnnouncements(CliContext context, ILedger ledger, string? startedLine = null) : IRunHooks
{
    public Task RunStartedAsync(RunHookContext run, CancellationToken cancellationToken)
    {
        if (startedLine is not null)
            context.Log(startedLine);
        return Task.Run(() => AnnounceAsync(run, NotificationKinds.Started, cancellationToken), cancellationToken);
    }

    public Task RunEndedAsync(RunHookContext run, RunOutcome outcome, CancellationToken cancellationToken) =>
        outcome.Status == RunStatus.Failed ? AnnounceAsync(run, NotificationKinds.Failed, cancellationToken) : Task.CompletedTask;

    private async Task AnnounceAsync(RunHookContext run, string kind, CancellationToken cancellationToken)
    {
        try
        {
            var facts = await RunFacts.ReadAsync(ledger.Runs, run.RunId, cancellationToken);
            if (facts?.Of(kind) is not { } notification)
                return;
            var journal = run.JournalAs(RunFacts.Step);
            var outbox = PlaybookSteps.Outbox(ledger, context.Time);
            foreach (var route in facts.Routes.Where(r => r.Audience == Audiences.Team))
            {
                var delivery = await outbox.DeliverAsync(notification, route, journal.CallAsync, cancellationToken);
                if (delivery.Unconfirmed)
                    context.Log($"rewind: warning: the '{kind}' message to {route.Target} was {delivery.Error}");
                else if (!delivery.Delivered)
                    context.Log($"rewind: warning: the '{kind}' message to {route.Target} was not delivered: {delivery.Error} (send it again with 'rewind notify --retry --live')");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            context.Log($"rewind: warning: the '{kind}' message of {run.RunId} could not be sent: {e.Message}");
        }
    }
}
