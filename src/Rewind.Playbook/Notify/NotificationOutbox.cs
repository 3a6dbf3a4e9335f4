using System.Text.Json.Nodes;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Notify;

/// <summary>Journals one mutating call the way <c>StepContext.CallAsync</c> does (call-sent before, result after).</summary>
public delegate Task<DeliveryAttempt> JournaledCall(
    string call, JsonObject request, Func<CancellationToken, Task<DeliveryAttempt>> send, Func<DeliveryAttempt, JsonObject> describe, CancellationToken cancellationToken);

/// <summary>How one message to one route ended.</summary>
/// <param name="Route">Where it went.</param>
/// <param name="Key">Its outbox key.</param>
/// <param name="Delivered">Accepted by the receiver (now or earlier).</param>
/// <param name="Status">HTTP status code, or <c>error</c>.</param>
/// <param name="Error">Why it failed, never containing the URL.</param>
/// <param name="SentAt">When it was (last) attempted or delivered.</param>
/// <param name="AlreadyDelivered">An earlier attempt delivered it; nothing was sent now.</param>
public sealed record Delivery(NotifyRoute Route, string Key, bool Delivered, string Status, string? Error, DateTimeOffset SentAt, bool AlreadyDelivered)
{
    /// <summary>The <see cref="Status"/> of a message an earlier attempt sent without recording the answer, not sent again.</summary>
    public const string UnconfirmedStatus = "unconfirmed";

    /// <summary>An earlier attempt may have delivered it (its answer was never recorded) and the receiver cannot be asked.</summary>
    public bool Unconfirmed => Status == UnconfirmedStatus;
}

/// <summary>
/// Every message goes through the ledger's outbox: a delivered key is never sent again (a resumed run, a retry, a
/// second process), a queued one is sent with the same bytes (same hash) or refused. A failed delivery is recorded
/// and returned, never thrown: announcing must not fail what it announces.
/// Each request is preceded by a <see cref="OutboxStatus.Sending"/> mark: a message found in that state was perhaps
/// received. It is sent again (same <c>Idempotency-Key</c>) only to a route that drops repeats
/// (<see cref="NotifyRoute.DropsRepeats"/>), or when <paramref name="resendUnconfirmed"/> (<c>rewind notify --retry</c>).
/// </summary>
public sealed class NotificationOutbox(
    IOutboxStore outbox, WebhookSender sender, Func<string, string?> environment, TimeProvider time, bool resendUnconfirmed = false)
{
    /// <summary>The same outbox, resending what may have been received already: the operator asked for it.</summary>
    public NotificationOutbox ResendingUnconfirmed() => new(outbox, sender, environment, time, resendUnconfirmed: true);

    /// <summary>
    /// What is wrong with the route's variable (unset, or not an http(s) URL without credentials), or null when a
    /// delivery can be attempted. The value is never returned.
    /// </summary>
    public string? UrlProblem(NotifyRoute route)
    {
        var url = environment(route.EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(url))
            return $"environment variable {route.EnvironmentVariable} ({route.Setting}) is not set";
        return WebhookSender.UrlProblem(url) is { } problem ? $"environment variable {route.EnvironmentVariable} ({route.Setting}) {problem}" : null;
    }

    /// <summary>
    /// Refuses, before anything changes, a route whose variable is unset or not a webhook URL: a run that would
    /// announce into the void is bad input (exit 2), not a warning after the rollback.
    /// </summary>
    public void CheckRoutes(IEnumerable<NotifyRoute> routes)
    {
        foreach (var route in routes)
        {
            if (UrlProblem(route) is { } problem)
                throw new Core.RewindException(problem, $"export {route.EnvironmentVariable} with the {(route.Kind == NotifyRoute.Slack ? "Slack incoming webhook's" : "webhook's")} URL, or set notify.{route.Audience}.enabled: false", Core.FailureKind.BadInput);
        }
    }

    /// <summary>The routes of one audience that are configured and enabled.</summary>
    public static IReadOnlyList<NotifyRoute> EnabledRoutes(Core.Configuration.NotifySection notify, string audience) =>
        Audiences.TargetOf(notify, audience) is { Enabled: true } target ? NotifyRoute.Of(audience, target) : [];

    /// <summary>
    /// Whether <paramref name="notification"/> still has to reach some of <paramref name="routes"/>: nothing was ever
    /// queued for it (the process died between the change and its announcement), or a queued message is not
    /// delivered. Delivered wherever it was queued counts as told, so a route configured later is not sent old news.
    /// </summary>
    public async Task<bool> IsUnfinishedAsync(Notification notification, IReadOnlyList<NotifyRoute> routes, CancellationToken cancellationToken)
    {
        var items = new List<OutboxItem?>(routes.Count);
        foreach (var route in routes)
            items.Add(await outbox.GetOutboxItemAsync(notification.KeyFor(route), cancellationToken));
        return items.Count > 0 && (items.All(i => i is null) || items.Any(i => i is { Status: not OutboxStatus.Delivered }));
    }

    /// <summary>
    /// Queues the message for every route first, then delivers to each (<see cref="DeliverAsync"/>): a crash between
    /// two routes leaves the later ones queued, so <see cref="IsUnfinishedAsync"/> finds them.
    /// </summary>
    public async Task<IReadOnlyList<Delivery>> DeliverAllAsync(Notification notification, IReadOnlyList<NotifyRoute> routes, CancellationToken cancellationToken)
    {
        foreach (var route in routes)
        {
            try
            {
                await outbox.EnqueueAsync(notification.KeyFor(route), route.Target, NotificationRenderer.Hash(NotificationRenderer.Render(notification, route)), cancellationToken);
            }
            catch (LedgerException e) when (e.Reason == LedgerFailureReason.Conflict)
            {
                // DeliverAsync reports it for this route.
            }
        }
        var deliveries = new List<Delivery>(routes.Count);
        foreach (var route in routes)
            deliveries.Add(await DeliverAsync(notification, route, null, cancellationToken));
        return deliveries;
    }

    public async Task<Delivery> DeliverAsync(Notification notification, NotifyRoute route, JournaledCall? journal, CancellationToken cancellationToken)
    {
        var key = notification.KeyFor(route);
        var existing = await outbox.GetOutboxItemAsync(key, cancellationToken);
        if (existing is { Status: OutboxStatus.Delivered })
            return new Delivery(route, key, true, StatusOf(existing.Receipt), null, existing.UpdatedAt, AlreadyDelivered: true);
        if (existing is { Status: OutboxStatus.Sending } && !route.DropsRepeats && !resendUnconfirmed)
        {
            return new Delivery(route, key, false, Delivery.UnconfirmedStatus,
                $"sent at {NotificationRenderer.Iso(existing.UpdatedAt)} by an attempt that stopped before its answer was recorded, so it may have arrived; " +
                $"{route.Target} cannot be asked and drops no repeat, so it is not sent again (if it did not arrive: 'rewind notify --retry --live')",
                existing.UpdatedAt, AlreadyDelivered: false);
        }

        var payload = NotificationRenderer.Render(notification, route);
        var hash = NotificationRenderer.Hash(payload);
        try
        {
            await outbox.EnqueueAsync(key, route.Target, hash, cancellationToken);
        }
        catch (LedgerException e) when (e.Reason == LedgerFailureReason.Conflict)
        {
            return Failed(route, key, $"{key} was queued for another target or with other content (the configuration changed?): not sent");
        }

        var url = environment(route.EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(url))
        {
            var missing = $"environment variable {route.EnvironmentVariable} is not set";
            await outbox.MarkFailedAsync(key, missing, cancellationToken);
            return Failed(route, key, missing);
        }

        async Task<DeliveryAttempt> SendAsync(CancellationToken ct)
        {
            // The intent is durable before the request: a crash from here to the mark below leaves it Sending.
            await outbox.MarkSendingAsync(key, ct);
            var attempt = await sender.PostAsync(url, key, payload, ct);
            if (!attempt.Ok)
            {
                await outbox.MarkFailedAsync(key, attempt.Error ?? attempt.Status, ct);
                throw new DeliveryFailedException(attempt);
            }
            await outbox.MarkDeliveredAsync(key, $"HTTP {attempt.Status}", ct);
            return attempt;
        }

        try
        {
            var request = new JsonObject { ["key"] = key, ["target"] = route.Target, ["payloadHash"] = hash };
            var sent = journal is null
                ? await SendAsync(cancellationToken)
                : await journal($"Notify {key}", request, SendAsync, a => new JsonObject { ["status"] = a.Status, ["attempts"] = a.Attempts }, cancellationToken);
            return new Delivery(route, key, true, sent.Status, null, time.GetUtcNow(), AlreadyDelivered: false);
        }
        catch (DeliveryFailedException e)
        {
            return new Delivery(route, key, false, e.Attempt.Status, e.Attempt.Error, time.GetUtcNow(), AlreadyDelivered: false);
        }
    }

    private Delivery Failed(NotifyRoute route, string key, string error) => new(route, key, false, "error", error, time.GetUtcNow(), false);

    private static string StatusOf(string? receipt) =>
        receipt is not null && receipt.StartsWith("HTTP ", StringComparison.Ordinal) ? receipt[5..] : receipt ?? "delivered";

    /// <summary>Each delivery attempted, as evidence: audience, target, when, the receiver's status, the error, the outbox key.</summary>
    public static IReadOnlyList<AudienceDelivery> Evidence(IReadOnlyList<Delivery> deliveries) =>
        [.. deliveries.Select(d => new AudienceDelivery(d.Route.Audience, d.Route.Target, d.SentAt, d.Status, d.Error, d.Key, d.Delivered))];

    /// <summary>The notify step's evidence: every delivery and the counts.</summary>
    public static TeamNotified Notified(IReadOnlyList<Delivery> deliveries) =>
        new(Evidence(deliveries), deliveries.Count(d => d.Delivered), deliveries.Count(d => !d.Delivered));
}

/// <summary>A delivery that did not reach its receiver; its message never contains the URL.</summary>
public sealed class DeliveryFailedException(DeliveryAttempt attempt) : Exception(attempt.Error ?? $"HTTP {attempt.Status}")
{
    public DeliveryAttempt Attempt { get; } = attempt;
}
