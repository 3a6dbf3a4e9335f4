using System.Text.Json.Nodes;

namespace Rewind.Playbook.Incident;

/// <summary>
/// A generic JSON webhook told of each incident. The URL is a secret (it is the credential): read from its variable
/// at send time, never printed. Receivers can drop duplicates by the <c>Idempotency-Key</c> header.
/// </summary>
public sealed class IncidentWebhook(HttpClient http, string urlVariable, Func<string, string?> environment)
{
    public string Target => $"webhook:${urlVariable}";

    /// <summary>Fails as bad input when the variable is unset or not an http(s) URL.</summary>
    public void Check()
    {
        var url = TrackerHttp.Secret(environment, urlVariable, "the incident webhook's URL");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new Core.RewindException($"{urlVariable} does not hold an http(s) URL", $"export {urlVariable} with the webhook's URL", Core.FailureKind.BadInput);
        if (Core.UrlCredentials.In(uri))
            throw new Core.RewindException(Core.UrlCredentials.Problem($"the webhook URL in {urlVariable} (incident.webhook_env)"), Notify.WebhookSender.CredentialsHint, Core.FailureKind.BadInput);
    }

    /// <summary>Posts <paramref name="payload"/> and returns the HTTP status code; non-2xx fails (the URL is never in the message).</summary>
    public async Task<int> SendAsync(JsonObject payload, string idempotencyKey, CancellationToken cancellationToken)
    {
        Check();
        using var request = new HttpRequestMessage(HttpMethod.Post, TrackerHttp.Secret(environment, urlVariable, "the incident webhook's URL"));
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        request.Content = TrackerHttp.JsonBody(payload);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new Core.RewindException($"the incident webhook in {urlVariable} could not be reached ({e.HttpRequestError})", "check the URL and the network, then run again", Core.FailureKind.Failed);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new Core.RewindException($"the incident webhook in {urlVariable} did not answer within {http.Timeout.TotalSeconds:0} s", "run again", Core.FailureKind.Failed);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is 401 or 403)
                throw new Core.RewindException($"the incident webhook answered {status}: the URL in {urlVariable} was refused", $"set {urlVariable} to the webhook's current URL", Core.FailureKind.BadInput);
            if (!response.IsSuccessStatusCode)
                throw new Core.RewindException($"the incident webhook in {urlVariable} answered {status} {response.StatusCode}", "check the receiver, then run again", Core.FailureKind.Failed);
            return status;
        }
    }
}
