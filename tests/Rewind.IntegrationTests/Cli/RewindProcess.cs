using System.Diagnostics;

namespace Rewind.IntegrationTests.Cli;

/// <summary>What one run of the real <c>rewind</c> program did.</summary>
public sealed record RewindResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the built <c>rewind</c> as a separate process with a clean environment: no AWS variables of the machine,
/// a private HOME, only what the test passes. Needed where AWSSDK.Core reads the process environment itself.
/// </summary>
public sealed class RewindProcess : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("rewind-home-").FullName;

    /// <summary>A private home folder for ~/.aws files; deleted on dispose.</summary>
    public string Home => _home;

    public string WriteAwsFile(string name, string content)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_home, ".aws")).FullName;
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    public async Task<RewindResult> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        using var process = Start(args, environment);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new RewindResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts rewind without waiting, for tests that kill it midway; the caller drains and disposes it.</summary>
    public Process Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rewind.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment.Clear();
        foreach (var name in new[] { "PATH", "DOTNET_ROOT", "DOTNET_CLI_TELEMETRY_OPTOUT", "TMPDIR" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
                start.Environment[name] = value;
        }
        start.Environment["HOME"] = _home;
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start rewind");
        process.StandardInput.Close();
        return process;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
