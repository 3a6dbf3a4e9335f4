namespace Rewind.Playbook.Notify;

/// <summary>What a message is about, in the outbox key and the webhook's <c>event</c> field.</summary>
public static class NotificationKinds
{
    public const string Started = "started";
    public const string Finished = "finished";
    public const string Failed = "failed";
    public const string FreezeOn = "freeze-on";
    public const string FreezeOff = "freeze-off";
    public const string Message = "message";

    public static IReadOnlyList<string> All { get; } = [Started, Finished, Failed, FreezeOn, FreezeOff, Message];

    /// <summary>The <c>event</c> of the generic webhook: <c>rollback.finished</c>, <c>freeze.on</c>, <c>message</c>.</summary>
    public static string EventOf(string kind) => kind switch
    {
        Started or Finished or Failed => "rollback." + kind,
        FreezeOn => "freeze.on",
        FreezeOff => "freeze.off",
        _ => "message",
    };
}

/// <summary>
/// The facts one message states, all read back from the ledger (run, journal, freeze, incident), never from the
/// moment of sending: rendering the same facts again gives the same bytes, so a retry re-sends exactly what was
/// queued (the outbox keeps only the payload's hash and refuses a different one).
/// </summary>
/// <param name="Kind">One of <see cref="NotificationKinds"/>.</param>
/// <param name="Service">The service it concerns.</param>
/// <param name="Subject">The run id or freeze id the message belongs to (the first part of its outbox key).</param>
/// <param name="Status">started, succeeded, failed, frozen, unfrozen or sent.</param>
/// <param name="Time">When the event happened, as journaled.</param>
/// <param name="RunId">The run, if any.</param>
/// <param name="From">The release that was running before the rollback.</param>
/// <param name="To">The release rolled back to.</param>
/// <param name="Duration">How long the rollback took up to this event.</param>
/// <param name="Incident">The incident, if one is tied to it.</param>
/// <param name="ImpactSince">Since when customers may have seen the problem.</param>
/// <param name="Detail">The failed step, the freeze's reason or root cause, or the operator's message.</param>
public sealed record Notification(
    string Kind,
    string Service,
    string Subject,
    string Status,
    DateTimeOffset Time,
    string? RunId = null,
    string? From = null,
    string? To = null,
    TimeSpan? Duration = null,
    string? Incident = null,
    DateTimeOffset? ImpactSince = null,
    string? Detail = null)
{
    /// <summary>The outbox key of this message to one route: <c>{run or freeze id}/notify/{kind}/{audience}/{slack|webhook}</c>.</summary>
    public string KeyFor(NotifyRoute route) => $"{Subject}/notify/{Kind}/{route.Audience}/{route.Kind}";
}

/// <summary>An outbox key of a notification, taken apart.</summary>
public sealed record NotificationKey(string Subject, string Kind, string Audience, string Channel)
{
    /// <summary>The parts of a key written by <see cref="Notification.KeyFor"/>, or null for any other outbox item (tickets, another tool's).</summary>
    public static NotificationKey? Parse(string key)
    {
        var parts = key.Split('/');
        return parts is [var subject, "notify", var kind, var audience, var channel]
            && NotificationKinds.All.Contains(kind) && Audiences.All.Contains(audience) && channel is NotifyRoute.Slack or NotifyRoute.Webhook
            ? new NotificationKey(subject, kind, audience, channel)
            : null;
    }
}
