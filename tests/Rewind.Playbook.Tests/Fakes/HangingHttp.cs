using System.Net;

namespace Rewind.Playbook.Tests.Fakes;

/// <summary>A server that never answers until the request is cancelled (timeouts); <see cref="Arrived"/> completes once a request came in.</summary>
internal sealed class HangingHttp : HttpMessageHandler
{
    public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Arrived.TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return new HttpResponseMessage(HttpStatusCode.OK);
    }
}
