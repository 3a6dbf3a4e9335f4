using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Playbook.Notify;

namespace Rewind.Cli.Playbook;

/// <summary>
/// The team's "rollback started" and "rollback failed" messages around a live run, through the same outbox as the
/// notify step (keys <c>{run}/notify/started|failed/team/…</c>), rendered from the run's journal. "Started" goes out in
/// the background the moment the run is journaled, so a slow or dead receiver never delays the rollback; a delivery
/// that fails is one warning line, never a failed run (<c>rewind notify --retry</c> sends it again).
/// </summary>
internal sealed class RunAnnouncements(CliContext context, ILedger ledger, CancellationToken cancellationToken)
{
    private Task _started = Task.CompletedTask;

    /// <summary>For <see cref="RunExecutor.RunStarted"/>: sends "started" without waiting.</summary>
    public void Started(string runId) => _started = Task.Run(() => AnnounceAsync(runId, NotificationKinds.Started), cancellationToken);

    /// <summary>Waits for "started", then sends "failed" if the run failed.</summary>
    public async Task FinishAsync(RunOutcome outcome)
    {
        await _started;
        if (outcome.Status == RunStatus.Failed)
            await AnnounceAsync(outcome.RunId, NotificationKinds.Failed);
    }

    private async Task AnnounceAsync(string runId, string kind)
    {
        try
        {
            var facts = await RunFacts.ReadAsync(ledger.Runs, runId, cancellationToken);
            if (facts?.Of(kind) is not { } notification)
                return;
            var journal = new RunJournal(ledger.Runs, runId, RunFacts.Step);
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
            context.Log($"rewind: warning: the '{kind}' message of {runId} could not be sent: {e.Message}");
        }
    }
}
