using System.Net;
using Microsoft.Extensions.Time.Testing;
using Rewind.Playbook.Notify;

namespace Rewind.Playbook.Tests.Fakes;

/// <summary>
/// Every webhook receiver in memory: records each POST (URL, Idempotency-Key, body) and answers with
/// <see cref="Status"/>; <see cref="CrashOnRequest"/> kills the run as the Nth request arrives (after it was received).
/// </summary>
internal sealed class FakeWebhook : HttpMessageHandler
{
    public const string SlackVariable = "TEAM_HOOK";
    public const string WebhookVariable = "SUPPORT_HOOK";

    public List<(string Url, string Key, string Body)> Requests { get; } = [];

    public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

    public int? CrashOnRequest { get; set; }

    public CancellationTokenSource Kill { get; } = new();

    public static IReadOnlyList<NotifyRoute> Routes { get; } =
        [new(Audiences.Team, NotifyRoute.Slack, SlackVariable, "#releases"), new(Audiences.Support, NotifyRoute.Webhook, WebhookVariable, null)];

    /// <summary>An outbox over <paramref name="store"/> posting here, one attempt per message, the URLs in a fake environment.</summary>
    public NotificationOutbox Outbox(Core.Ledger.IOutboxStore store, FakeTimeProvider clock, bool resendUnconfirmed = false) => new(
        store, new WebhookSender(new HttpClient(this), new WebhookOptions(TimeSpan.FromMinutes(5), 1, TimeSpan.Zero), clock),
        name => name switch { SlackVariable => "https://hooks.example/slack", WebhookVariable => "https://hooks.example/support", _ => null }, clock, resendUnconfirmed);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = await request.Content!.ReadAsStringAsync(cancellationToken);
        lock (Requests)
            Requests.Add((request.RequestUri!.ToString(), request.Headers.GetValues("Idempotency-Key").Single(), body));
        if (CrashOnRequest == Requests.Count)
        {
            CrashOnRequest = null;
            await Kill.CancelAsync();
            throw new OperationCanceledException(Kill.Token);
        }
        return new HttpResponseMessage(Status) { Content = new StringContent("ok") };
    }
}
