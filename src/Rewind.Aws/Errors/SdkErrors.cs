using System.Net.Sockets;
using Amazon.Runtime;

namespace Rewind.Aws.Errors;

/// <summary>Gives calls through the official AWSSDK clients the same typed failures as the hand-written ones.</summary>
public static class SdkErrors
{
    /// <summary>
    /// One official-SDK call within <paramref name="deadline"/> (the transport's overall timeout, so every client has
    /// the same bound): its failures typed, the deadline reported as unavailable.
    /// </summary>
    public static async Task<T> CallAsync<T>(
        AwsService service, string operation, TimeSpan deadline, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var bound = new CancellationTokenSource(deadline);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
        try
        {
            return await CallAsync(service, operation, () => call(linked.Token));
        }
        catch (OperationCanceledException e) when (bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var seconds = deadline.TotalSeconds >= 1 ? $"{deadline.TotalSeconds:0.#} s" : $"{deadline.TotalMilliseconds:0} ms";
            throw new AwsUnavailableException(service, operation, $"no answer within {seconds}",
                "check --endpoint-url / AWS_ENDPOINT_URL, the network and that the endpoint is running", e);
        }
    }

    public static async Task<T> CallAsync<T>(AwsService service, string operation, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonServiceException e) when (e.StatusCode != 0 && e.ErrorCode is not null)
        {
            throw new AwsServiceException(service, operation, e.ErrorCode, e.Message, (int)e.StatusCode, e.RequestId);
        }
        catch (Exception e) when (Unreachable(e) is { } reason)
        {
            throw new AwsUnavailableException(service, operation, reason,
                "check --endpoint-url / AWS_ENDPOINT_URL, the network and that the endpoint is running", e);
        }
    }

    private static string? Unreachable(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case SocketException socket:
                    return socket.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : socket.Message;
                case HttpRequestException http when http.InnerException is null:
                    return http.Message;
                case TimeoutException or TaskCanceledException { InnerException: TimeoutException }:
                    return "no answer in time";
            }
        }
        return null;
    }
}
