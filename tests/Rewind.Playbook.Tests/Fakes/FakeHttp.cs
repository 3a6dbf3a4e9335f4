using System.Net;
using System.Text;

namespace Rewind.Playbook.Tests.Fakes;

/// <summary>
/// The service the smoke checks call, as an <see cref="HttpMessageHandler"/> (no socket): answers by path
/// (<see cref="Answers"/>), healthy by default, and records every request with the API key header it carried.
/// </summary>
internal sealed class FakeHttp : HttpMessageHandler
{
    /// <summary>Every request as "METHOD url", in order.</summary>
    public List<string> Requests { get; } = [];

    /// <summary>The X-API-Key header of every request that had one.</summary>
    public List<string> ApiKeys { get; } = [];

    /// <summary>Status and JSON body by path; a path not listed answers 404.</summary>
    public Dictionary<string, (HttpStatusCode Status, string Body)> Answers { get; } = new(StringComparer.Ordinal)
    {
        ["/health"] = (HttpStatusCode.OK, """{"status":"ok"}"""),
        ["/api/enqueue"] = (HttpStatusCode.OK, """{"request_id":"r-1"}"""),
    };

    public HttpClient Client() => new(this, disposeHandler: false);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Requests.Add($"{request.Method} {request.RequestUri}");
        if (request.Headers.TryGetValues("X-API-Key", out var keys))
            ApiKeys.AddRange(keys);
        var (status, body) = Answers.TryGetValue(request.RequestUri!.AbsolutePath, out var answer) ? answer : (HttpStatusCode.NotFound, "{}");
        return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json"), RequestMessage = request });
    }
}
