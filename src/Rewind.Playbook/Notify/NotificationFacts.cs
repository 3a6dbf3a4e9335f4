using System.Globalization;
using System.Text.Json.Nodes;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Notify;

/// <summary>
/// What the ledger says about a run, for its messages: the run, its journal, and the notify step's planned
/// parameters (routes, from, to, since when customers may have seen the problem, an operator's message).
/// </summary>
public sealed record RunFacts(Run Run, IReadOnlyList<JournalEntry> Journal, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>The step name the notify step and the announcements journal under.</summary>
    public const string Step = "notify";

    public IReadOnlyList<NotifyRoute> Routes => NotifyRoute.DecodeAll(Parameters.GetValueOrDefault("routes"));

    /// <summary>Reads a run's facts, or null when the run does not exist or has no notify step planned (nobody to tell).</summary>
    public static async Task<RunFacts?> ReadAsync(IRunStore runs, string runId, CancellationToken cancellationToken)
    {
        var run = await runs.GetRunAsync(runId, cancellationToken);
        if (run is null)
            return null;
        var journal = await runs.ReadJournalAsync(runId, cancellationToken);
        var planned = journal.FirstOrDefault(e => e.Step == Step && e.Kind == JournalKind.Planned);
        if (planned is null || JsonNode.Parse(planned.Detail)?["parameters"] is not JsonObject parameters)
            return null;
        return new RunFacts(run, journal, parameters.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "", StringComparer.Ordinal));
    }

    private string? Parameter(string name) => Parameters.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    private DateTimeOffset? ImpactSince => Parameter("impactSince") is { } since
        ? DateTimeOffset.Parse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
        : Run.StartedAt;

    /// <summary>"Rollback started", timed by the run's start.</summary>
    public Notification Started() => new(
        NotificationKinds.Started, Run.Service, Run.Id, "started", Run.StartedAt, Run.Id, Parameter("from"), Parameter("to"), ImpactSince: ImpactSince);

    /// <summary>"Rollback finished", timed by the notify step's first start (the stages before it all succeeded), with the run's incident.</summary>
    public Notification Finished()
    {
        var reached = Journal.FirstOrDefault(e => e.Step == Step && e.Kind == JournalKind.Started)?.Time ?? Run.StartedAt;
        return new Notification(
            NotificationKinds.Finished, Run.Service, Run.Id, "succeeded", reached, Run.Id, Parameter("from"), Parameter("to"),
            reached - Run.StartedAt, Run.IncidentId, ImpactSince);
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
                NotificationKinds.Failed, Run.Service, Run.Id, "failed", entry.Time, Run.Id, Parameter("from"), Parameter("to"),
                entry.Time - Run.StartedAt, null, ImpactSince, $"step {entry.Step}: {summary}");
        }
        return null;
    }

    /// <summary>An operator's message sent with <c>rewind notify</c> (its run records the text).</summary>
    public Notification Message() => new(
        NotificationKinds.Message, Run.Service, Run.Id, "sent", Run.StartedAt, Run.Id, Detail: Parameter("message") ?? "");

    /// <summary>The message of <paramref name="kind"/> for this run, or null when the run has none of that kind.</summary>
    public Notification? Of(string kind) => Parameters.GetValueOrDefault("kind") == NotificationKinds.Message
        ? kind == NotificationKinds.Message ? Message() : null
        : kind switch
        {
            NotificationKinds.Started => Started(),
            NotificationKinds.Finished => Finished(),
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
