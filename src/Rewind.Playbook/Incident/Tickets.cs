using System.Net;
using System.Text.Json.Nodes;
using Rewind.Core;

namespace Rewind.Playbook.Incident;

/// <summary>What a tracker is asked to create for an incident; built only from what the ledger keeps, so a resumed run builds the same.</summary>
/// <param name="Incident">The incident id (<c>INC-0001</c>).</param>
/// <param name="Title">The ticket's title.</param>
/// <param name="Body">The ticket's description (Markdown).</param>
/// <param name="Owner">The incident's owner (a person; trackers assign their own configured account).</param>
/// <param name="Due">When the postmortem is due.</param>
/// <param name="Marker">A unique token of the sending run (<c>rewind-run-…</c>), written into the ticket so it can be found again.</param>
public sealed record TicketRequest(string Incident, string Title, string Body, string Owner, DateTimeOffset Due, string Marker);

/// <summary>A ticket as the tracker reports it.</summary>
/// <param name="Id">What the tracker reads it back by (GitHub issue number, Jira key).</param>
/// <param name="Display">How people name it: <c>acme/api#12</c>, <c>OPS-7</c>.</param>
/// <param name="Link">Its web address.</param>
/// <param name="Title">Its title.</param>
/// <param name="Assignee">Its assignee, if any.</param>
/// <param name="Labels">Its labels.</param>
/// <param name="Due">Its due date as the tracker keeps it, if it has one.</param>
public sealed record Ticket(string Id, string Display, string Link, string Title, string? Assignee, IReadOnlyList<string> Labels, string? Due);

/// <summary>An issue tracker a postmortem ticket is created in; each is a real HTTP client.</summary>
public interface ITicketTracker
{
    /// <summary>Short name in keys and evidence: <c>github</c>, <c>jira</c>.</summary>
    string Name { get; }

    /// <summary>Where tickets go, for the outbox and messages (no secret): <c>github:acme/api</c>.</summary>
    string Target { get; }

    /// <summary>Proves the credentials and the project before anything is created (an authenticated read).</summary>
    Task CheckAccessAsync(CancellationToken cancellationToken);

    /// <summary>The request line and JSON body exactly as <see cref="CreateAsync"/> sends them (credentials are headers, never here).</summary>
    (string Request, JsonObject Body) Describe(TicketRequest request);

    /// <summary>Creates the ticket.</summary>
    Task<Ticket> CreateAsync(TicketRequest request, CancellationToken cancellationToken);

    /// <summary>The ticket an earlier attempt created with this request's marker, or null.</summary>
    Task<Ticket?> FindAsync(TicketRequest request, CancellationToken cancellationToken);

    /// <summary>Reads a ticket back from the tracker.</summary>
    Task<Ticket> ReadAsync(string id, CancellationToken cancellationToken);
}

/// <summary>The HTTP plumbing the trackers share: the secret from its variable, timeouts, one clear line per failure.</summary>
internal static class TrackerHttp
{
    /// <summary>The value of <paramref name="variable"/>; a missing one is bad input naming the variable.</summary>
    public static string Secret(Func<string, string?> environment, string variable, string what) =>
        environment(variable) is { Length: > 0 } value
            ? value
            : throw new RewindException($"{variable} is not set", $"export {variable} with {what}", FailureKind.BadInput);

    /// <summary>Sends and returns the JSON answer; 401/403 name the variable holding the credential; 404 is null when <paramref name="notFoundIsNull"/>.</summary>
    public static async Task<JsonNode?> SendAsync(
        HttpClient http, HttpRequestMessage request, string tracker, string credentialVariable, string fix, CancellationToken cancellationToken,
        bool notFoundIsNull = false)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new RewindException($"{tracker} could not be reached ({e.Message})", "check the URL in rewind.yaml and the network, then run again", FailureKind.Failed);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RewindException($"{tracker} did not answer within {http.Timeout.TotalSeconds:0} s", "run again; a resumed run does not create a second ticket", FailureKind.Failed);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new RewindException(
                    $"{tracker} answered {(int)response.StatusCode} {response.StatusCode}: the credential in {credentialVariable} was refused",
                    fix, FailureKind.BadInput);
            }

            if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
                return null;

            if (!response.IsSuccessStatusCode)
            {
                throw new RewindException(
                    $"{tracker} answered {(int)response.StatusCode} {response.StatusCode} to {request.Method} {request.RequestUri?.AbsolutePath}{MessageOf(text)}",
                    "check the tracker's configuration in rewind.yaml", response.StatusCode == HttpStatusCode.NotFound ? FailureKind.BadInput : FailureKind.Failed);
            }

            try
            {
                return text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                throw new RewindException($"{tracker} answered {(int)response.StatusCode} with a body that is not JSON", "check the tracker's URL in rewind.yaml", FailureKind.Failed);
            }
        }
    }

    public static StringContent JsonBody(JsonNode body) =>
        new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    private static string MessageOf(string text)
    {
        try
        {
            // GitHub: {"message": …}; Jira: {"errorMessages": […], "errors": {…}}.
            var answer = JsonNode.Parse(text);
            return (answer?["message"] ?? (answer?["errorMessages"] as JsonArray)?.FirstOrDefault())?.GetValue<string>() is { } message ? $" ({message})" : "";
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            return "";
        }
    }
}
