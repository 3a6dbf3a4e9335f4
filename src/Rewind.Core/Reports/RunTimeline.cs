using System.Text.Json;
using System.Text.Json.Nodes;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;

namespace Rewind.Core.Reports;

/// <summary>The timeline of a run from its journal: every attempt of every step, with its calls, start, end and outcome.</summary>
public static class RunTimeline
{
    /// <summary>
    /// One entry per attempt (a resumed step has several), in journal order; a planned step that never started gets one
    /// <c>not-started</c> entry, so every step of the plan appears.
    /// </summary>
    public static IReadOnlyList<TimelineEntry> Of(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var stages = record.Plan?.Steps.ToDictionary(s => s.Step, s => RollbackReport.Lower(s.Stage.ToString()), StringComparer.Ordinal)
            ?? new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<TimelineEntry>();
        var open = new Dictionary<string, Attempt>(StringComparer.Ordinal);
        var attempts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in record.Journal)
        {
            switch (entry.Kind)
            {
                case JournalKind.Started:
                    if (open.Remove(entry.Step, out var abandoned))
                        entries.Add(abandoned.Close(null, "unfinished", "interrupted; started again below"));
                    attempts[entry.Step] = attempts.GetValueOrDefault(entry.Step) + 1;
                    open[entry.Step] = new Attempt(entry.Step, stages.GetValueOrDefault(entry.Step), attempts[entry.Step], entry.Time);
                    break;
                case JournalKind.Completed or JournalKind.CallFailed when StepEnd.TryParse(entry, out var end):
                    var attempt = open.Remove(entry.Step, out var started)
                        ? started
                        : new Attempt(entry.Step, stages.GetValueOrDefault(entry.Step), attempts[entry.Step] = attempts.GetValueOrDefault(entry.Step) + 1, null);
                    entries.Add(attempt.Close(end.Time, RollbackReport.Lower(end.Status), end.Summary));
                    break;
                case JournalKind.CallSent or JournalKind.CallSucceeded or JournalKind.CallFailed:
                    if (open.TryGetValue(entry.Step, out var current))
                        current.Record(entry);
                    break;
                default:
                    break;
            }
        }
        entries.AddRange(open.Values.Select(a => a.Close(null, "unfinished", $"no end journaled (the run is {RollbackReport.Lower(record.Run.Status.ToString())})")));
        foreach (var step in record.StepNames.Where(s => !attempts.ContainsKey(s)))
            entries.Add(new TimelineEntry(step, stages.GetValueOrDefault(step), 0, null, null, null, "not-started", "never started", []));
        return entries;
    }

    private sealed class Attempt(string step, string? stage, int number, DateTimeOffset? startedAt)
    {
        private readonly List<TimelineCall> _calls = [];

        public void Record(JournalEntry entry)
        {
            var detail = Parse(entry.Detail);
            var call = detail?["call"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "call";
            if (entry.Kind == JournalKind.CallSent)
            {
                _calls.Add(new TimelineCall(call, entry.Time, null, "unanswered", null));
                return;
            }
            var index = _calls.FindLastIndex(c => c.Call == call && c.Outcome == "unanswered");
            var error = entry.Kind == JournalKind.CallFailed ? detail?["error"]?.ToString() : null;
            var answered = index >= 0
                ? _calls[index] with { AnsweredAt = entry.Time, Outcome = entry.Kind == JournalKind.CallFailed ? "failed" : "succeeded", Error = error }
                : new TimelineCall(call, entry.Time, entry.Time, entry.Kind == JournalKind.CallFailed ? "failed" : "succeeded", error);
            if (index >= 0)
                _calls[index] = answered;
            else
                _calls.Add(answered);
        }

        public TimelineEntry Close(DateTimeOffset? endedAt, string outcome, string summary) =>
            new(step, stage, number, startedAt, endedAt,
                startedAt is { } s && endedAt is { } e ? RollbackReport.Seconds(e - s) : null, outcome, summary, _calls);

        private static JsonObject? Parse(string json)
        {
            try
            {
                return JsonNode.Parse(json) as JsonObject;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}
