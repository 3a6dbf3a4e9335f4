using Rewind.Aws.Credentials;
using Rewind.Aws.Endpoints;
using Rewind.Aws.Transport;

namespace Rewind.Aws.Tests.Transport;

/// <summary>Builds an <see cref="AwsTransport"/> aimed at a loopback endpoint, the way the CLI builds one for AWS.</summary>
public static class TestTransport
{
    /// <summary>The fake clock's start: a whole second, so X-Amz-Date and Retry-After dates line up exactly.</summary>
    public static readonly DateTimeOffset Start = new(2025, 3, 14, 9, 26, 53, TimeSpan.Zero);

    // One client for every test, as in the product; no proxy, so a developer's HTTP_PROXY cannot swallow loopback calls.
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false });

    public static AwsRequest DescribeServices { get; } = new(
        "DescribeServices", HttpMethod.Post, "/",
        Headers: [new("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.DescribeServices")],
        Body: """{"cluster":"prod"}"""u8.ToArray(),
        ContentType: "application/x-amz-json-1.1")
    { IsReadOnly = true };

    public static AwsSession SessionFor(string endpointUrl) => new(
        "us-east-1",
        RegionSource.Flag,
        new StaticCredentialSource(new AwsCredentials("AKID", "SECRET")),
        new AwsEndpointResolver(endpointUrl, null, _ => null));

    public static AwsTransport For(string endpointUrl, AwsTransportOptions options, TimeProvider clock) =>
        new(Http, SessionFor(endpointUrl), options, clock);

    public static string AmzDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
