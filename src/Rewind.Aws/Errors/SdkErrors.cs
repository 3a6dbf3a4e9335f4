using System.Net.Sockets;
using Amazon.Runtime;

namespace Rewind.Aws.Errors;

/// <summary>Gives calls through the official AWSSDK clients the same typed failures as the hand-written ones.</summary>
public static class SdkErrors
{
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
