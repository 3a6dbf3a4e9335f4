using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Rewind.Aws.Errors;
using Rewind.Aws.Transport;

namespace Rewind.Aws.Protocols;

/// <summary>The awsJson1_0 / awsJson1_1 protocols: POST "/", <c>X-Amz-Target: Prefix.Operation</c>, JSON both ways.</summary>
public sealed class JsonProtocol(AwsTransport transport, AwsService service, string targetPrefix, string jsonVersion)
{
    private readonly string _contentType = "application/x-amz-json-" + jsonVersion;

    public AwsService Service => service;

    public async Task<TResponse> InvokeAsync<TRequest, TResponse>(
        string operation, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType,
        CancellationToken cancellationToken, bool readOnly = true, CallClass? declaredClass = null)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        var response = await transport.SendAsync(service, new AwsRequest(
            operation, HttpMethod.Post, "/",
            Headers: [new("X-Amz-Target", $"{targetPrefix}.{operation}")],
            Body: body, ContentType: _contentType)
        { IsReadOnly = readOnly, Class = declaredClass }, cancellationToken);
        try
        {
            return (response.Body.Length == 0 ? default : JsonSerializer.Deserialize(response.Body, responseType))
                ?? throw Malformed(operation, "an empty answer", response);
        }
        catch (JsonException e)
        {
            throw Malformed(operation, e.Message, response);
        }
    }

    private AwsServiceException Malformed(string operation, string why, AwsResponse response) =>
        new(service, operation, "MalformedResponse", $"the answer could not be read: {why}", response.Status, response.RequestId);
}
