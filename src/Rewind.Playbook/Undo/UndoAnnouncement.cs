using Rewind.Core.Engine;
using Rewind.Playbook.Canary;
using Rewind.Playbook.Ecs;
using Rewind.Playbook.Notify;
using Rewind.Playbook.Secrets;

namespace Rewind.Playbook.Undo;

/// <summary>
/// The undo's own announcement, instead of re-opening the undone run's incident or sending its messages again: one
/// message "undo of RUN", to the routes the undone run told (customers left out: an undo is an internal correction),
/// else to the configured team, sent by the notify step once every step before it succeeded.
/// </summary>
public static class UndoAnnouncement
{
    /// <summary>
    /// Who hears of the undo: the routes of <paramref name="undone"/>'s notify plan but customers; when it had none,
    /// <paramref name="team"/> (today's configured team routes).
    /// </summary>
    public static IReadOnlyList<NotifyRoute> Routes(RollbackPlan undone, IReadOnlyList<NotifyRoute> team)
    {
        ArgumentNullException.ThrowIfNull(undone);
        return undone.Steps.FirstOrDefault(s => s.Step == RunFacts.Step) is { } notify
            && notify.Read(NotifyJson.Default.NotifyPlan, NotifyPlan.FromVersion1) is { Kind: NotificationKinds.Finished } told
            ? [.. told.Routes.Where(r => r.Audience != Audiences.Customers)]
            : team;
    }

    /// <summary>
    /// "undo of run-…: claude-proxy-api goes back to what it replaced: claude-proxy-api:4, weights main 90 / canary 10,
    /// AWSCURRENT of 1 secret(s) (false alarm)": what each inverted layer returns to, and the override's reason if any.
    /// </summary>
    public static string Text(string undoes, string service, IReadOnlyList<StepPlan> steps, string? reason)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var layers = new List<string>();
        foreach (var step in steps.Where(s => !s.NothingToDo))
        {
            switch (step.Step)
            {
                case "canary":
                    layers.Add($"weights {CanaryStep.Read(step).Wanted}");
                    break;
                case "secrets":
                    layers.Add($"AWSCURRENT of {SecretsStep.Read(step).Secrets.Count} secret(s)");
                    break;
                case "ecs":
                    layers.Insert(0, UndoInverter.Short(EcsStep.Read(step).TargetTaskDefinition));
                    break;
            }
        }
        var what = layers.Count == 0 ? "nothing left to change" : string.Join(", ", layers);
        return $"undo of {undoes}: {service} goes back to what {undoes} replaced: {what}{(string.IsNullOrWhiteSpace(reason) ? "" : $" ({reason})")}";
    }

    /// <summary>The notify step of the undo: <see cref="Text"/> to <paramref name="routes"/>; null when nobody is to be told.</summary>
    public static StepPlan? Plan(string undoes, string service, IReadOnlyList<StepPlan> steps, IReadOnlyList<NotifyRoute> routes, string? reason)
    {
        ArgumentNullException.ThrowIfNull(routes);
        return routes.Count == 0
            ? null
            : NotifyStep.MessagePlan(service, Text(undoes, service, steps, reason), [.. routes.Select(r => r.Audience).Distinct()], routes);
    }
}
