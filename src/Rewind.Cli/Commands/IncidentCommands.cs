using System.CommandLine;
using System.Text.RegularExpressions;
using Rewind.Cli.Playbook;
using Rewind.Cli.Rendering;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Playbook.Incident;
using Spectre.Console;

namespace Rewind.Cli.Commands;

/// <summary><c>rewind incident open|list|show|assign|close</c>: the postmortem's incident, in the ledger and the trackers.</summary>
public static partial class IncidentCommands
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var incident = new Command("incident", "The incident and its postmortem: ledger, tickets, draft, meeting invitation");
        var live = new Option<bool>("--live") { Description = "act; without it nothing is changed (dry-run)" };

        var title = new Option<string?>("--title") { Description = "one-line title (default: made from the service)", HelpName = "TEXT" }.SingleLine();
        var severity = new Option<string?>("--severity") { Description = "severity label (default: incident.severity, else SEV2)", HelpName = "SEV" }.SingleLine();
        var owner = new Option<string?>("--owner") { Description = "postmortem owner (default: incident.on_call, else you)", HelpName = "NAME" }.SingleLine();
        var run = new Option<string?>("--run") { Description = "the run the incident is about: its journal makes the draft's timeline", HelpName = "RUN" }.SingleLine();
        var open = new Command("open", "Open an incident: ledger, tracker tickets (read back), postmortem draft and .ics (dry-run unless --live)") { title, severity, owner, run, live };
        open.SetAction((parse, ct) => OpenAsync(context(parse), parse.GetValue(title), parse.GetValue(severity), parse.GetValue(owner), parse.GetValue(run), parse.GetValue(live), ct));

        var list = new Command("list", "Incidents in the ledger, newest first");
        list.SetAction((parse, ct) => ListAsync(context(parse), ct));

        var id = new Argument<string>("ID") { Description = "an incident id, such as INC-0001" };
        var show = new Command("show", "One incident: owner, postmortem due, ticket, root cause, draft") { id };
        show.SetAction((parse, ct) => ShowAsync(context(parse), parse.GetValue(id)!, ct));

        var newOwner = new Option<string>("--owner") { Description = "the new postmortem owner", Required = true, HelpName = "NAME" }.SingleLine();
        var assign = new Command("assign", "Give the postmortem to another owner (dry-run unless --live)") { id, newOwner, live };
        assign.SetAction((parse, ct) => ChangeAsync(
            context(parse), parse.GetValue(id)!, i => i with { Owner = parse.GetValue(newOwner) },
            incidents => new AssignIncidentStep(incidents, parse.GetValue(id)!, parse.GetValue(newOwner)!), $"assign to {parse.GetValue(newOwner)}", parse.GetValue(live), ct));

        var close = new Command("close", "Close an incident once its postmortem is done (dry-run unless --live)") { id, live };
        close.SetAction((parse, ct) => ChangeAsync(
            context(parse), parse.GetValue(id)!, i => i with { Status = IncidentStatus.Closed },
            incidents => new CloseIncidentStep(incidents, parse.GetValue(id)!), "close", parse.GetValue(live), ct));

        incident.Subcommands.Add(open);
        incident.Subcommands.Add(list);
        incident.Subcommands.Add(show);
        incident.Subcommands.Add(assign);
        incident.Subcommands.Add(close);
        return incident;
    }

    [GeneratedRegex("^INC-[0-9]{4,}$")]
    private static partial Regex IncidentId();

    private static async Task<int> OpenAsync(CliContext context, string? title, string? severity, string? owner, string? run, bool live, CancellationToken cancellationToken)
    {
        if (title is not null && string.IsNullOrWhiteSpace(title))
            throw new CliException("--title is empty", "give a one-line title, or leave --title out");
        if (severity is not null && (severity.Length == 0 || severity.Any(char.IsWhiteSpace)))
            throw new CliException($"--severity '{severity}' is not one word", "give a label such as SEV2");
        if (owner is not null && string.IsNullOrWhiteSpace(owner))
            throw new CliException("--owner is empty", "name the postmortem owner, or leave --owner out");
        var config = context.Config;
        var settings = PlaybookSteps.IncidentDefaults(config) with { Title = title, Owner = owner, Severity = severity ?? config.Incident.Severity, AboutRun = run };
        // AWS is needed only for a DynamoDB ledger: an incident can be opened while AWS itself is the problem.
        await using var ledger = await context.OpenLedgerAsync(null, cancellationToken);
        IStep[] steps = [PlaybookSteps.Incident(config, ledger, settings, time: context.Time)];
        var plan = await new RollbackPlanner(steps, context.Time).PlanAsync(config.Service.Name, null, StepSelection.All, cancellationToken);
        if (!live)
        {
            await PlanView.WriteAsync(context, plan, null, cancellationToken);
            context.Log("rewind: dry-run: nothing was opened or sent; run again with --live to act");
            return ExitCodes.Ok;
        }

        var outcome = await ExecuteAsync(context, ledger, steps, plan, cancellationToken);
        await PlanView.WriteAsync(context, plan, outcome, cancellationToken);
        return ExitCodeOf(context, outcome);
    }

    /// <summary>One step, run by the executor like every other: journaled, under the service's lock, resumable with 'rewind resume'.</summary>
    private static Task<RunOutcome> ExecuteAsync(CliContext context, ILedger ledger, IReadOnlyList<IStep> steps, RollbackPlan plan, CancellationToken cancellationToken) =>
        RunProgress.ShowAsync(context, plan, observer =>
            new RunExecutor(ledger, steps, observer, context.Time).StartAsync(plan, EngineJson.Serialize(plan), context.Operator, cancellationToken));

    private static int ExitCodeOf(CliContext context, RunOutcome outcome)
    {
        if (outcome.Status == RunStatus.Succeeded)
            return ExitCodes.Ok;
        var (step, result) = outcome.Steps[0];
        context.Log($"rewind: step {step.Step} failed: {result.Summary}; continue with 'rewind resume {outcome.RunId}'");
        return ExitCodes.OfStep(result);
    }

    private static async Task<int> ListAsync(CliContext context, CancellationToken cancellationToken)
    {
        await using var ledger = await context.OpenLedgerAsync(null, cancellationToken);
        var incidents = await ledger.Incidents.ListIncidentsAsync(cancellationToken);
        var report = new IncidentListReport(ledger.Location, [.. incidents.Select(ViewOf)]);
        if (context.Output == OutputFormat.Json)
        {
            await Json.WriteAsync(context.Out, report, CliJson.Default.IncidentListReport, cancellationToken);
            return ExitCodes.Ok;
        }

        if (incidents.Count == 0)
        {
            await context.Out.WriteLineAsync($"no incident in {ledger.Location}");
            return ExitCodes.Ok;
        }

        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("id").AddColumn("status").AddColumn("severity").AddColumn("owner").AddColumn("opened").AddColumn("postmortem due").AddColumn("title");
        foreach (var i in report.Incidents)
            table.AddRow(i.Id, i.Status, Markup.Escape(i.Severity), Markup.Escape(i.Owner ?? "-"), i.Opened, i.PostmortemDue, Markup.Escape(i.Title));
        Consoles.For(context.Out).Write(table);
        return ExitCodes.Ok;
    }

    private static async Task<int> ShowAsync(CliContext context, string id, CancellationToken cancellationToken)
    {
        CheckId(id);
        await using var ledger = await context.OpenLedgerAsync(null, cancellationToken);
        var incident = await FindAsync(ledger, id, cancellationToken);
        var view = ViewOf(incident);
        var draft = Path.GetFullPath(Path.Combine(context.Config.Incident.DraftsDir, $"{incident.Id}.md"));
        var report = new IncidentShowReport(ledger.Location, view, File.Exists(draft) ? draft : null);
        if (context.Output == OutputFormat.Json)
        {
            await Json.WriteAsync(context.Out, report, CliJson.Default.IncidentShowReport, cancellationToken);
            return ExitCodes.Ok;
        }

        await context.Out.WriteLineAsync($"{view.Id}  {view.Title}");
        await context.Out.WriteLineAsync($"  status          {view.Status}");
        await context.Out.WriteLineAsync($"  severity        {view.Severity}");
        await context.Out.WriteLineAsync($"  owner           {view.Owner ?? "unassigned"}");
        await context.Out.WriteLineAsync($"  opened          {view.Opened}");
        await context.Out.WriteLineAsync($"  postmortem due  {view.PostmortemDue}");
        await context.Out.WriteLineAsync($"  service         {view.Service ?? "-"}");
        await context.Out.WriteLineAsync($"  ticket          {view.TrackerLink ?? "none (ledger only)"}");
        await context.Out.WriteLineAsync($"  root cause      {(view.RootCause is { } cause ? $"{cause} (from freeze {view.RootCauseFrom ?? "?"})" : "not recorded yet (rewind freeze off --root-cause \"…\" records it)")}");
        await context.Out.WriteLineAsync($"  draft           {report.Draft ?? "none"}");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// <c>assign</c> and <c>close</c>: planned by their step; with <c>--live</c> and something to change, run by the
    /// executor (a run in <c>rewind history</c>, resumable). <paramref name="change"/> previews the result for the report.
    /// </summary>
    private static async Task<int> ChangeAsync(
        CliContext context, string id, Func<Incident, Incident> change, Func<IIncidentStore, IStep> stepFor, string what, bool live, CancellationToken cancellationToken)
    {
        CheckId(id);
        await using var ledger = await context.OpenLedgerAsync(null, cancellationToken);
        var incident = await FindAsync(ledger, id, cancellationToken);
        var changed = change(incident);
        if (changed.Owner is not null && string.IsNullOrWhiteSpace(changed.Owner))
            throw new CliException("--owner is empty", "name the new postmortem owner");
        IStep[] steps = [stepFor(ledger.Incidents)];
        var plan = await new RollbackPlanner(steps, context.Time).PlanAsync(context.Config.Service.Name, null, StepSelection.All, cancellationToken);
        string? runId = null;
        if (live && !plan.Steps[0].NothingToDo)
        {
            var outcome = await ExecuteAsync(context, ledger, steps, plan, cancellationToken);
            if (outcome.Status != RunStatus.Succeeded)
                return ExitCodeOf(context, outcome);
            runId = outcome.RunId;
            changed = await FindAsync(ledger, id, cancellationToken);
        }
        var report = new IncidentChangeReport(ledger.Location, live, ViewOf(live ? changed : incident), ViewOf(changed), runId);
        if (context.Output == OutputFormat.Json)
            await Json.WriteAsync(context.Out, report, CliJson.Default.IncidentChangeReport, cancellationToken);
        else
            await context.Out.WriteLineAsync($"{incident.Id}: {(live ? "" : "would ")}{what} (owner {changed.Owner ?? "unassigned"}, status {changed.Status.ToString().ToLowerInvariant()}){(runId is null ? "" : $", run {runId}")}");
        if (!live)
            context.Log("rewind: dry-run: nothing was changed; run again with --live to act");
        return ExitCodes.Ok;
    }

    private static void CheckId(string id)
    {
        if (!IncidentId().IsMatch(id))
            throw new CliException($"'{id}' is not an incident id", "incident ids look like INC-0001: list them with 'rewind incident list'");
    }

    private static async Task<Incident> FindAsync(ILedger ledger, string id, CancellationToken cancellationToken) =>
        await ledger.Incidents.GetIncidentAsync(id, cancellationToken)
            ?? throw new CliException($"incident {id} is not in the ledger {ledger.Location}", "list incidents with 'rewind incident list'");

    private static IncidentView ViewOf(Incident i) => new(
        i.Id, i.Title, i.Severity, i.Owner, PostmortemDraft.Time(i.OpenedAt), PostmortemDraft.Time(i.PostmortemDue),
        i.Status.ToString().ToLowerInvariant(), i.Service, i.TrackerLink, i.RootCause, i.RootCauseFrom);
}

/// <summary>One incident as the CLI prints it (times ISO 8601 UTC); the root cause and the freeze it came from once a freeze was lifted with it.</summary>
public sealed record IncidentView(
    string Id, string Title, string Severity, string? Owner, string Opened, string PostmortemDue, string Status, string? Service, string? TrackerLink,
    string? RootCause, string? RootCauseFrom);

/// <summary>What <c>rewind incident list</c> prints.</summary>
public sealed record IncidentListReport(string Location, IReadOnlyList<IncidentView> Incidents);

/// <summary>What <c>rewind incident show</c> prints.</summary>
public sealed record IncidentShowReport(string Location, IncidentView Incident, string? Draft);

/// <summary>What <c>rewind incident assign|close</c> did (or would do, without <c>--live</c>), and the run that did it (none when nothing changed).</summary>
public sealed record IncidentChangeReport(string Location, bool Live, IncidentView Incident, IncidentView Wanted, string? Run);
