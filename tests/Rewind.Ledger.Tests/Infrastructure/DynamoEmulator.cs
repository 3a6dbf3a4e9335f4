using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Rewind.Ledger.DynamoDb;

[assembly: AssemblyFixture(typeof(Rewind.Ledger.Tests.Infrastructure.DynamoEmulator))]

namespace Rewind.Ledger.Tests.Infrastructure;

/// <summary>
/// One moto server for the whole test assembly, on a free 127.0.0.1 port, stopped by its PID. Private to this
/// project until the shared fixture in tests/Rewind.Testing exists.
/// </summary>
/// <remarks>
/// moto_server handles requests on parallel threads without isolating them, so two conditional writes to one item
/// can both pass their condition (seen here: two concurrent <c>ADD</c>s on a counter returned the same number).
/// DynamoDB itself applies writes to an item atomically. The server is therefore started with its request handler
/// serialised, which restores DynamoDB's per-item atomicity and nothing more: clients still interleave freely
/// between their reads and their conditional writes, which is what the concurrency tests exercise.
/// </remarks>
public sealed class DynamoEmulator : IAsyncLifetime
{
    public const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    private const string SerialisedMotoServer =
        """
        import sys, threading
        from moto.moto_server import werkzeug_app
        lock = threading.Lock()
        handle = werkzeug_app.DomainDispatcherApplication.__call__
        def serialised(self, environ, start_response):
            with lock:
                return handle(self, environ, start_response)
        werkzeug_app.DomainDispatcherApplication.__call__ = serialised
        from moto.server import main
        main(["-H", "127.0.0.1", "-p", sys.argv[1]])
        """;

    private Process? _process;
    private string? _unavailable;
    private int _tables;

    public Uri Endpoint { get; private set; } = new("http://127.0.0.1:1");

    public async ValueTask InitializeAsync()
    {
        var port = FreePort();
        var start = new ProcessStartInfo("python3")
        {
            ArgumentList = { "-c", SerialisedMotoServer, port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            _process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            _unavailable = $"moto_server could not be started ({e.Message})";
            return;
        }

        if (_process is null)
        {
            _unavailable = "moto_server could not be started";
            return;
        }

        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                _unavailable = $"moto_server exited with {_process.ExitCode}";
                return;
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        _unavailable = "moto_server did not listen within 30 s";
    }

    public ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Skips the calling test, saying why, when moto_server is not available on this machine.</summary>
    public void SkipIfUnavailable()
    {
        if (_unavailable is not null)
        {
            Assert.Skip(_unavailable);
        }
    }

    public AmazonDynamoDBClient CreateClient() =>
        new(
            new BasicAWSCredentials(AccessKey, SecretKey),
            new AmazonDynamoDBConfig
            {
                ServiceURL = Endpoint.ToString(),
                AuthenticationRegion = "us-east-1",
                Timeout = TimeSpan.FromSeconds(20),
            });

    /// <summary>A table name no other test uses.</summary>
    public string UniqueTableName(string purpose)
    {
        var name = $"rewind-{purpose}-{Interlocked.Increment(ref _tables)}-{Guid.NewGuid():N}";
        return name[..Math.Min(name.Length, 48)];
    }

    /// <summary>Creates a fresh ledger table and returns its name.</summary>
    public async Task<string> CreateLedgerTableAsync(string purpose, CancellationToken cancellationToken)
    {
        SkipIfUnavailable();
        var table = UniqueTableName(purpose);
        using var client = CreateClient();
        await DynamoDbTable.CreateTableAsync(client, table, cancellationToken);
        return table;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
