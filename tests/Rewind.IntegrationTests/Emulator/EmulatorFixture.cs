using Xunit;

namespace Rewind.IntegrationTests.Emulator;

/// <summary>
/// One moto server for a test collection, signatures not checked (any key works, but requests must still carry a
/// SigV4 Authorization header: moto routes by its credential scope). Use with <c>[Collection("emulator")]</c>.
/// </summary>
public class EmulatorFixture : IAsyncLifetime
{
    private MotoServer? _server;

    public MotoServer Server => _server ?? throw new InvalidOperationException("The emulator has not started.");

    public Uri Endpoint => Server.Endpoint;

    public string AccessKeyId => Server.AccessKeyId;

    public string SecretAccessKey => Server.SecretAccessKey;

    public const string Region = "us-east-1";

    public virtual async ValueTask InitializeAsync() =>
        _server = await MotoServer.StartAsync(CreateOptions(), TestContext.Current.CancellationToken);

    /// <summary>Wipes moto's state (POST /moto-api/reset). Refused in signed mode, see <see cref="MotoServer.ResetAsync"/>.</summary>
    public Task ResetAsync(CancellationToken cancellationToken = default) => Server.ResetAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Override to add environment variables or a Python bootstrap module.</summary>
    protected virtual MotoServerOptions CreateOptions() => new();
}

/// <summary>
/// One moto server with SigV4 signature and IAM checking on; sign every request with
/// <see cref="EmulatorFixture.AccessKeyId"/>/<see cref="EmulatorFixture.SecretAccessKey"/> (created at start).
/// <see cref="EmulatorFixture.ResetAsync"/> is refused: it would delete that key. Use with
/// <c>[Collection("signed-emulator")]</c>.
/// </summary>
public class SignedEmulatorFixture : EmulatorFixture
{
    protected override MotoServerOptions CreateOptions() => new() { VerifySignatures = true };
}

[CollectionDefinition("emulator")]
public sealed class EmulatorCollection : ICollectionFixture<EmulatorFixture>;

[CollectionDefinition("signed-emulator")]
public sealed class SignedEmulatorCollection : ICollectionFixture<SignedEmulatorFixture>;
