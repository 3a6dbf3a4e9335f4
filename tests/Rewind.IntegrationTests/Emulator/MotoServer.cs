// What moto 5.2.1 (moto_server) does with signatures: read from its source (moto/core/authorization.py,
// moto/core/responses.py, moto/iam/access_control.py, moto/core/exceptions.py,
// moto/moto_server/werkzeug_app.py) and checked by hand with the aws CLI (aws-cli 1.45 / botocore 1.43).
//
// ROUTING (matters even with checking off)
// - moto picks the service from the Authorization header's credential scope
//   (`Credential=AKID/20250101/us-east-1/<service>/aws4_request`). The Host header is NOT used. Without an
//   Authorization header it only recognises a few Cognito targets and a few STS actions, and otherwise sends the
//   request to S3: an unsigned `POST Action=GetCallerIdentity` is answered by S3 ListBuckets. So every request,
//   signed or not, must carry an Authorization header naming the right service (a SigV4 signer does this anyway).
//
// THE COUNTER (INITIAL_NO_AUTH_ACTION_COUNT)
// - `ActionAuthenticatorMixin.request_count` is one process-wide counter. Each request that reaches a service
//   handler (BaseResponse.call_action, and the S3 handlers) adds 1 while request_count < INITIAL_NO_AUTH_ACTION_COUNT
//   and is not checked; once request_count >= the limit, every such request is checked. The counting happens
//   before the action runs, so failing requests (bad parameters, an action the service lacks) count too.
// - /moto-api/* requests (readiness probe, reset, data.json) never count: they are not dispatched through a
//   service. Requests that match no route do not count either. A stray unsigned `GET /` counts (S3 ListBuckets).
// - POST /moto-api/reset wipes every backend (including the IAM user and key made below) but leaves the counter
//   and the limit alone, so after a reset in signed mode every request fails with InvalidClientTokenId.
// - POST /moto-api/reset-auth (raw body = new limit, not form-encoded) sets the limit and zeroes the counter;
//   it is itself unauthenticated. We do not use it.
// - So here: limit = 3 = CreateUser + PutUserPolicy + CreateAccessKey, sent with an unsigned-but-routable
//   Authorization header; the readiness probe goes to /moto-api/ and costs nothing. Request 4 on is checked.
//
// THE CHECKS, IN ORDER (after the counter is spent)
// 1. The access key must belong to an IAM user of the account (or an assumed role, with X-Amz-Security-Token),
//    else 403 InvalidClientTokenId ("The security token included in the request is invalid.").
// 2. X-Amz-Date must be among the SignedHeaders (otherwise moto crashes: 500 HTML, KeyError). The signature is
//    recomputed with botocore's SigV4Auth over the SignedHeaders; a mismatch gives 403 SignatureDoesNotMatch.
// 3. IAM policy: sts:GetCallerIdentity is always allowed; anything else needs an Allow, else 403 AccessDenied
//    ("User: arn:aws:iam::123456789012:user/x is not authorized to perform: ecs:ListClusters").
//    EC2 answers 401 AuthFailure instead; S3 has its own error shapes.
// - A request with no Authorization header at all is NOT refused with 403: it is routed to S3 and crashes there,
//   500 Internal Server Error, text/html (KeyError 'HTTP_AUTHORIZATION').
// - GET requests cannot pass the check: for a correctly signed GET with no body (e.g. CloudFront
//   ListDistributions, GET /2020-05-31/distribution) moto hashes the header dict as the payload, so the
//   signature never matches (403 SignatureDoesNotMatch). Form bodies must encode spaces as '+'.
//
// ERROR BODIES (all protocols alike: query IAM/STS/CloudWatch, JSON ECS/Secrets Manager, REST CloudFront)
//   HTTP/1.1 403 FORBIDDEN
//   Content-Type: text/html; charset=utf-8          <- not XML, not JSON; no X-Amzn-ErrorType header
//   <?xml version="1.0" encoding="utf-8"?>
//   <ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated
//   does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the
//   service documentation for details.</Message><Type>Sender</Type></Error></Errors></ErrorResponse>
// - Note the extra <Errors> wrapper (real STS/IAM use <ErrorResponse><Error>). A client for a JSON service must
//   fall back to XML when the body starts with '<' and read the first Error/Code element anywhere in the tree.
//   botocore parses it for query services ("SignatureDoesNotMatch") but not for JSON services (it reports
//   "An error occurred (403)" with the raw XML as message).
// - With the created key, `aws sts get-caller-identity` returns arn:aws:iam::123456789012:user/rewind-test, and
//   ecs list-clusters / list-task-definitions, secretsmanager list-secrets / create-secret and cloudwatch
//   list-metrics (JSON 1.0 with x-amzn-query-mode) succeed.
//
// STARTUP TIME (measured here): 1.1-1.7 s from process start to the first answer (pyenv shim included; python
// -m moto.server directly is ~0.1 s faster), 1.5-2.2 s while several servers start in parallel. The three setup
// calls of signed mode add 0.1-0.3 s. Moto also loads each service lazily: the first ECS call on a fresh server
// takes ~1.6 s (later ones ~5 ms); STS/Secrets Manager first calls ~0.1 s. See StartupTime and SetupTime.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;

namespace Rewind.IntegrationTests.Emulator;

/// <summary>One <c>moto_server</c> process on a free loopback port, stopped by its PID on dispose.</summary>
public sealed class MotoServer : IAsyncDisposable
{
    /// <summary>Keys used when signatures are not checked (moto accepts any).</summary>
    public const string UncheckedAccessKeyId = "AKIAIOSFODNN7EXAMPLE";

    /// <summary>Secret used when signatures are not checked (moto accepts any).</summary>
    public const string UncheckedSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    /// <summary>The IAM user created in signed mode.</summary>
    public const string SignedUserName = "rewind-test";

    /// <summary>Unchecked requests made during signed-mode setup: CreateUser, PutUserPolicy, CreateAccessKey.</summary>
    public const int SetupActionCount = 3;

    private const string InstallHint = "Install moto with: pip install \"moto[server]==5.2.1\"";
    private const string AllowAllPolicy =
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""";
    private const int KeptOutputLines = 100;
    private const int PortAttempts = 3;

    // Runs an optional bootstrap file, then moto's own server entry point (moto/server.py main(argv)).
    private const string PythonLauncher =
        "import runpy, sys\n" +
        "boot, port = sys.argv[1], sys.argv[2]\n" +
        "if boot:\n" +
        "    runpy.run_path(boot)\n" +
        "from moto.server import main\n" +
        "main(['-H', '127.0.0.1', '-p', port])\n";

    private readonly Process _process;
    private readonly HttpClient _http;
    private readonly OutputTail _output;
    private int _disposed;

    private MotoServer(Process process, OutputTail output, int port, bool verifySignatures)
    {
        _process = process;
        _output = output;
        Pid = process.Id;
        Port = port;
        Endpoint = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        VerifySignatures = verifySignatures;
        _http = CreateHttpClient();
    }

    /// <summary>Base address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Endpoint { get; }

    public int Port { get; }

    public int Pid { get; }

    public bool VerifySignatures { get; }

    /// <summary>Access key to sign with: the created IAM user's in signed mode, a fixed example key otherwise.</summary>
    public string AccessKeyId { get; private set; } = UncheckedAccessKeyId;

    public string SecretAccessKey { get; private set; } = UncheckedSecretAccessKey;

    /// <summary>From process start until the server answered its first request.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>Time spent creating the IAM user and key in signed mode (zero otherwise).</summary>
    public TimeSpan SetupTime { get; private set; }

    /// <summary>The last lines moto wrote to stdout/stderr (werkzeug logs every request there).</summary>
    public string RecentOutput => _output.Text;

    public static async Task<MotoServer> StartAsync(MotoServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MotoServerOptions();
        if (options.PythonBootstrapModule is { } bootstrap && !File.Exists(bootstrap))
        {
            throw new FileNotFoundException($"Python bootstrap module for moto not found: {bootstrap}", bootstrap);
        }

        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            var output = new OutputTail(KeptOutputLines);
            var process = Launch(options, port, output);
            var server = new MotoServer(process, output, port, options.VerifySignatures);
            try
            {
                await server.WaitUntilAnsweringAsync(options.StartupTimeout, cancellationToken);
                if (options.VerifySignatures)
                {
                    await server.CreateSigningUserAsync(cancellationToken);
                }

                return server;
            }
            catch (PortTakenException) when (attempt < PortAttempts)
            {
                // Someone grabbed the port between our probe and moto's bind: try another one.
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// Wipes all of moto's state (POST /moto-api/reset). Not allowed in signed mode: a reset also deletes the IAM user
    /// and access key, after which every request fails with InvalidClientTokenId; start a new server instead.
    /// </summary>
    public async Task ResetAsync(CancellationToken cancellationToken = default)
    {
        if (VerifySignatures)
        {
            throw new InvalidOperationException(
                "moto's reset also deletes the IAM user and access key that signed mode depends on; " +
                "use unique resource names, or start a fresh MotoServer, instead of resetting a signed emulator.");
        }

        using var response = await _http.PostAsync(new Uri(Endpoint, "moto-api/reset"), null, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"moto reset failed with {(int)response.StatusCode}: {body}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _http.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>An HTTP client that never goes through a proxy (loopback only).</summary>
    public static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static Process Launch(MotoServerOptions options, int port, OutputTail output)
    {
        var portText = port.ToString(CultureInfo.InvariantCulture);
        var startInfo = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            CreateNoWindow = true,
        };

        var motoServer = options.PythonBootstrapModule is null ? FindOnPath("moto_server") : null;
        if (motoServer is not null)
        {
            startInfo.FileName = motoServer;
            foreach (var arg in new[] { "-H", "127.0.0.1", "-p", portText })
            {
                startInfo.ArgumentList.Add(arg);
            }
        }
        else
        {
            startInfo.FileName = FindOnPath("python3")
                ?? throw new MotoNotInstalledException($"Neither moto_server nor python3 is on PATH. {InstallHint}");
            var bootstrap = options.PythonBootstrapModule is { } file ? Path.GetFullPath(file) : string.Empty;
            foreach (var arg in new[] { "-c", PythonLauncher, bootstrap, portText })
            {
                startInfo.ArgumentList.Add(arg);
            }
        }

        var environment = startInfo.Environment;
        environment.Remove("INITIAL_NO_AUTH_ACTION_COUNT");
        foreach (var (name, value) in options.Environment ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        environment["PYTHONUNBUFFERED"] = "1";
        environment["MOTO_PORT"] = portText; // moto calls itself on this port (e.g. some cross-service calls).
        if (options.VerifySignatures)
        {
            environment["INITIAL_NO_AUTH_ACTION_COUNT"] = SetupActionCount.ToString(CultureInfo.InvariantCulture);
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new MotoNotInstalledException($"Could not start {startInfo.FileName}: {ex.Message}. {InstallHint}", ex);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static string? FindOnPath(string name)
    {
        var path = System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private async Task WaitUntilAnsweringAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        // /moto-api/ is served by moto itself, not by a service, so the probe never counts as an action.
        var probe = new Uri(Endpoint, "moto-api/data.json");
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken); // flushes the output readers
                var text = RecentOutput;
                if (text.Contains("Address already in use", StringComparison.Ordinal))
                {
                    throw new PortTakenException();
                }

                var message =
                    $"moto ({_process.StartInfo.FileName}, pid {Pid}) exited with code {_process.ExitCode} before answering on {Endpoint}.";
                if (text.Contains("No module named", StringComparison.Ordinal) ||
                    text.Contains("command not found", StringComparison.Ordinal))
                {
                    throw new MotoNotInstalledException($"{message} {InstallHint}\nOutput:\n{text}");
                }

                throw new InvalidOperationException($"{message} ({InstallHint} if it is missing.)\nOutput:\n{text}");
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(
                    $"moto_server (pid {Pid}) did not answer on {Endpoint} within {timeout.TotalSeconds:0} s.\nOutput:\n{RecentOutput}");
            }

            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                using var response = await _http.GetAsync(probe, attempt.Token);
                if (response.IsSuccessStatusCode)
                {
                    StartupTime = clock.Elapsed;
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // This attempt timed out; try again.
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task CreateSigningUserAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await IamSetupCallAsync(
            [new("Action", "CreateUser"), new("UserName", SignedUserName)], cancellationToken);
        await IamSetupCallAsync(
            [
                new("Action", "PutUserPolicy"), new("UserName", SignedUserName),
                new("PolicyName", "allow-all"), new("PolicyDocument", AllowAllPolicy),
            ],
            cancellationToken);
        var keyXml = await IamSetupCallAsync(
            [new("Action", "CreateAccessKey"), new("UserName", SignedUserName)], cancellationToken);

        var doc = XDocument.Parse(keyXml);
        AccessKeyId = doc.Descendants().First(e => e.Name.LocalName == "AccessKeyId").Value;
        SecretAccessKey = doc.Descendants().First(e => e.Name.LocalName == "SecretAccessKey").Value;
        SetupTime = clock.Elapsed;
    }

    // One of the SetupActionCount unchecked calls. The Authorization header only routes the request to IAM
    // (moto ignores the Host header); its signature is not checked while the counter lasts.
    private async Task<string> IamSetupCallAsync(List<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        form.Add(new("Version", "2010-05-08"));
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint)
        {
            Content = new FormUrlEncodedContent(form),
        };
        var date = DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        request.Headers.TryAddWithoutValidation(
            "Authorization",
            $"AWS4-HMAC-SHA256 Credential={UncheckedAccessKeyId}/{date}/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0");
        using var response = await _http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"moto signed-mode setup call {form[0].Value} failed with {(int)response.StatusCode}: {body}\nOutput:\n{RecentOutput}");
        }

        return body;
    }

    private sealed class PortTakenException : Exception;

    private sealed class OutputTail(int capacity)
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public string Text
        {
            get
            {
                var text = new StringBuilder();
                foreach (var line in _lines)
                {
                    text.AppendLine(line);
                }

                return text.ToString();
            }
        }

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            _lines.Enqueue(line);
            while (_lines.Count > capacity && _lines.TryDequeue(out _))
            {
            }
        }
    }
}

/// <summary>moto (or Python) is missing; the message says how to install it.</summary>
public sealed class MotoNotInstalledException : Exception
{
    public MotoNotInstalledException()
    {
    }

    public MotoNotInstalledException(string message)
        : base(message)
    {
    }

    public MotoNotInstalledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
