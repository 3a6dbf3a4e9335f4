using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Rewind.Core;
using Rewind.Core.Files;

namespace Rewind.Cli.Demo;

/// <summary>
/// moto_server with Rewind's emulator (emulator/rewind_moto.py and emulator/rewind_emulator/, embedded in this binary) on a free
/// 127.0.0.1 port; stopped by its PID on dispose.
/// </summary>
public sealed class LocalEmulator : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private LocalEmulator(Process process, Uri endpoint, string folder)
    {
        _process = process;
        Endpoint = endpoint;
        _folder = folder;
    }

    /// <summary>How long each lifecycle stage (and each step of a requested rollback) lasts in the demo's emulator.</summary>
    public const string StageSeconds = "0.2";

    /// <summary>What the demo's emulator counts as one minute of a bake time or a linear/canary step.</summary>
    public const string MinuteSeconds = "0.2";

    public Uri Endpoint { get; }
    public int Pid => _process.Id;

    public static async Task<LocalEmulator> StartAsync(double rolloutSeconds, string logPath, CancellationToken cancellationToken)
    {
        if (FindOnPath("moto_server") is null)
            throw new CliException("moto_server is not installed", "install it with: pipx install \"moto[server]\" (or pip install \"moto[server]==5.2.1\")");
        var folder = Directory.CreateTempSubdirectory("rewind-emulator-").FullName;
        var module = Path.Combine(folder, "rewind_moto.py");
        await ExtractEmulatorAsync(folder, cancellationToken);

        var port = FreePort();
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(module);
        foreach (var arg in new[] { "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(arg);
        start.Environment["REWIND_MOTO_ROLLOUT_SECONDS"] = rolloutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // BLUE_GREEN/LINEAR/CANARY and CodeDeploy deployments walk their stages in a few seconds, so each shape's demo ends in seconds.
        start.Environment["REWIND_MOTO_STAGE_SECONDS"] = StageSeconds;
        start.Environment["REWIND_MOTO_MINUTE_SECONDS"] = MinuteSeconds;
        var process = Process.Start(start) ?? throw new CliException("python3 could not be started", "install python3 and moto[server]");
        var log = new StreamWriter(PrivateFiles.Replace(logPath)) { AutoFlush = true };
        var gate = new Lock();
        void Append(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
                return;
            lock (gate)
                log.WriteLine(e.Data);
        }
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.Exited += (_, _) => log.Dispose();
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var emulator = new LocalEmulator(process, new Uri($"http://127.0.0.1:{port}/"), folder);
        try
        {
            await emulator.WaitUntilReadyAsync(cancellationToken);
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
        return emulator;
    }

    /// <summary>The entry point rewind_moto.py and its package rewind_emulator/, as embedded by Rewind.Cli.csproj.</summary>
    private static async Task ExtractEmulatorAsync(string folder, CancellationToken cancellationToken)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var names = assembly.GetManifestResourceNames()
            .Where(name => name == "rewind_moto.py" || name.StartsWith("rewind_emulator/", StringComparison.Ordinal))
            .ToList();
        if (!names.Contains("rewind_moto.py") || !names.Contains("rewind_emulator/__init__.py"))
            throw new InvalidOperationException("the emulator patch is not embedded in this build");
        Directory.CreateDirectory(Path.Combine(folder, "rewind_emulator"));
        foreach (var name in names)
        {
            await using var resource = assembly.GetManifestResourceStream(name)!;
            await using var file = PrivateFiles.CreateNew(Path.Combine(folder, name.Replace('/', Path.DirectorySeparatorChar)));
            await resource.CopyToAsync(file, cancellationToken);
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        // A real process starting: measured on the monotonic clock, not on the invocation's (possibly fake) one.
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
                throw new CliException($"the emulator exited at start (code {_process.ExitCode})", "check that moto 5.2.1 is installed for python3: pip install \"moto[server]==5.2.1\"", FailureKind.Failed);
            try
            {
                using var response = await http.GetAsync(new Uri(Endpoint, "moto-api/"), cancellationToken);
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Slow first answer.
            }
            await Task.Delay(100, cancellationToken);
        }
        throw new CliException("the emulator did not answer within 30 s", "check that moto 5.2.1 is installed for python3", FailureKind.Failed);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token);
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
