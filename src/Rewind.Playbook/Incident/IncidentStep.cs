using System.Text.Json.Nodes;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Files;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Incident;

/// <summary>
/// Playbook "Open Postmortem Ticket": the incident in the ledger (owner, postmortem due), tied to the run; a ticket in
/// each configured tracker through the outbox (never twice), read back; the postmortem draft and its meeting invitation.
/// It executes from its plan (the trackers are the ones it is built with): a step built without
/// <paramref name="settings"/> cannot plan, only execute a stored plan.
/// </summary>
public sealed class IncidentStep(
    IRunStore runs, IIncidentStore incidents, IOutboxStore outbox, IncidentSettings? settings, IReadOnlyList<ITicketTracker> trackers, IncidentWebhook? webhook = null,
    TimeProvider? time = null) : IStep
{
    private const string Open = "OpenIncident";
    private const string NextId = "INC-(next)";

    /// <summary>The plan shows ticket bodies as a person reads them (quotes and angle brackets unescaped); the bytes sent are unchanged.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string Name => "incident";
    public StepStage Stage => StepStage.Process;

    private IncidentSettings Settings => settings ?? throw new InvalidOperationException("this incident step executes stored plans only; it was built without the settings to plan");

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        var settings = Settings;
        var (owner, from) = settings.ResolveOwner();
        var title = settings.Title ?? (context.Target is { } target ? $"{context.Service} rolled back to {target.Label}" : $"{context.Service}: incident");
        if (settings.AboutRun is { } about)
        {
            var run = await runs.GetRunAsync(about, cancellationToken)
                ?? throw new RewindException($"run {about} is not in the ledger", "list runs with 'rewind history'", FailureKind.BadInput);
            if (run.IncidentId is { } existing)
                throw new RewindException($"run {about} already belongs to incident {existing}", $"see it with 'rewind incident show {existing}'", FailureKind.BadInput);
        }

        // Credentials and projects are proven before anything exists: a refused token stops the plan, not half a run.
        foreach (var tracker in trackers)
            await tracker.CheckAccessAsync(cancellationToken);
        webhook?.Check();

        var drafts = Path.GetFullPath(settings.DraftsDir);
        // The incident's id is known only once it is open, so every link named like a draft is refused now, before
        // anything changes: found while writing the draft, it would fail a step whose incident is already open.
        if (Directory.Exists(drafts))
        {
            foreach (var file in Directory.EnumerateFileSystemEntries(drafts, "INC-*").Where(f => f.EndsWith(".md", StringComparison.Ordinal) || f.EndsWith(".ics", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                PrivateFiles.RefuseLink(file);
        }
        // The tickets' preview shows the times as if the incident were opened now; the run opens it moments later.
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var preview = new Core.Ledger.Incident(NextId, title, settings.Severity, owner, now, now + settings.PostmortemDue, null, IncidentStatus.Open, context.Service);
        var changes = new List<string>
        {
            $"ledger: open incident '{title}' ({settings.Severity}), owner {owner} (from {from}), postmortem due {Hours(settings.PostmortemDue)} after opening",
        };
        foreach (var tracker in trackers)
        {
            var (line, body) = tracker.Describe(RequestFor(preview, settings.AboutRun ?? "(this run)", Path.Combine(drafts, $"{NextId}.md"), "rewind-(this run)"));
            changes.Add($"{tracker.Name}: {line} {body.ToJsonString(Readable)}");
        }

        if (webhook is not null)
            changes.Add($"webhook: POST {webhook.Target} (incident.opened)");
        changes.Add($"draft: {Path.Combine(drafts, $"{NextId}.md")} and {NextId}.ics (postmortem meeting)");
        return StepPlan.Of(
            Name, Stage,
            $"open incident '{title}' for {owner}, postmortem within {Hours(settings.PostmortemDue)}" + (trackers.Count == 0 ? " (ledger only)" : $", tickets in {string.Join(", ", trackers.Select(t => t.Target))}"),
            changes, false, 2, 120,
            new IncidentPlan(title, settings.Severity, owner, from, settings.PostmortemDue.TotalSeconds, drafts, settings.AboutRun, context.Service),
            IncidentJson.Default.IncidentPlan);
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        var planned = plan.Read(IncidentJson.Default.IncidentPlan, IncidentPlan.FromVersion1);
        var run = await runs.GetRunAsync(context.RunId, cancellationToken)
            ?? throw new InvalidOperationException($"run {context.RunId} is not in the ledger");
        var aboutId = planned.AboutRun ?? context.RunId;
        var about = aboutId == run.Id ? run : await runs.GetRunAsync(aboutId, cancellationToken)
            ?? throw new RewindException($"run {aboutId} is not in the ledger", "list runs with 'rewind history'", FailureKind.BadInput);

        var incident = await OpenOnceAsync(planned, run, context, cancellationToken);
        // For 'rewind history' and reports; the steps that need the incident get it from this step's evidence.
        await runs.SetRunIncidentAsync(run.Id, incident.Id, cancellationToken);
        if (about.Id != run.Id)
            await runs.SetRunIncidentAsync(about.Id, incident.Id, cancellationToken);

        var drafts = planned.DraftsDir;
        var draftPath = Path.Combine(drafts, $"{incident.Id}.md");
        var invitationPath = Path.Combine(drafts, $"{incident.Id}.ics");
        var request = RequestFor(incident, about.Id, draftPath, $"rewind-{run.Id}");

        var tickets = new TicketOutbox(outbox);
        var read = new List<Ticket>();
        var verified = trackers.Count > 0;
        foreach (var tracker in trackers)
        {
            var ticket = await tickets.DeliverAsync(tracker, request, context, cancellationToken);
            // The evidence is the tracker's own answer to a fresh read, not the create response.
            var reread = await tracker.ReadAsync(ticket.Id, cancellationToken);
            var matches = reread.Title == request.Title && (ExpectedAssignee(tracker) is not { } assignee || reread.Assignee == assignee);
            context.Report($"{tracker.Name}: {reread.Display} re-read{(matches ? "" : " but it does not match what was sent")}");
            verified &= matches;
            read.Add(reread);
        }

        var link = read.Count == 0 ? null : read[0].Link;
        if (link is not null && incident.TrackerLink != link)
            incident = await incidents.UpdateIncidentAsync(incident.Id, stored => stored with { TrackerLink = link }, cancellationToken);

        var webhookStatus = webhook is null ? null : await tickets.NotifyAsync(webhook, WebhookPayload(incident, about.Id, draftPath, link), context, cancellationToken);
        var evidence = new TicketOpened(
            incident.Id, incident.Owner, incident.OpenedAt, incident.PostmortemDue, [.. read.Select(t => new TicketLink(t.Display, t.Link))], verified, draftPath, webhookStatus);

        var record = await RunRecord.ReadFromRunsAsync(runs, about.Id, cancellationToken)
            ?? throw new InvalidOperationException($"run {about.Id} is not in the ledger");
        PrivateFiles.CreateFolder(drafts);
        await PrivateFiles.WriteAllTextAsync(invitationPath, PostmortemInvitation.Render(incident, context.Time.GetUtcNow(), $"{request.Title}\nDraft: {draftPath}\n{link ?? ""}"), cancellationToken);
        var draft = PostmortemDraft.Render(new PostmortemInput(
            incident, about, record.Plan, record.Journal, PostmortemDraft.ChecklistWith(record, evidence, context.Time.GetUtcNow()), read, invitationPath));
        await PrivateFiles.WriteAllTextAsync(draftPath, draft, cancellationToken);

        var ticketLine = read.Count == 0 ? "ledger" : string.Join(", ", read.Select(t => t.Display));
        return StepResult.Succeeded(
            $"{incident.Id} owned by {incident.Owner ?? "unassigned"}, postmortem due {PostmortemDraft.Time(incident.PostmortemDue)}; ticket {ticketLine}{(verified ? " (re-read)" : "")}; draft {draftPath}",
            evidence);
    }

    /// <summary>
    /// The ticket for an incident, from ledger data only, so every attempt of a run sends the same. The body is
    /// Markdown: user text in it is escaped (<see cref="MarkdownText"/>); the title is the tracker's plain text.
    /// </summary>
    public static TicketRequest RequestFor(Core.Ledger.Incident incident, string runId, string draftPath, string marker)
    {
        var body = string.Join('\n',
            $"Postmortem for incident {incident.Id}: {MarkdownText.Inline(incident.Title)}",
            "",
            "| | |",
            "|---|---|",
            $"| Severity | {MarkdownText.Cell(incident.Severity)} |",
            $"| Owner | {MarkdownText.Cell(incident.Owner ?? "unassigned")} |",
            $"| Opened | {PostmortemDraft.Time(incident.OpenedAt)} |",
            $"| Postmortem due | {PostmortemDraft.Time(incident.PostmortemDue)} |",
            $"| Service | {MarkdownText.Cell(incident.Service ?? "-")} |",
            $"| Run | {runId} |",
            "",
            $"Draft: {MarkdownText.Inline(draftPath)} (with the timeline from the run's journal and the rollback checklist).",
            $"Opened by Rewind ({marker}).");
        return new TicketRequest(incident.Id, $"[{incident.Id}] Postmortem: {incident.Title}", body, incident.Owner ?? "unassigned", incident.PostmortemDue, marker);
    }

    private async Task<Core.Ledger.Incident> OpenOnceAsync(IncidentPlan plan, Run run, StepContext context, CancellationToken cancellationToken)
    {
        var known = run.IncidentId ?? context.EarlierResult(Open)?["incident"]?.GetValue<string>();
        if (known is null && context.WasSent(Open))
        {
            // Opened but not journaled before a crash: the incident with this title for this service since the run began.
            known = (await incidents.ListIncidentsAsync(cancellationToken))
                .FirstOrDefault(i => i.Title == plan.Title && i.Service == plan.Service && i.OpenedAt >= run.StartedAt)?.Id;
        }

        if (known is not null)
        {
            context.Report($"incident {known} was opened by an earlier attempt");
            return await incidents.GetIncidentAsync(known, cancellationToken)
                ?? throw new RewindException($"incident {known} of run {run.Id} is not in the ledger", "check the ledger with 'rewind ledger verify'", FailureKind.Failed);
        }

        return await context.CallAsync(
            Open,
            new JsonObject { ["title"] = plan.Title, ["severity"] = plan.Severity, ["owner"] = plan.Owner },
            ct => incidents.OpenIncidentAsync(new IncidentDraft(plan.Title, plan.Severity, plan.Owner, plan.PostmortemDue, null, plan.Service), ct),
            opened => new JsonObject { ["incident"] = opened.Id, ["opened"] = PostmortemDraft.Time(opened.OpenedAt), ["due"] = PostmortemDraft.Time(opened.PostmortemDue) },
            cancellationToken);
    }

    private static JsonObject WebhookPayload(Core.Ledger.Incident incident, string runId, string draftPath, string? link) => new()
    {
        ["event"] = "incident.opened",
        ["incident"] = incident.Id,
        ["title"] = incident.Title,
        ["severity"] = incident.Severity,
        ["owner"] = incident.Owner,
        ["opened"] = PostmortemDraft.Time(incident.OpenedAt),
        ["due"] = PostmortemDraft.Time(incident.PostmortemDue),
        ["service"] = incident.Service,
        ["run"] = runId,
        ["draft"] = draftPath,
        ["ticket"] = link,
    };

    private static string? ExpectedAssignee(ITicketTracker tracker) => tracker switch
    {
        GitHubIssues github => github.Assignee,
        JiraIssues jira => jira.Assignee,
        _ => null,
    };

    private static string Hours(TimeSpan span) => span.TotalHours % 1 == 0 ? $"{span.TotalHours:0} h" : $"{span.TotalMinutes:0} min";
}
