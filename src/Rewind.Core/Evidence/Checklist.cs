using System.Globalization;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;

namespace Rewind.Core.Evidence;

/// <summary>
/// The playbook's rollback checklist as a pure function of a run's record: each of the five items is ticked only when
/// the journal holds the evidence for it and nothing in that evidence contradicts it. An unticked item says what is
/// missing and which command would provide it. A broken hash chain unticks everything: its evidence cannot be trusted.
/// </summary>
public static class Checklist
{
    /// <summary>The item keys, in the playbook's order.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        ["service-reverted", "smoke-tests-passing", "error-rates-normalized", "postmortem-ticket-created", "team-notified"];

    /// <summary>The postmortem must be due within this long after the incident was opened (the playbook's 48 hours).</summary>
    public static readonly TimeSpan PostmortemWithin = TimeSpan.FromHours(48);

    /// <summary>The five items for <paramref name="record"/>, in the playbook's order.</summary>
    public static IReadOnlyList<ChecklistItem> Evaluate(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ChecklistItem[] items =
        [
            ServiceReverted(record),
            SmokeTestsPassing(record),
            ErrorRatesNormalized(record),
            PostmortemTicketCreated(record),
            TeamNotified(record),
        ];
        if (record.ChainBreak is not { } broken)
            return items;
        var why = $"the journal's hash chain is broken at entry {broken.Seq} ({broken.Reason}): its evidence cannot be trusted";
        return [.. items.Select(item => item with
        {
            Ticked = false,
            Missing = item.Missing is null ? why : $"{why}; {item.Missing}",
            Command = $"rewind ledger verify {record.Run.Id}",
        })];
    }

    /// <summary>Whether every item is ticked.</summary>
    public static bool AllTicked(IEnumerable<ChecklistItem> items) => items.All(i => i.Ticked);

    private static ChecklistItem ServiceReverted(RunRecord record)
    {
        var item = new Item(record, "service-reverted", "Service reverted to stable version", "ecs", "rewind ecs --live");
        if (!item.HasEnd(out var end))
            return item.Result;
        if (end.Evidence is not ServiceReverted
            {
                TargetTaskDefinition: var planned, Deployment: var deployment, TaskDefinition: var running, RolloutState: var rollout,
                Running: var runningCount, Desired: var desired, Deployments: var deployments,
            } evidence)
            return item.NoRecord(end, nameof(Evidence.ServiceReverted));
        item.Show(evidence, "deployment", "taskDefinition", "rolloutState", "running", "desired", "deployments", "path", "serviceDeployment", "serviceDeploymentStatus", "stageReached", "targetProductionWeight");
        var target = Blank(planned) ? Version1Evidence.PlannedTaskDefinition(record.Plan) : planned;
        if (record.Plan is null)
            item.Problem($"the run's plan cannot be read ({record.PlanError}), so its target is unknown");
        else if (target is null)
            item.Problem("the plan names no target task definition");
        else
            item.Evidence["target"] = target;
        if (Blank(deployment))
            item.Problem("no deployment id in the evidence");
        if (TaskDefinitionRef.Of(running) is not { } runs)
            item.Problem("no task definition in the evidence");
        else if (record.Plan is not null && TaskDefinitionRef.Of(target) is { } wanted && runs != wanted)
            item.Problem($"the primary deployment runs {running}, not the plan's target {target}");
        if (runningCount != desired)
            item.Problem($"{runningCount} tasks running, {desired} desired");
        switch (evidence)
        {
            // ECS's own rollback of the deployment in flight: its ROLLBACK_SUCCESSFUL is the proof, not a rollout.
            case { Path: "StopServiceDeployment" or "ContinueServiceDeployment" }:
                if (evidence.ServiceDeploymentStatus is not "ROLLBACK_SUCCESSFUL")
                    item.Problem($"service deployment {evidence.ServiceDeployment ?? "(none)"} is {evidence.ServiceDeploymentStatus ?? "unknown"}, not ROLLBACK_SUCCESSFUL");
                break;
            // CodeDeploy's deployment (CreateDeployment, or the rollback after StopDeployment) is the proof: a CODE_DEPLOY
            // service has task sets, not a rollout of its own.
            case { Path: "CodeDeploy" }:
                if (evidence.ServiceDeploymentStatus is not "Succeeded")
                    item.Problem($"CodeDeploy deployment {evidence.ServiceDeployment ?? "(none)"} is {evidence.ServiceDeploymentStatus ?? "unknown"}, not Succeeded");
                break;
            // An UpdateService under a strategy waited until production traffic moved: the weight read back proves it.
            case { StageReached: "traffic" or "bake" }:
                if (evidence.TargetProductionWeight is not 100)
                    item.Problem($"production traffic on the target is {(evidence.TargetProductionWeight is { } w ? $"{w} %" : "unknown")}, not 100 %");
                break;
            default:
                if (rollout is not "COMPLETED")
                    item.Problem($"rollout state is {(Blank(rollout) ? "missing" : rollout)}, not COMPLETED");
                if (deployments is not 1)
                    item.Problem($"{deployments} deployments, not one: the old one has not drained");
                break;
        }
        item.EndedWell(end);
        return item.Result;
    }

    private static ChecklistItem SmokeTestsPassing(RunRecord record)
    {
        var item = new Item(record, "smoke-tests-passing", "Smoke tests passing", "smoke", "rewind smoke --url URL");
        if (!item.HasEnd(out var end))
            return item.Result;
        if (end.Evidence is not SmokePassed { Url: var url, Checks: var checks, Passed: var passed, Failed: var failed, Results: var results } evidence)
            return item.NoRecord(end, nameof(SmokePassed));
        item.Show(evidence, "url", "checks", "passed", "failed", "results", "log");
        if (!Blank(url))
            item.Command = $"rewind smoke --url {url}";
        if (checks is not > 0)
            item.Problem("no smoke check was run (checks is missing or 0)");
        if (failed > 0)
            item.Problem($"{failed} of {checks} checks failed");
        if (passed != checks)
            item.Problem($"{passed} checks passed of {checks}");
        if (results is null or [])
        {
            item.Problem("no per-check results (status, latency, attempts) in the evidence");
        }
        else
        {
            if (results.Count != checks)
                item.Problem($"{results.Count} results recorded for {checks} checks");
            var notOk = results.Where(r => r is not { Ok: true }).Select(r => Blank(r?.Check) ? "(unnamed check)" : r!.Check).ToList();
            if (notOk.Count > 0)
                item.Problem($"not ok: {string.Join(", ", notOk)}");
        }
        item.EndedWell(end);
        return item.Result;
    }

    private static ChecklistItem ErrorRatesNormalized(RunRecord record)
    {
        var item = new Item(record, "error-rates-normalized", "Error rates normalized", "verify", "rewind verify");
        if (!item.HasEnd(out var end))
            return item.Result;
        if (end.Evidence is not ErrorRatesNormalized
            {
                Metric: var metric, WindowStart: var start, WindowEnd: var finish, Requests: var requests, Rate5xxPercent: var rate,
                ThresholdPercent: var threshold, BaselinePercent: var baselinePercent, Baseline: var baseline, Alarms: var alarms, Verdict: var verdict,
            } evidence)
            return item.NoRecord(end, nameof(Evidence.ErrorRatesNormalized));
        item.Show(evidence, "metric", "windowStart", "windowEnd", "requests", "errors", "rate5xxPercent", "thresholdPercent", "baselinePercent", "alarms", "verdict");
        if (verdict is not "normalized")
            item.Problem($"the verdict is {(Blank(verdict) ? "missing" : verdict)}, not normalized");
        if (Blank(metric))
            item.Problem("the query (metric) is missing");
        if (start is null || finish is null || finish <= start)
            item.Problem("the window (windowStart, windowEnd) is missing or empty");
        if (requests is not > 0)
            item.Problem("no requests in the window: an idle service proves nothing");
        if (rate is not { } measured || !double.IsFinite(threshold))
            item.Problem("the 5XX rate or the threshold is missing");
        else if (measured > threshold)
            item.Problem($"the 5XX rate {Percent(measured)} is above the threshold {Percent(threshold)}");
        if (baselinePercent is null && Blank(baseline))
            item.Problem("the baseline is missing (\"none\" when the target release has none)");
        var alarming = (alarms ?? []).Where(a => a is { State: "ALARM" }).Select(a => a.Alarm).ToList();
        if (alarming.Count > 0)
            item.Problem($"in alarm: {string.Join(", ", alarming)}");
        item.EndedWell(end);
        return item.Result;
    }

    private static ChecklistItem PostmortemTicketCreated(RunRecord record)
    {
        var item = new Item(record, "postmortem-ticket-created", "Postmortem ticket created", "incident", "rewind incident open --live");
        if (!item.HasEnd(out var end))
            return item.Result;
        if (end.Evidence is not TicketOpened { Incident: var incident, Owner: var owner, Opened: var opened, Due: var due, Tickets: var tickets, Verified: var verified } evidence)
            return item.NoRecord(end, nameof(TicketOpened));
        item.Show(evidence, "incident", "owner", "opened", "due");
        var links = (tickets ?? []).Where(t => t is not null && !Blank(t.Link)).ToList();
        if (tickets is { Count: > 0 })
            item.Evidence["ticket"] = string.Join(", ", tickets.Where(t => t is not null).Select(t => t.Display));
        if (links.Count > 0)
            item.Evidence["link"] = string.Join(", ", links.Select(t => t.Link));
        item.Show(evidence, "verified", "draft");
        if (Blank(incident))
            item.Problem("no incident id");
        if (Blank(owner))
            item.Problem("no owner", Blank(incident) ? null : $"rewind incident assign {incident} --owner NAME");
        if (links.Count == 0)
            item.Problem("no link to the ticket in a tracker");
        if (opened == default || due == default)
            item.Problem("the opened or due time is missing");
        else if (due <= opened || due - opened > PostmortemWithin)
            item.Problem($"the postmortem is due {Iso(due)}, not within 48 h of {Iso(opened)}");
        if (!verified)
            item.Problem("the ticket was not read back from the tracker after it was created (verified is not true)");
        item.EndedWell(end);
        return item.Result;
    }

    private static ChecklistItem TeamNotified(RunRecord record)
    {
        var item = new Item(record, "team-notified", "Team notified", "notify", "rewind notify --to team --message TEXT --live");
        if (!item.HasEnd(out var end))
            return item.Result;
        if (end.Evidence is not TeamNotified { Audiences: var audiences })
            return item.NoRecord(end, nameof(Evidence.TeamNotified));
        // Judged on the team's own delivery: a failed message to customers does not undo the team's 2xx.
        var team = (audiences ?? []).Where(a => a is { Audience: "team" } && !Blank(a.Target)).ToList();
        if (team.Count == 0)
        {
            item.Problem("no message to the team was attempted");
            return item.Result;
        }
        var shown = team.FirstOrDefault(a => !Is2xx(a.Status)) ?? team[0];
        item.Evidence["team.target"] = string.Join(", ", team.Select(a => a.Target));
        if (team.All(a => a.SentAt is not null))
            item.Evidence["team.sentAt"] = Iso(team.Max(a => a.SentAt!.Value));
        if (!Blank(shown.Status))
            item.Evidence["team.status"] = shown.Status;
        if (!Blank(shown.Error))
            item.Evidence["team.error"] = shown.Error!;
        if (team.Any(a => a.SentAt is null))
            item.Problem("the time the team's message was sent is missing");
        if (!Is2xx(shown.Status))
            item.Problem($"the team's channel answered {(Blank(shown.Status) ? "nothing" : shown.Status)}{(Blank(shown.Error) ? "" : $" ({shown.Error})")}, not 2xx");
        return item.Result;
    }

    /// <summary>An item being judged: the evidence shown, the problems found, the command that would fix the first.</summary>
    private sealed class Item(RunRecord record, string key, string name, string step, string command)
    {
        private readonly List<string> _problems = [];
        private string? _source;
        private string? _firstCommand;

        public Dictionary<string, string> Evidence { get; } = new(StringComparer.Ordinal);

        public string Command { get; set; } = command;

        public ChecklistItem Result => _problems.Count == 0
            ? new ChecklistItem(key, name, true, Evidence, _source, null, null)
            : new ChecklistItem(key, name, false, Evidence, _source, string.Join("; ", _problems), _firstCommand ?? Command);

        /// <summary>Finds the step's end; records why there is none (not in the plan, not finished) otherwise.</summary>
        public bool HasEnd(out StepEnd end)
        {
            end = record.EndOf(step)!;
            if (end is not null)
            {
                _source = $"journal entry {end.Seq}: {step} {(end.Status is nameof(StepStatus.Succeeded) or nameof(StepStatus.Skipped) ? "completed" : "failed")} at {end.Time.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}";
                return true;
            }
            if (!record.Planned(step))
                Problem($"the run has no {step} step, so there is no {step} evidence");
            else if (record.Journal.Any(e => e.Step == step && e.Kind == JournalKind.Started))
                Problem($"the {step} step started but never finished (the run is {record.Run.Status.ToString().ToLowerInvariant()})", $"rewind resume {record.Run.Id}");
            else
                Problem($"the {step} step was not reached (the run is {record.Run.Status.ToString().ToLowerInvariant()})", $"rewind resume {record.Run.Id}");
            return false;
        }

        /// <summary>Shows the record's facts of these names (rendering only: the judging reads the record's fields).</summary>
        public void Show(StepEvidence evidence, params string[] keys)
        {
            var facts = evidence.Facts();
            foreach (var k in keys)
            {
                if (facts.GetValueOrDefault(k) is { } value && !string.IsNullOrWhiteSpace(value))
                    Evidence[k] = value;
            }
        }

        /// <summary>The step ended without the record this item reads (it failed first, or its journal is of another shape).</summary>
        public ChecklistItem NoRecord(StepEnd end, string record)
        {
            Problem($"the {step} step journaled no {record} evidence{(end.Evidence is StepFailed { Error: var error } ? $" (it failed: {error})" : "")}");
            EndedWell(end);
            return Result;
        }

        /// <summary>A step that did not end well is a problem of its own, fixed by resuming the run.</summary>
        public void EndedWell(StepEnd end)
        {
            if (!end.Succeeded)
                Problem($"the {step} step ended {end.Status}: {end.Summary}", $"rewind resume {record.Run.Id}");
        }

        public void Problem(string problem, string? fix = null)
        {
            _problems.Add(problem);
            if (fix is not null)
                _firstCommand ??= fix;
        }
    }

    private static bool Blank(string? value) => string.IsNullOrWhiteSpace(value) || value == "none";

    /// <summary>An HTTP status in the 2xx class, as the receiver's answer is recorded ("200"); anything else is not.</summary>
    private static bool Is2xx(string? status) => status is ['2', >= '0' and <= '9', >= '0' and <= '9'];

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Percent(double value) => value.ToString("0.###", CultureInfo.InvariantCulture) + "%";
}
