using System.Text;
using CliWrap;
using Rewind.Core;

namespace Rewind.Playbook.Infra;

/// <summary>What one run of git or terraform printed and how it ended.</summary>
public sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Terraform's first "Error: …" line, else the last line printed, for a one-line message.</summary>
    public string ErrorLine
    {
        get
        {
            var lines = (Stderr + "\n" + Stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Trim().TrimStart('│', '╷', '╵').Trim())
                .Where(l => l.Length > 0)
                .ToList();
            return lines.FirstOrDefault(l => l.StartsWith("Error: ", StringComparison.Ordinal))
                ?? lines.LastOrDefault(l => !l.StartsWith("Warning", StringComparison.Ordinal))
                ?? $"exit code {ExitCode}";
        }
    }
}

/// <summary>
/// An executable found on PATH, run through CliWrap: arguments never pass through a shell, output lines go to a
/// progress sink as they come, Ctrl-C interrupts gracefully (SIGINT, so terraform releases its state lock) before it kills.
/// </summary>
public sealed class ExternalTool
{
    private static readonly TimeSpan KillAfter = TimeSpan.FromSeconds(15);

    private ExternalTool(string name, string path)
    {
        Name = name;
        Path = path;
    }

    public string Name { get; }

    /// <summary>The resolved executable.</summary>
    public string Path { get; }

    /// <summary>Finds <paramref name="name"/> on PATH (or takes it as a path); missing is bad input with <paramref name="hint"/>.</summary>
    public static ExternalTool Require(string name, string hint) =>
        Find(name) is { } path
            ? new ExternalTool(name, path)
            : throw new RewindException($"'{name}' was not found on PATH", hint, FailureKind.BadInput);

    /// <summary>The executable's full path, or null.</summary>
    public static string? Find(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal))
            return File.Exists(name) ? System.IO.Path.GetFullPath(name) : null;
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var names = OperatingSystem.IsWindows() ? [name + ".exe", name] : new[] { name };
        return folders.SelectMany(folder => names.Select(n => System.IO.Path.Combine(folder, n))).FirstOrDefault(File.Exists);
    }

    /// <summary>Runs the tool; a non-zero exit is returned, not thrown. Lines of both streams go to <paramref name="onLine"/> when given.</summary>
    public async Task<ToolResult> RunAsync(
        IReadOnlyList<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?> environment,
        Action<string>? onLine, CancellationToken cancellationToken)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var outTarget = onLine is null ? PipeTarget.ToStringBuilder(stdout) : PipeTarget.Merge(PipeTarget.ToStringBuilder(stdout), PipeTarget.ToDelegate(onLine));
        var errTarget = onLine is null ? PipeTarget.ToStringBuilder(stderr) : PipeTarget.Merge(PipeTarget.ToStringBuilder(stderr), PipeTarget.ToDelegate(onLine));
        using var kill = new CancellationTokenSource();
        await using var escalate = cancellationToken.Register(() => kill.CancelAfter(KillAfter));
        var result = await Cli.Wrap(Path)
            .WithArguments(arguments)
            .WithWorkingDirectory(workingDirectory)
            .WithEnvironmentVariables(environment)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(outTarget)
            .WithStandardErrorPipe(errTarget)
            .ExecuteAsync(kill.Token, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return new ToolResult(result.ExitCode, stdout.ToString(), stderr.ToString());
    }
}
