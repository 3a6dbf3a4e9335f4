using Rewind.Aws;
using Rewind.Aws.Credentials;
using Rewind.Aws.Endpoints;
using Rewind.Aws.Transport;
using Rewind.IntegrationTests.Emulator;

namespace Rewind.IntegrationTests.Clients.Support;

/// <summary>Builds the wire layer pointed at a moto fixture (or at a canned-answer handler), signing with the fixture's key.</summary>
public static class ClientFactory
{
    /// <summary>One attempt only: a failure surfaces at once instead of after the transport's backoff.</summary>
    public static readonly AwsTransportOptions SingleAttempt = new() { MaxAttempts = 1 };

    /// <summary>A session for the fixture's endpoint and region, signed with its key (or with <paramref name="secretAccessKey"/>).</summary>
    public static AwsSession Session(EmulatorFixture fixture, string? secretAccessKey = null) =>
        Session(fixture.Endpoint, fixture.AccessKeyId, secretAccessKey ?? fixture.SecretAccessKey);

    public static AwsSession Session(Uri endpoint, string accessKeyId, string secretAccessKey) =>
        new(
            EmulatorFixture.Region,
            RegionSource.Flag,
            new StaticCredentialSource(new AwsCredentials(accessKeyId, secretAccessKey)),
            new AwsEndpointResolver(endpoint.ToString(), null, _ => null));

    /// <summary>A transport to the fixture over a proxy-free loopback HttpClient.</summary>
    public static AwsTransport Transport(EmulatorFixture fixture, string? secretAccessKey = null, AwsTransportOptions? options = null) =>
        new(MotoServer.CreateHttpClient(), Session(fixture, secretAccessKey), options ?? SingleAttempt);

    /// <summary>A transport whose secret key is wrong: every checked request must fail with SignatureDoesNotMatch.</summary>
    public static AwsTransport WronglySignedTransport(EmulatorFixture fixture) =>
        Transport(fixture, "wrong" + fixture.SecretAccessKey[5..]);

    /// <summary>A transport whose requests are answered by <paramref name="handler"/> (nothing leaves the process).</summary>
    public static AwsTransport Transport(HttpMessageHandler handler, AwsTransportOptions? options = null) =>
        new(
            new HttpClient(handler),
            Session(new Uri("http://127.0.0.1:9/"), MotoServer.UncheckedAccessKeyId, MotoServer.UncheckedSecretAccessKey),
            options ?? SingleAttempt);

    /// <summary>A resource name unique to this test run: "prefix-1a2b3c4d".</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
}
