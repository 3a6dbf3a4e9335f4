using System.Net;
using System.Text;

namespace Rewind.Playbook.Tests.Fakes;

/// <summary>One request as <see cref="ScriptedHttp"/> received it: method, absolute URL, every header (content headers too) and the body.</summary>
internal sealed record SentRequest(string Method, string Url, IReadOnlyDictionary<string, string> Headers, string? Body)
{
    public string Line => $"{Method} {Url}";

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// An HTTP server in memory for the hand-written clients (trackers, webhooks): records every request in full and
/// answers from <see cref="Answers"/> in order (the last one repeats), or from <see cref="Answer"/> when set; an answer
/// with an <see cref="ScriptedAnswer.Error"/> throws it instead (connection refused, timeout).
/// </summary>
internal sealed class ScriptedHttp : HttpMessageHandler
{
    public List<SentRequest> Requests { get; } = [];

    public Queue<ScriptedAnswer> Answers { get; } = new();

    /// <summary>Answers by request, ahead of <see cref="Answers"/>.</summary>
    public Func<SentRequest, ScriptedAnswer>? Answer { get; set; }

    private ScriptedAnswer? _last;

    public HttpClient Client(TimeSpan? timeout = null) => new(this, disposeHandler: false) { Timeout = timeout ?? TimeSpan.FromSeconds(100) };

    /// <summary>Queues answers; returns this for chaining.</summary>
    public ScriptedHttp Then(HttpStatusCode status, string body = "")
    {
        Answers.Enqueue(new ScriptedAnswer(status, body));
        return this;
    }

    /// <summary>Queues a failure to reach the server.</summary>
    public ScriptedHttp ThenThrow(Exception error)
    {
        Answers.Enqueue(new ScriptedAnswer(HttpStatusCode.OK, "", error));
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
            headers[name] = string.Join(", ", values);
        string? body = null;
        if (request.Content is { } content)
        {
            foreach (var (name, values) in content.Headers)
                headers[name] = string.Join(", ", values);
            body = await content.ReadAsStringAsync(cancellationToken);
        }
        var sent = new SentRequest(request.Method.Method, request.RequestUri!.AbsoluteUri, headers, body);
        lock (Requests)
            Requests.Add(sent);
        var answer = Answer?.Invoke(sent) ?? Next();
        if (answer.Error is { } error)
            throw error;
        return new HttpResponseMessage(answer.Status) { Content = new StringContent(answer.Body, Encoding.UTF8, "application/json"), RequestMessage = request };
    }

    private ScriptedAnswer Next()
    {
        lock (Answers)
        {
            if (Answers.TryDequeue(out var next))
                _last = next;
            return _last ?? new ScriptedAnswer(HttpStatusCode.OK, "{}");
        }
    }
}

/// <summary>A status and JSON body, or an exception to throw.</summary>
internal sealed record ScriptedAnswer(HttpStatusCode Status, string Body, Exception? Error = null);
