using System.CommandLine;
using System.Text.Json.Nodes;
using Rewind.Cli.Playbook;
using Rewind.Core;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Notify;

namespace Rewind.Cli.Commands;

/// <summary>
/// <c>rewind notify --to AUDIENCE… --message TEXT</c> (a message of the operator's, through the outbox, journaled in a
/// small run of its own that records the text so a retry sends the same bytes) and <c>rewind notify --retry</c>
/// (re-sends what failed or never went, re-rendered from the ledger). Dry-run unless <c>--live</c>: the dry-run prints
/// the exact payloads and the targets (<c>slack:#releases</c>, <c>webhook:$VARIABLE</c>), never a URL.
/// </summary>
public static class NotifyCommands
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var to = new Option<string[]>("--to") { Description = "who to tell: team, support, customers (repeatable)", AllowMultipleArgumentsPerToken = true, HelpName = "AUDIENCE" };
        var message = new Option<string?>("--message") { Description = "the message", HelpName = "TEXT" };
        var retry = new Option<bool>("--retry") { Description = "send again every message that failed or never went (re-rendered from the ledger)" };
        var live = new Option<bool>("--live") { Description = "send; without it the exact payloads are printed (dry-run)" };
        var notify = new Command("notify", "Tell team (#releases), support or customers through their webhooks (dry-run unless --live)") { to, message, retry, live };
        notify.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            var audiences = (parse.GetValue(to) ?? []).SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct().ToList();
            if (parse.GetValue(retry))
            {
                if (audiences.Count > 0 || parse.GetValue(message) is not null)
                    throw new CliException("--retry sends queued messages again; it takes no --to or --message", "run 'rewind notify --retry --live' alone");
                return RetryAsync(cli, parse.GetValue(live), ct);
            }
            return SendAsync(cli, audiences, parse.GetValue(message), parse.GetValue(live), ct);
        });
        return notify;
    }

    /// <summary>Checks every audience and variable before anything is sent: a bad one is one line, exit 2, nothing sent.</summary>
    internal static IReadOnlyList<NotifyRoute> Routes(CliContext cli, IReadOnlyList<string> audiences)
    {
        if (audiences.Count == 0)
            throw new CliException("notify needs --to", "name who to tell: --to team, --to support or --to customers");
        var routes = new List<NotifyRoute>();
        foreach (var audience in audiences)
        {
            if (!Audiences.All.Contains(audience))
                throw new CliException($"unknown audience '{audience}'", "use team, support or customers");
            var target = Audiences.TargetOf(cli.Config.Notify, audience)
                ?? throw new CliException($"notify.{audience} is not configured in {cli.ConfigPath}", $"add notify.{audience}.slack_webhook_env or webhook_env: the variable holding the webhook URL");
            if (!target.Enabled)
                throw new CliException($"notify.{audience} is disabled in {cli.ConfigPath}", $"set notify.{audience}.enabled: true to reach {audience}");
            foreach (var route in NotifyRoute.Of(audience, target))
            {
                var url = Environment.GetEnvironmentVariable(route.EnvironmentVariable);
                if (string.IsNullOrWhiteSpace(url))
                    throw new CliException($"environment variable {route.EnvironmentVariable} ({route.Setting}) is not set", $"export {route.EnvironmentVariable} with the webhook URL");
                if (WebhookSender.UrlProblem(url) is { } problem)
                    throw new CliException($"environment variable {route.EnvironmentVariable} ({route.Setting}) {problem}", $"export {route.EnvironmentVariable} with the webhook URL");
                routes.Add(route);
            }
        }
        return routes;
    }

    private static async Task<int> SendAsync(CliContext cli, IReadOnlyList<string> audiences, string? message, bool live, CancellationToken ct)
    {
        var routes = Routes(cli, audiences);
        if (string.IsNullOrWhiteSpace(message))
            throw new CliException("notify needs --message", "give the text: --message \"what they should know\"");
        var service = cli.Config.Service.Name;
        if (!live)
        {
            var draft = new Notification(NotificationKinds.Message, service, "run-(assigned when sent)", "sent", cli.Time.GetUtcNow(), "run-(assigned when sent)", Detail: message);
            var messages = new JsonArray([.. routes.Select(r => (JsonNode)new JsonObject { ["audience"] = r.Audience, ["target"] = r.Target, ["payload"] = NotificationRenderer.Render(draft, r) })]);
            if (cli.Output == OutputFormat.Json)
                await AnnounceOutput.WriteAsync(cli.Out, new JsonObject { ["dryRun"] = true, ["messages"] = messages }, ct);
            else
                foreach (var entry in messages.OfType<JsonObject>())
                    await cli.Out.WriteLineAsync($"{entry["target"]} ← {AnnounceOutput.Format(entry["payload"]!)}".AsMemory(), ct);
            cli.Log("rewind: dry-run: nothing was sent (the run id and time are set when sent); run again with --live to send");
            return ExitCodes.Ok;
        }

        // A one-step run through the executor: the service's lock, the fenced journal, 'rewind resume' if it is cut short.
        // The run records the text, so a retry sends the same bytes; what was not delivered stays in the outbox for 'notify --retry'.
        using var aws = cli.Aws();
        await using var ledger = await cli.OpenLedgerAsync(aws, ct);
        var plan = new RollbackPlan(service, null, cli.Time.GetUtcNow(), [NotifyStep.MessagePlan(service, message, audiences, routes)]);
        var outcome = await new RunExecutor(ledger, [NotifyStep.ForExecution(ledger.Runs, PlaybookSteps.Outbox(ledger, cli.Time))], QuietRunObserver.Instance, cli.Time)
            .StartAsync(plan, EngineJson.Serialize(plan), cli.Operator, ct);
        var result = outcome.Steps[0].Result;
        if (result.Evidence is not TeamNotified notified)
        {
            cli.Log($"rewind: notify failed: {result.Summary}; continue with 'rewind resume {outcome.RunId}'");
            return ExitCodes.OfStep(result);
        }
        return await ReportAsync(cli, outcome.RunId, notified.Audiences, ct);
    }

    private static async Task<int> RetryAsync(CliContext cli, bool live, CancellationToken ct)
    {
        var config = cli.Config;
        using var aws = cli.Aws();
        await using var ledger = await cli.OpenLedgerAsync(aws, ct);
        // The operator asked: a message that may have arrived (its answer was lost) is sent again too.
        var outbox = PlaybookSteps.Outbox(ledger, cli.Time).ResendingUnconfirmed();
        var pending = (await ledger.Outbox.ListOutboxAsync(null, ct)).Where(i => i.Status != OutboxStatus.Delivered).ToList();
        var work = new List<(OutboxItem Item, Notification Notification, NotifyRoute Route, string? RunId)>();
        foreach (var item in pending)
        {
            if (NotificationKey.Parse(item.IdempotencyKey) is not { } key)
                continue; // a ticket or another tool's item
            if (await RebuildAsync(ledger, config, key, ct) is not { } rebuilt)
                continue;
            work.Add((item, rebuilt.Notification, rebuilt.Route, rebuilt.RunId));
        }

        if (!live)
        {
            var messages = new JsonArray([.. work.Select(w => (JsonNode)new JsonObject
            {
                ["key"] = w.Item.IdempotencyKey, ["target"] = w.Route.Target, ["status"] = w.Item.Status.ToString(), ["attempts"] = w.Item.Attempts,
                ["lastError"] = w.Item.LastError, ["payload"] = NotificationRenderer.Render(w.Notification, w.Route),
            })]);
            if (cli.Output == OutputFormat.Json)
                await AnnounceOutput.WriteAsync(cli.Out, new JsonObject { ["dryRun"] = true, ["messages"] = messages }, ct);
            else if (work.Count == 0)
                await cli.Out.WriteLineAsync("nothing to send again: every message of this service was delivered");
            else
                foreach (var w in work)
                    await cli.Out.WriteLineAsync($"{w.Item.IdempotencyKey} → {w.Route.Target} ({w.Item.Status}, {w.Item.Attempts} attempt(s){(w.Item.LastError is { } e ? $", last: {e}" : "")})".AsMemory(), ct);
            cli.Log("rewind: dry-run: nothing was sent; run again with --live to send");
            return ExitCodes.Ok;
        }

        // The outbox is the record of a retry: the runs these messages belong to are over, their journals closed.
        var deliveries = new List<Delivery>();
        foreach (var (_, notification, route, _) in work)
            deliveries.Add(await outbox.DeliverAsync(notification, route, null, ct));
        return await ReportAsync(cli, null, NotificationOutbox.Evidence(deliveries), ct);
    }

    /// <summary>
    /// The message an outbox key stands for, rendered again from the ledger: a run's journal (its notify step's planned
    /// routes and facts) or a freeze record. Null for another service's item, a run still in progress (its own process
    /// or 'rewind resume' sends it), or a route no longer configured.
    /// </summary>
    private static async Task<(Notification Notification, NotifyRoute Route, string? RunId)?> RebuildAsync(ILedger ledger, RewindConfig config, NotificationKey key, CancellationToken ct)
    {
        if (key.Kind is NotificationKinds.FreezeOn or NotificationKinds.FreezeOff)
        {
            var freeze = (await ledger.Freezes.ListFreezesAsync(ct)).FirstOrDefault(f => f.Id == key.Subject);
            if (freeze is null || (freeze.Scope != config.Service.Name && freeze.Scope != Core.Ledger.Freeze.AllServices) || (key.Kind == NotificationKinds.FreezeOff && freeze.IsActive))
                return null;
            var route = NotificationOutbox.EnabledRoutes(config.Notify, key.Audience).FirstOrDefault(r => r.Kind == key.Channel);
            return route is null ? null : (key.Kind == NotificationKinds.FreezeOn ? FreezeNotifications.On(freeze) : FreezeNotifications.Off(freeze), route, null);
        }
        var facts = await RunFacts.ReadAsync(ledger.Runs, key.Subject, ct);
        if (facts is null || facts.Run.Service != config.Service.Name || facts.Run.Status == RunStatus.Running)
            return null;
        var planned = facts.Routes.FirstOrDefault(r => r.Audience == key.Audience && r.Kind == key.Channel);
        return planned is not null && facts.Of(key.Kind) is { } notification ? (notification, planned, facts.Run.Id) : null;
    }

    private static async Task<int> ReportAsync(CliContext cli, string? runId, IReadOnlyList<AudienceDelivery> deliveries, CancellationToken ct)
    {
        if (cli.Output == OutputFormat.Json)
        {
            var messages = new JsonArray([.. deliveries.Select(d => (JsonNode)new JsonObject
            {
                ["key"] = d.Key, ["audience"] = d.Audience, ["target"] = d.Target, ["delivered"] = d.Delivered,
                ["status"] = d.Status, ["error"] = d.Error, ["sentAt"] = d.SentAt is { } sent ? NotificationRenderer.Iso(sent) : null,
            })]);
            await AnnounceOutput.WriteAsync(cli.Out, new JsonObject { ["run"] = runId, ["messages"] = messages }, ct);
        }
        else
        {
            if (deliveries.Count == 0)
                await cli.Out.WriteLineAsync("nothing to send again: every message of this service was delivered");
            foreach (var d in deliveries)
                await cli.Out.WriteLineAsync((d.Delivered ? $"{d.Target}: delivered (HTTP {d.Status})" : $"{d.Target}: not delivered: {d.Error}").AsMemory(), ct);
        }
        var failed = deliveries.Count(d => !d.Delivered);
        if (failed == 0)
            return ExitCodes.Ok;
        cli.Log($"rewind: {failed} of {deliveries.Count} message(s) not delivered: fix the receiver or the variable, then 'rewind notify --retry --live'");
        return ExitCodes.Failed;
    }
}
