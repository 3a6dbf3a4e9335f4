using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Incident;

/// <summary>
/// Creates each ticket at most once across crashes and resumes, through the ledger's outbox: a delivered item is
/// read back, never re-sent; a pending or failed one (its create may have landed before the crash) is first looked
/// for at the tracker by the run's marker, or found in the journal, and only then created.
/// </summary>
public sealed class TicketOutbox(IOutboxStore outbox)
{
    /// <summary>The outbox key of <paramref name="name"/>'s message for a run: <c>run-…/incident/github</c>.</summary>
    public static string KeyOf(string runId, string name) => $"{runId}/incident/{name}";

    /// <summary>The ticket for <paramref name="request"/>, created only if no earlier attempt created it.</summary>
    public async Task<Ticket> DeliverAsync(ITicketTracker tracker, TicketRequest request, StepContext context, CancellationToken cancellationToken)
    {
        var key = KeyOf(context.RunId, tracker.Name);
        var call = $"Create{char.ToUpperInvariant(tracker.Name[0])}{tracker.Name[1..]}Issue";
        var earlier = await outbox.GetOutboxItemAsync(key, cancellationToken);
        var item = await outbox.EnqueueAsync(key, tracker.Target, HashOf(tracker.Describe(request).Body), cancellationToken);
        if (item is { Status: OutboxStatus.Delivered, Receipt: { } receipt })
        {
            context.Report($"{tracker.Name}: ticket {receipt} was created by an earlier attempt; not sent again");
            return await tracker.ReadAsync(receipt, cancellationToken);
        }

        if (earlier is not null || context.WasSent(call))
        {
            var found = context.EarlierResult(call)?["id"]?.GetValue<string>() is { } journaled
                ? await tracker.ReadAsync(journaled, cancellationToken)
                : await tracker.FindAsync(request, cancellationToken);
            if (found is not null)
            {
                context.Report($"{tracker.Name}: found {found.Display}, created by an earlier attempt; not sent again");
                await outbox.MarkDeliveredAsync(key, found.Id, cancellationToken);
                return found;
            }
        }

        var (line, _) = tracker.Describe(request);
        Ticket ticket;
        try
        {
            ticket = await context.CallAsync(
                call,
                new JsonObject { ["request"] = line, ["outbox"] = key, ["marker"] = request.Marker },
                ct => tracker.CreateAsync(request, ct),
                created => new JsonObject { ["id"] = created.Id, ["ticket"] = created.Display, ["link"] = created.Link },
                cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await outbox.MarkFailedAsync(key, e.Message, cancellationToken);
            throw;
        }

        await outbox.MarkDeliveredAsync(key, ticket.Id, cancellationToken);
        return ticket;
    }

    /// <summary>Posts the webhook once per run: a delivered item is not re-sent; an uncertain one is re-sent with the same Idempotency-Key.</summary>
    public async Task<string> NotifyAsync(IncidentWebhook webhook, JsonObject payload, StepContext context, CancellationToken cancellationToken)
    {
        var key = KeyOf(context.RunId, "webhook");
        var item = await outbox.EnqueueAsync(key, webhook.Target, HashOf(payload), cancellationToken);
        if (item is { Status: OutboxStatus.Delivered, Receipt: { } receipt })
            return receipt;
        int status;
        try
        {
            status = await context.CallAsync(
                "PostIncidentWebhook",
                new JsonObject { ["target"] = webhook.Target, ["outbox"] = key },
                ct => webhook.SendAsync(payload, key, ct),
                code => new JsonObject { ["status"] = code },
                cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await outbox.MarkFailedAsync(key, e.Message, cancellationToken);
            throw;
        }

        var text = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await outbox.MarkDeliveredAsync(key, text, cancellationToken);
        return text;
    }

    private static string HashOf(JsonNode payload) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(payload.ToJsonString())));
}
