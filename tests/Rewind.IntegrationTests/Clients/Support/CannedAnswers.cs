using System.Net;
using System.Text;

namespace Rewind.IntegrationTests.Clients.Support;

/// <summary>
/// An HTTP handler that answers each request with the next canned answer and records what was sent, for shapes moto
/// cannot produce (real AWS answers, many pages, many events, error bodies).
/// </summary>
public sealed class CannedAnswers : HttpMessageHandler
{
    private readonly Queue<Func<HttpResponseMessage>> _answers = new();
    private readonly List<SentRequest> _sent = [];

    public IReadOnlyList<SentRequest> Sent => _sent;

    /// <summary>Queues a JSON answer (awsJson services).</summary>
    public CannedAnswers Json(string body, HttpStatusCode status = HttpStatusCode.OK, string contentType = "application/x-amz-json-1.1") =>
        Answer(status, body, contentType);

    public CannedAnswers Answer(HttpStatusCode status, string body, string contentType)
    {
        _answers.Enqueue(() => new HttpResponseMessage(status)
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        });
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.First() : null;
        _sent.Add(new SentRequest(request.Method, request.RequestUri!, target, body));
        if (!_answers.TryDequeue(out var next))
            throw new InvalidOperationException($"no canned answer left for request {_sent.Count} ({target ?? request.RequestUri!.ToString()})");
        return next();
    }
}

/// <summary>One request the handler saw.</summary>
public sealed record SentRequest(HttpMethod Method, Uri Uri, string? Target, string Body);
