using System.CommandLine;
using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Cli.Playbook;
using Rewind.Core;
using Rewind.Core.Ledger;
using Rewind.Playbook.Freeze;
using Rewind.Playbook.Notify;

namespace Rewind.Cli.Commands;

/// <summary>
/// <c>rewind freeze on|off|status|check</c>: the release freeze, recorded in the ledger (the freeze record is the
/// durable record: reason, incident, who, since, and the root cause that lifted it, which <c>off</c> also copies into
/// the freeze's incident) and published to SSM for any pipeline. <c>on</c> and <c>off</c> are dry-runs unless <c>--live</c>, like every command that changes something.
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
        var outbox = PlaybookSteps.Outbox(ledger, cli.Time);
        // A freeze already in force whose announcement never went out (the command that made it stopped first) is announced now.
        var untold = verdict.Active is { } current && await outbox.IsUnfinishedAsync(FreezeNotifications.On(current), routes, ct);

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

        var active = verdict.Active;
        var created = false;
        if (active is null)
        {
            try
            {
                active = await ledger.Freezes.FreezeAsync(service, reason, incidentId, who, ct);
                created = true;
            }
            catch (LedgerException e) when (e.Reason == LedgerFailureReason.Conflict)
            {
                // Frozen by someone else between the read and the write: theirs stands.
                active = (await ledger.Freezes.GetActiveFreezesAsync(service, ct)).FirstOrDefault();
                if (active is null)
                    throw;
            }
        }
        else
        {
            cli.Log($"rewind: {service} is already frozen: {verdict.Describe()}: kept");
        }
        await PublishAsync(cli, parameter, FreezeState.Of(active, service), ct);
        if (untold)
            cli.Log($"rewind: {Targets(routes)} never told of freeze {active.Id} (the command that made it stopped before announcing it): telling now");
        var deliveries = created || untold ? await AnnounceAsync(cli, outbox, routes, FreezeNotifications.On(active), ct) : [];
        await WriteAsync(cli, Describe(active, service, parameter.Name, deliveries), $"{service} frozen: {new FreezeVerdict(service, active, null, parameter.Name).Describe()}; published to {parameter.Name}", ct);
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
        var verdict = await FreezeVerdict.ReadAsync(ledger.Freezes, parameter, service, ct);
        var routes = NotificationOutbox.EnabledRoutes(config.Notify, Audiences.Team);
        var who = AnnounceOutput.Who();

        if (verdict.Active is null)
            return await FinishLiftAsync(cli, ledger, parameter, verdict, routes, rootCause, who, live, ct);

        var active = verdict.Active;
        if (!live)
        {
            var preview = active with { LiftedBy = who, LiftedAt = cli.Time.GetUtcNow(), RootCause = rootCause };
            var copy = await IncidentRootCause.PlanAsync(ledger.Incidents, preview, ct);
            var document = new JsonObject
            {
                ["dryRun"] = true,
                ["service"] = service,
                ["freeze"] = active.Id,
                ["parameter"] = parameter.Name,
                ["publish"] = JsonNode.Parse(FreezeState.Of(preview, service).ToJson()),
                ["messages"] = Previews(routes, FreezeNotifications.Off(preview)),
            };
            AddRootCauseCopy(document, copy, done: false);
            await WriteAsync(cli, document, $"would lift {active.Id} ({active.Reason}) with root cause: {rootCause}; publish to {parameter.Name}\n{copy.Describe(done: false)}", ct);
            cli.Log("rewind: dry-run: nothing was changed; run again with --live to act");
            return ExitCodes.Ok;
        }

        // The ledger first (the lift, then its incident), SSM and #releases after: a crash anywhere is finished by running it again.
        var done = await ledger.Freezes.LiftAsync(active.Scope, who, rootCause, ct);
        var copied = await CopyRootCauseAsync(cli, ledger, done, ct);
        await PublishAsync(cli, parameter, FreezeState.Of(done, service), ct);
        var deliveries = await AnnounceAsync(cli, PlaybookSteps.Outbox(ledger, cli.Time), routes, FreezeNotifications.Off(done), ct);
        var lifted = Describe(done, service, parameter.Name, deliveries);
        AddRootCauseCopy(lifted, copied, done: true);
        await WriteAsync(cli, lifted, $"{service} unfrozen: {done.Id} lifted by {who}; root cause: {rootCause}\n{copied.Describe(done: true)}", ct);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Nothing is frozen in the ledger: finishes the last lift if it was cut short (SSM still says frozen because its
    /// write failed, or the process died before the root cause reached the incident or before #releases was told);
    /// otherwise "not frozen".
    /// </summary>
    private static async Task<int> FinishLiftAsync(
        CliContext cli, ILedger ledger, FreezeParameter parameter, FreezeVerdict verdict, IReadOnlyList<NotifyRoute> routes,
        string rootCause, string who, bool live, CancellationToken ct)
    {
        var service = verdict.Service;
        var stale = verdict.Published is { Frozen: true } published ? published : null;
        var freezes = await ledger.Freezes.ListFreezesAsync(ct);
        var last = FreezeVerdict.LastLift(freezes, service);
        var unfinished = await IncidentRootCause.UnfinishedAsync(ledger.Incidents, last, ct);
        var outbox = PlaybookSteps.Outbox(ledger, cli.Time);
        var lastMessage = last is null ? null : FreezeNotifications.Off(last);
        var untold = lastMessage is not null && await outbox.IsUnfinishedAsync(lastMessage, routes, ct) ? lastMessage : null;
        if (stale is null && unfinished is null && untold is null)
            throw new CliException($"{service} is not frozen", "nothing to lift: see 'rewind freeze status'");
        if (unfinished is not null && !string.Equals(unfinished.RootCause, rootCause, StringComparison.Ordinal))
            cli.Log($"rewind: freeze {unfinished.FreezeId} was lifted with the root cause \"{unfinished.RootCause}\": that one goes into {unfinished.IncidentId}, not the --root-cause given now");

        FreezeState? state = null;
        if (stale is not null)
        {
            // Lifted in the ledger, but SSM still says frozen (its write failed): publish the lift again.
            var lifted = freezes.FirstOrDefault(f => f.Id == stale.FreezeId && !f.IsActive);
            state = lifted is not null
                ? FreezeState.Of(lifted, service)
                : stale with { Frozen = false, LiftedBy = who, LiftedAt = cli.Time.GetUtcNow(), RootCause = rootCause };
        }

        var lines = new List<string>();
        if (!live)
        {
            var preview = new JsonObject
            {
                ["dryRun"] = true,
                ["service"] = service,
                ["parameter"] = parameter.Name,
                ["publish"] = state is null ? null : JsonNode.Parse(state.ToJson()),
                ["messages"] = untold is null ? new JsonArray() : Previews(routes, untold),
            };
            if (state is not null)
                lines.Add($"{service} is not frozen in the ledger but {parameter.Name} says frozen: would publish the lift");
            if (unfinished is not null)
            {
                AddRootCauseCopy(preview, unfinished, done: false);
                lines.Add($"{service} is not frozen, but freeze {unfinished.FreezeId} was lifted without reaching its incident: {unfinished.Describe(done: false)}");
            }
            if (untold is not null)
                lines.Add($"{service} is not frozen, but {Targets(routes)} never heard that freeze {untold.Subject} was lifted: would tell them");
            await WriteAsync(cli, preview, string.Join('\n', lines), ct);
            cli.Log("rewind: dry-run: nothing was changed; run again with --live to act");
            return ExitCodes.Ok;
        }

        var document = new JsonObject { ["service"] = service, ["frozen"] = false, ["parameter"] = parameter.Name };
        if (unfinished is not null)
        {
            await unfinished.ApplyAsync(ledger.Incidents, ct);
            AddRootCauseCopy(document, unfinished, done: true);
            lines.Add($"{service}: finished lifting freeze {unfinished.FreezeId}: {unfinished.Describe(done: true)}");
        }
        if (state is not null)
        {
            await PublishAsync(cli, parameter, state, ct);
            lines.Add($"{service}: {parameter.Name} now says unfrozen");
        }
        if (untold is not null)
        {
            var deliveries = await AnnounceAsync(cli, outbox, routes, untold, ct);
            document["messages"] = Messages(deliveries);
            var told = deliveries.Where(d => d.Delivered).Select(d => d.Route).ToList();
            lines.Add(told.Count == routes.Count
                ? $"{service}: told {Targets(routes)} that freeze {untold.Subject} was lifted"
                : $"{service}: freeze {untold.Subject} was lifted; told {(told.Count == 0 ? "nobody" : Targets(told))} (see the warning)");
        }
        await WriteAsync(cli, document, string.Join('\n', lines), ct);
        return ExitCodes.Ok;
    }

    /// <summary>Copies the lifted freeze's root cause into its incident (see <see cref="IncidentRootCause"/>).</summary>
    private static async Task<IncidentRootCause> CopyRootCauseAsync(CliContext cli, ILedger ledger, Core.Ledger.Freeze lifted, CancellationToken ct)
    {
        var copy = await IncidentRootCause.PlanAsync(ledger.Incidents, lifted, ct);
        await copy.ApplyAsync(ledger.Incidents, ct);
        if (copy.Outcome == IncidentRootCauseOutcome.IncidentMissing)
            cli.Log($"rewind: warning: {copy.Describe(done: true)} ({ledger.Location})");
        return copy;
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
        if (check && verdict.Frozen)
        {
            cli.Log($"rewind: releases of {service} are frozen: {verdict.Describe()}: wait until it is lifted ('rewind freeze off --root-cause \"…\" --live')");
            return ExitCodes.Blocked;
        }
        if (!check && !verdict.Agrees)
            cli.Log($"rewind: warning: SSM {parameter.Name} does not say what the ledger says");
        return ExitCodes.Ok;
    }

    /// <summary>Writes the freeze to SSM and reads it back; a failure names what to run again (the ledger already holds the freeze).</summary>
    private static async Task PublishAsync(CliContext cli, FreezeParameter parameter, FreezeState state, CancellationToken ct)
    {
        try
        {
            await parameter.PublishAsync(state, ct);
            if (!state.SameAs(await parameter.ReadAsync(ct)))
                throw new CliException($"{parameter.Name} does not read back what was published", "run the same command again with --live", FailureKind.Failed);
        }
        catch (Aws.Errors.AwsException e)
        {
            var again = state.Frozen ? "rewind freeze on --reason \"…\" --live" : "rewind freeze off --root-cause \"…\" --live";
            throw new CliException(
                $"the ledger says {(state.Frozen ? "frozen" : "unfrozen")} ({state.FreezeId}) but SSM {parameter.Name} could not be written: {e.Message}",
                $"run '{again}' again to publish it; 'rewind freeze status' shows both",
                e is Aws.Errors.AwsUnavailableException ? FailureKind.Unavailable : FailureKind.Failed);
        }
    }

    /// <summary>Tells #releases through the outbox; a failed delivery is a warning, never a failed freeze.</summary>
    private static async Task<IReadOnlyList<Delivery>> AnnounceAsync(
        CliContext cli, NotificationOutbox outbox, IReadOnlyList<NotifyRoute> routes, Notification notification, CancellationToken ct)
    {
        var deliveries = await outbox.DeliverAllAsync(notification, routes, ct);
        foreach (var failed in deliveries.Where(d => !d.Delivered))
        {
            cli.Log(failed.Unconfirmed
                ? $"rewind: warning: the message to {failed.Route.Target} was {failed.Error}"
                : $"rewind: warning: {failed.Route.Target} was not told: {failed.Error} (send it again with 'rewind notify --retry --live')");
        }
        return deliveries;
    }

    private static string Targets(IReadOnlyList<NotifyRoute> routes) => string.Join(", ", routes.Select(r => r.Target));

    private static JsonArray Previews(IReadOnlyList<NotifyRoute> routes, Notification notification) =>
        new([.. routes.Select(r => (JsonNode)new JsonObject { ["audience"] = r.Audience, ["target"] = r.Target, ["payload"] = NotificationRenderer.Render(notification, r) })]);

    private static JsonObject Describe(Core.Ledger.Freeze freeze, string service, string parameter, IReadOnlyList<Delivery> deliveries) => new()
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

    private static JsonArray Messages(IReadOnlyList<Delivery> deliveries) => new([.. deliveries.Select(d => (JsonNode)new JsonObject
    {
        ["target"] = d.Route.Target, ["delivered"] = d.Delivered, ["status"] = d.Status, ["error"] = d.Error,
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
