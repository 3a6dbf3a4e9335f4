using System.CommandLine;
using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Cli.Playbook;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Freeze;
using Rewind.Playbook.Notify;

namespace Rewind.Cli.Commands;

/// <summary>
/// <c>rewind freeze on|off|status|check</c>: the release freeze, recorded in the ledger (the freeze record is the
/// durable record: reason, incident, who, since, and the root cause that lifted it, which <c>off</c> also copies into
/// the freeze's incident) and published to SSM for any pipeline. <c>on</c> and <c>off</c> are dry-runs unless <c>--live</c>,
/// like every command that changes something; live, each is a run of one step through the executor (<see cref="FreezeStep"/>,
/// <see cref="LiftFreezeStep"/>): under the service's lock, journaled, in <c>rewind history</c>, continued by <c>rewind resume</c>.
/// </summary>
public static class FreezeCommands
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var live = new Option<bool>("--live") { Description = "act; without it nothing is changed (dry-run)" };
        var reason = new Option<string?>("--reason") { Description = "why releases are frozen (required)", HelpName = "TEXT" }.SingleLine();
        var incident = new Option<string?>("--incident") { Description = "the incident the freeze belongs to (INC-0001)", HelpName = "INC" }.SingleLine();
        var rootCause = new Option<string?>("--root-cause") { Description = "the identified root cause (required to lift)", HelpName = "TEXT" }.SingleLine();

        var on = new Command("on", "Freeze releases of the service: recorded in the ledger, published to SSM, #releases told") { reason, incident, live };
        on.SetAction((parse, ct) => OnAsync(context(parse), parse.GetValue(reason), parse.GetValue(incident), parse.GetValue(live), ct));
        var off = new Command("off", "Lift the freeze; needs --root-cause, recorded with the freeze") { rootCause, live };
        off.SetAction((parse, ct) => OffAsync(context(parse), parse.GetValue(rootCause), parse.GetValue(live), ct));
        var status = new Command("status", "The freeze as the ledger and SSM see it, and whether they agree");
        status.SetAction((parse, ct) => StatusAsync(context(parse), check: false, ct));
        var check = new Command("check", "For deploy jobs: exit 3 and print the reason when releases are frozen, 0 otherwise");
        check.SetAction((parse, ct) => StatusAsync(context(parse), check: true, ct));

        return new Command("freeze", "Release freeze: on, off, status, check (published to SSM for pipelines)") { on, off, status, check };
    }

    private static async Task<int> OnAsync(CliContext cli, string? reason, string? incidentId, bool live, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reason))
            throw new CliException("freeze on needs a reason", "give --reason \"why releases are frozen\"");
        var config = cli.Config;
        var service = config.Service.Name;
        using var aws = cli.Aws();
        await using var ledger = await cli.OpenLedgerAsync(aws, ct);
        if (incidentId is not null && await ledger.Incidents.GetIncidentAsync(incidentId, ct) is null)
            throw new CliException($"incident {incidentId} is not in the ledger {ledger.Location}", "give an existing incident (rewind incident list) or leave --incident out");
        var parameter = PlaybookSteps.FreezeParameter(config, aws);
        var verdict = await FreezeVerdict.ReadAsync(ledger.Freezes, parameter, service, ct);
        var routes = NotificationOutbox.EnabledRoutes(config.Notify, Audiences.Team);
        var who = AnnounceOutput.Who();
        IStep[] steps = [PlaybookSteps.OperatorFreeze(config, aws, ledger, cli.Time, reason, incidentId, who)];
        var plan = await new RollbackPlanner(steps, cli.Time).PlanAsync(service, null, StepSelection.All, ct);
        var step = plan.Steps[0];
        // A freeze already in force whose announcement never went out (the command that made it stopped first) is announced now.
        var untold = step.Read(FreezeJson.Default.FreezePlan).AnnounceUntold;

        if (!live)
        {
            var preview = verdict.Active is { } existing
                ? FreezeState.Of(existing, service)
                : new FreezeState(true, service, "(assigned when frozen)", reason, incidentId, who, cli.Time.GetUtcNow());
            var document = new JsonObject
            {
                ["dryRun"] = true,
                ["service"] = service,
                ["alreadyFrozen"] = verdict.Active is not null,
                ["parameter"] = parameter.Name,
                ["publish"] = verdict.Active is not null && verdict.Agrees ? null : JsonNode.Parse(preview.ToJson()),
                ["messages"] = verdict.Active is { } frozen
                    ? untold ? Previews(routes, FreezeNotifications.On(frozen)) : new JsonArray()
                    : Previews(routes, FreezeNotifications.On(new Core.Ledger.Freeze(preview.FreezeId!, service, reason, incidentId, who, preview.Since!.Value))),
            };
            await WriteAsync(cli, document, verdict.Active is not null
                ? $"{service} is already frozen: {verdict.Describe()}{(verdict.Agrees ? "" : $"; would publish it again to {parameter.Name}")}{(untold ? $"; would tell {Targets(routes)}, never told of it" : "")}"
                : $"would freeze {service}: {reason}; publish to {parameter.Name} and tell {(routes.Count == 0 ? "nobody (notify.team not configured)" : Targets(routes))}", ct);
            cli.Log("rewind: dry-run: nothing was changed; run again with --live to act");
            return ExitCodes.Ok;
        }

        if (verdict.Active is not null)
            cli.Log($"rewind: {service} is already frozen: {verdict.Describe()}: kept");
        if (untold)
            cli.Log($"rewind: {Targets(routes)} never told of freeze {verdict.Active!.Id} (the command that made it stopped before announcing it): telling now");
        string? runId = null;
        IReadOnlyList<AudienceDelivery> announced = [];
        var active = verdict.Active;
        if (!step.NothingToDo)
        {
            var outcome = await ExecuteAsync(cli, ledger, steps, plan, ct);
            if (outcome.Status != RunStatus.Succeeded)
                return RunFailed(cli, outcome);
            var frozen = (ReleasesFrozen)outcome.Steps[0].Result.Evidence!;
            (runId, announced) = (outcome.RunId, frozen.Announced);
            active = await FindAsync(ledger, frozen.Freeze, ct);
            Warn(cli, announced);
        }
        var done = Describe(active!, service, parameter.Name, announced);
        done["run"] = runId;
        await WriteAsync(cli, done, $"{service} frozen: {new FreezeVerdict(service, active, null, parameter.Name).Describe()}; published to {parameter.Name}{RunLine(runId)}", ct);
        return ExitCodes.Ok;
    }

    private static async Task<int> OffAsync(CliContext cli, string? rootCause, bool live, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(rootCause))
            throw new CliException("freeze off needs --root-cause", "name the identified root cause: rewind freeze off --root-cause \"what caused it\" (it is recorded with the freeze)");
        var config = cli.Config;
        var service = config.Service.Name;
        using var aws = cli.Aws();
        await using var ledger = await cli.OpenLedgerAsync(aws, ct);
        var parameter = PlaybookSteps.FreezeParameter(config, aws);
        var routes = NotificationOutbox.EnabledRoutes(config.Notify, Audiences.Team);
        var found = await LiftFreezeFindings.ReadAsync(
            ledger.Freezes, ledger.Incidents, parameter, PlaybookSteps.Outbox(ledger, cli.Time), routes, service, rootCause, AnnounceOutput.Who(), cli.Time.GetUtcNow(), ct);
        if (found.NothingToDo)
            throw new CliException($"{service} is not frozen", "nothing to lift: see 'rewind freeze status'");
        if (found.Active is null && found.Copy is { } unfinished && !string.Equals(unfinished.RootCause, rootCause, StringComparison.Ordinal))
            cli.Log($"rewind: freeze {unfinished.FreezeId} was lifted with the root cause \"{unfinished.RootCause}\": that one goes into {unfinished.IncidentId}, not the --root-cause given now");
        if (!live)
        {
            await WriteAsync(cli, PreviewOf(found, out var text), text, ct);
            cli.Log("rewind: dry-run: nothing was changed; run again with --live to act");
            return ExitCodes.Ok;
        }

        IStep[] steps = [PlaybookSteps.LiftFreeze(aws, ledger, cli.Time, found)];
        var plan = await new RollbackPlanner(steps, cli.Time).PlanAsync(service, null, StepSelection.All, ct);
        var outcome = await ExecuteAsync(cli, ledger, steps, plan, ct);
        if (outcome.Status != RunStatus.Succeeded)
            return RunFailed(cli, outcome);
        var lifted = (FreezeLifted)outcome.Steps[0].Result.Evidence!;
        Warn(cli, lifted.Announced);
        var copy = lifted.RootCauseCopy is { } wire ? IncidentRootCause.FromWire(lifted.Freeze!, lifted.Incident, lifted.RootCause!, wire, lifted.ReplacedRootCause) : null;
        if (copy?.Outcome == IncidentRootCauseOutcome.IncidentMissing)
            cli.Log($"rewind: warning: {copy.Describe(done: true)} ({ledger.Location})");
        if (lifted.LiftedNow)
        {
            var document = Describe(await FindAsync(ledger, lifted.Freeze!, ct), service, parameter.Name, lifted.Announced);
            AddRootCauseCopy(document, copy!, done: true);
            document["run"] = outcome.RunId;
            await WriteAsync(cli, document, $"{service} unfrozen: {lifted.Freeze} lifted by {lifted.LiftedBy}; root cause: {lifted.RootCause}\n{copy!.Describe(done: true)}{RunLine(outcome.RunId)}", ct);
            return ExitCodes.Ok;
        }

        var finished = new JsonObject { ["service"] = service, ["frozen"] = false, ["parameter"] = parameter.Name, ["run"] = outcome.RunId };
        var lines = new List<string>();
        if (copy is not null)
        {
            AddRootCauseCopy(finished, copy, done: true);
            lines.Add($"{service}: finished lifting freeze {copy.FreezeId}: {copy.Describe(done: true)}");
        }
        if (lifted.Published is not null)
            lines.Add($"{service}: {parameter.Name} now says unfrozen");
        if (found.Untold is { } untold)
        {
            finished["messages"] = Messages(lifted.Announced);
            var told = lifted.Announced.Where(d => d.Delivered).Select(d => d.Target).ToList();
            lines.Add(told.Count == routes.Count
                ? $"{service}: told {Targets(routes)} that freeze {untold.Subject} was lifted"
                : $"{service}: freeze {untold.Subject} was lifted; told {(told.Count == 0 ? "nobody" : string.Join(", ", told))} (see the warning)");
        }
        await WriteAsync(cli, finished, string.Join('\n', lines) + RunLine(outcome.RunId), ct);
        return ExitCodes.Ok;
    }

    /// <summary>The dry-run of <c>freeze off</c>: what lifting the active freeze, or finishing the last lift, would do.</summary>
    private static JsonObject PreviewOf(LiftFreezeFindings found, out string text)
    {
        var (service, parameter, routes) = (found.Service, found.Parameter.Name, found.Routes);
        var document = new JsonObject { ["dryRun"] = true, ["service"] = service };
        if (found.Preview is { } preview)
        {
            document["freeze"] = preview.Id;
            document["parameter"] = parameter;
            document["publish"] = JsonNode.Parse(FreezeState.Of(preview, service).ToJson());
            document["messages"] = Previews(routes, FreezeNotifications.Off(preview));
            AddRootCauseCopy(document, found.Copy!, done: false);
            text = $"would lift {preview.Id} ({preview.Reason}) with root cause: {found.RootCause}; publish to {parameter}\n{found.Copy!.Describe(done: false)}";
            return document;
        }

        document["parameter"] = parameter;
        document["publish"] = found.Republish is { } state ? JsonNode.Parse(state.ToJson()) : null;
        document["messages"] = found.Untold is { } message ? Previews(routes, message) : new JsonArray();
        var lines = new List<string>();
        if (found.Republish is not null)
            lines.Add($"{service} is not frozen in the ledger but {parameter} says frozen: would publish the lift");
        if (found.Copy is { } unfinished)
        {
            AddRootCauseCopy(document, unfinished, done: false);
            lines.Add($"{service} is not frozen, but freeze {unfinished.FreezeId} was lifted without reaching its incident: {unfinished.Describe(done: false)}");
        }
        if (found.Untold is { } untold)
            lines.Add($"{service} is not frozen, but {Targets(routes)} never heard that freeze {untold.Subject} was lifted: would tell them");
        text = string.Join('\n', lines);
        return document;
    }

    /// <summary>One step, run by the executor like every change: journaled, under the service's lock, resumable with 'rewind resume'; the report is the output.</summary>
    private static Task<RunOutcome> ExecuteAsync(CliContext cli, ILedger ledger, IReadOnlyList<IStep> steps, RollbackPlan plan, CancellationToken ct) =>
        new RunExecutor(ledger, steps, QuietRunObserver.Instance, cli.Time).StartAsync(plan, EngineJson.Serialize(plan), cli.Operator, ct);

    private static int RunFailed(CliContext cli, RunOutcome outcome)
    {
        var (step, result) = outcome.Steps[^1];
        cli.Log($"rewind: step {step.Step} failed: {result.Summary}; continue with 'rewind resume {outcome.RunId}'");
        return ExitCodes.OfStep(result);
    }

    private static string RunLine(string? runId) => runId is null ? "" : $"\nrun {runId} (rewind history, rewind report {runId})";

    private static async Task<Core.Ledger.Freeze> FindAsync(ILedger ledger, string id, CancellationToken ct) =>
        (await ledger.Freezes.ListFreezesAsync(ct)).FirstOrDefault(f => f.Id == id)
            ?? throw new CliException($"freeze {id} is not in the ledger {ledger.Location}", "see 'rewind freeze status'", FailureKind.Failed);

    /// <summary>A failed delivery is a warning, never a failed freeze.</summary>
    private static void Warn(CliContext cli, IReadOnlyList<AudienceDelivery> announced)
    {
        foreach (var failed in announced.Where(d => !d.Delivered))
        {
            cli.Log(failed.Status == Delivery.UnconfirmedStatus
                ? $"rewind: warning: the message to {failed.Target} was {failed.Error}"
                : $"rewind: warning: {failed.Target} was not told: {failed.Error} (send it again with 'rewind notify --retry --live')");
        }
    }

    private static void AddRootCauseCopy(JsonObject document, IncidentRootCause copy, bool done)
    {
        document["freeze"] = copy.FreezeId;
        document["incident"] = copy.IncidentId;
        document["incidentRootCause"] = copy.Wire(done);
        document["replacedRootCause"] = copy.Replaced;
    }

    private static async Task<int> StatusAsync(CliContext cli, bool check, CancellationToken ct)
    {
        var config = cli.Config;
        var service = config.Service.Name;
        using var aws = cli.Aws();
        await using var ledger = await cli.OpenLedgerAsync(aws, ct);
        var parameter = PlaybookSteps.FreezeParameter(config, aws);
        var verdict = await FreezeVerdict.ReadAsync(ledger.Freezes, parameter, service, ct);
        var document = new JsonObject
        {
            ["service"] = service,
            ["frozen"] = verdict.Frozen,
            ["reason"] = verdict.Frozen ? verdict.Active?.Reason ?? verdict.Published?.Reason : null,
            ["incident"] = verdict.Active?.IncidentId ?? verdict.Published?.Incident,
            ["by"] = verdict.Active?.FrozenBy ?? verdict.Published?.By,
            ["freeze"] = verdict.Active?.Id ?? verdict.Published?.FreezeId,
            ["ledger"] = verdict.Active is null ? "not frozen" : $"frozen ({verdict.Active.Id})",
            ["ssm"] = verdict.Published is null ? "absent" : verdict.Published.Frozen ? $"frozen ({verdict.Published.FreezeId})" : "not frozen",
            ["parameter"] = parameter.Name,
            ["agrees"] = verdict.Agrees,
            ["describe"] = verdict.Describe(),
        };
        var line = verdict.Frozen ? $"{service}: frozen: {verdict.Describe()}" : $"{service}: not frozen";
        if (!check)
        {
            line += $"\nledger: {document["ledger"]}; SSM {parameter.Name}: {document["ssm"]}";
            if (!verdict.Agrees)
                line += $"\nSSM disagrees with the ledger: run 'rewind freeze {(verdict.Active is null ? "off --root-cause \"…\"" : "on --reason \"…\"")} --live' to publish the ledger's state again";
        }
        await WriteAsync(cli, document, line, ct);
        // On GitHub Actions the freeze is also an annotation on the job; JSON output stays one document.
        if (check && verdict.Frozen && cli.Output == OutputFormat.Text && PipelineOutput.OnGitHubActions(Environment.GetEnvironmentVariable))
            await cli.Out.WriteLineAsync(PipelineOutput.ErrorAnnotation(PipelineOutput.FrozenTitle, $"{service}: {verdict.Describe()}").AsMemory(), ct);
        if (check && verdict.Frozen)
        {
            cli.Log($"rewind: releases of {service} are frozen: {verdict.Describe()}: wait until it is lifted ('rewind freeze off --root-cause \"…\" --live')");
            return ExitCodes.Blocked;
        }
        if (!check && !verdict.Agrees)
            cli.Log($"rewind: warning: SSM {parameter.Name} does not say what the ledger says");
        return ExitCodes.Ok;
    }

    private static string Targets(IReadOnlyList<NotifyRoute> routes) => string.Join(", ", routes.Select(r => r.Target));

    private static JsonArray Previews(IReadOnlyList<NotifyRoute> routes, Notification notification) =>
        new([.. routes.Select(r => (JsonNode)new JsonObject { ["audience"] = r.Audience, ["target"] = r.Target, ["payload"] = NotificationRenderer.Render(notification, r) })]);

    private static JsonObject Describe(Core.Ledger.Freeze freeze, string service, string parameter, IReadOnlyList<AudienceDelivery> deliveries) => new()
    {
        ["service"] = service,
        ["freeze"] = freeze.Id,
        ["frozen"] = freeze.IsActive,
        ["reason"] = freeze.Reason,
        ["incident"] = freeze.IncidentId,
        ["by"] = freeze.FrozenBy,
        ["since"] = NotificationRenderer.Iso(freeze.Since),
        ["liftedBy"] = freeze.LiftedBy,
        ["rootCause"] = freeze.RootCause,
        ["parameter"] = parameter,
        ["messages"] = Messages(deliveries),
    };

    private static JsonArray Messages(IReadOnlyList<AudienceDelivery> deliveries) => new([.. deliveries.Select(d => (JsonNode)new JsonObject
    {
        ["target"] = d.Target, ["delivered"] = d.Delivered, ["status"] = d.Status, ["error"] = d.Error,
    })]);

    private static Task WriteAsync(CliContext cli, JsonObject document, string text, CancellationToken ct)
    {
        if (cli.Output == OutputFormat.Json)
            return AnnounceOutput.WriteAsync(cli.Out, document, ct);
        var lines = new List<string> { text };
        if (document["publish"] is JsonObject publish)
            lines.Add($"SSM {document["parameter"]} ← {publish.ToJsonString()}");
        if (document["messages"] is JsonArray messages)
        {
            foreach (var message in messages.OfType<JsonObject>())
            {
                lines.Add(message["payload"] is JsonObject payload
                    ? $"{message["target"]} ← {AnnounceOutput.Format(payload)}"
                    : $"{message["target"]}: {((bool?)message["delivered"] == true ? $"delivered (HTTP {message["status"]})" : $"not delivered: {message["error"]}")}");
            }
        }
        return cli.Out.WriteLineAsync(string.Join('\n', lines).AsMemory(), ct);
    }
}
