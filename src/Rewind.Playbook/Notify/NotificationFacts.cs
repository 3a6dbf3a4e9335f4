using System.Text.Json.Nodes;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Notify;

/// <summary>
/// What the ledger says about a run, for its messages: the run, its journal, and the notify step's plan (routes, from,
/// to, since when customers may have seen the problem, an operator's message) as the run stored it.
/// </summary>
public sealed record RunFacts(Run Run, IReadOnlyList<JournalEntry> Journal, NotifyPlan Plan)
{
    /// <summary>The step name the notify step and the announcements journal under.</summary>
    public const string Step = "notify";

    /// <summary>The step whose evidence names the run's incident.</summary>
    public const string IncidentStep = "incident";

    public IReadOnlyList<NotifyRoute> Routes => Plan.Routes;

    /// <summary>
    /// Reads a run's facts, or null when the run does not exist, has no notify step planned (nobody to tell) or its
    /// stored plan cannot be read.
    /// </summary>
    public static async Task<RunFacts?> ReadAsync(IRunStore runs, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var run = await runs.GetRunAsync(runId, cancellationToken);
        if (run is null)
            return null;
        NotifyPlan plan;
        try
        {
            if (EngineJson.DeserializePlan(run.PlanJson).Steps.FirstOrDefault(s => s.Step == Step) is not { } planned)
                return null;
            plan = planned.Read(NotifyJson.Default.NotifyPlan, NotifyPlan.FromVersion1);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
        return new RunFacts(run, await runs.ReadJournalAsync(runId, cancellationToken), plan);
    }

    /// <summary>The run's incident as its incident step's journaled evidence names it (null without one).</summary>
    public string? Incident => Journal
        .Where(e => e.Step == IncidentStep && e.Kind == JournalKind.Completed)
        .Select(e => StepEnd.TryParse(e, out var end) && end.Succeeded ? end.Evidence as TicketOpened : null)
        .LastOrDefault(t => t is not null)?.Incident;

    private DateTimeOffset? ImpactSince => Plan.ImpactSince ?? Run.StartedAt;

    /// <summary>"Rollback started", timed by the run's start.</summary>
    public Notification Started() => new(
        NotificationKinds.Started, Run.Service, Run.Id, "started", Run.StartedAt, Run.Id, Plan.From, Plan.To, ImpactSince: ImpactSince);

    /// <summary>"Rollback finished", timed by the notify step's first start (the stages before it all succeeded), with the run's incident.</summary>
    public Notification Finished(string? incident)
    {
        var reached = Journal.FirstOrDefault(e => e.Step == Step && e.Kind == JournalKind.Started)?.Time ?? Run.StartedAt;
        return new Notification(
            NotificationKinds.Finished, Run.Service, Run.Id, "succeeded", reached, Run.Id, Plan.From, Plan.To,
            reached - Run.StartedAt, incident, ImpactSince);
    }

    /// <summary>"Rollback failed", from the first step the journal records as failed; null if none did.</summary>
    public Notification? Failed()
    {
        foreach (var entry in Journal.Where(e => e.Kind == JournalKind.CallFailed))
        {
            if (JsonNode.Parse(entry.Detail) is not JsonObject detail || detail["status"] is null)
                continue; // a failed call inside a step, not the step's end
            var summary = detail["summary"]?.GetValue<string>() ?? "failed";
            return new Notification(
                NotificationKinds.Failed, Run.Service, Run.Id, "failed", entry.Time, Run.Id, Plan.From, Plan.To,
                entry.Time - Run.StartedAt, null, ImpactSince, $"step {entry.Step}: {summary}");
        }
        return null;
    }

    /// <summary>An operator's message sent with <c>rewind notify</c> (its run records the text).</summary>
    public Notification Message() => new(
        NotificationKinds.Message, Run.Service, Run.Id, "sent", Run.StartedAt, Run.Id, Detail: Plan.Message ?? "");

    /// <summary>The message of <paramref name="kind"/> for this run, or null when the run has none of that kind.</summary>
    public Notification? Of(string kind) => Plan.Kind == NotificationKinds.Message
        ? kind == NotificationKinds.Message ? Message() : null
        : kind switch
        {
            NotificationKinds.Started => Started(),
            NotificationKinds.Finished => Finished(Incident),
            NotificationKinds.Failed => Failed(),
            NotificationKinds.Message => Message(),
            _ => null,
        };
}

/// <summary>The messages a freeze produces, from its ledger record alone.</summary>
public static class FreezeNotifications
{
    public static Notification On(Core.Ledger.Freeze freeze) => new(
        NotificationKinds.FreezeOn, ServiceOf(freeze), freeze.Id, "frozen", freeze.Since,
        Incident: freeze.IncidentId, Detail: $"{freeze.Reason} (by {freeze.FrozenBy} since {NotificationRenderer.Iso(freeze.Since)})");

    public static Notification Off(Core.Ledger.Freeze freeze) => new(
        NotificationKinds.FreezeOff, ServiceOf(freeze), freeze.Id, "unfrozen", freeze.LiftedAt ?? freeze.Since,
        Incident: freeze.IncidentId, Detail: $"{freeze.RootCause} (lifted by {freeze.LiftedBy})");

    private static string ServiceOf(Core.Ledger.Freeze freeze) => freeze.Scope == Core.Ledger.Freeze.AllServices ? "all services" : freeze.Scope;
}
