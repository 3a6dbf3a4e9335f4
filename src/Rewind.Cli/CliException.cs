namespace Rewind.Cli;

/// <summary>An expected failure found by the CLI itself: one line for stderr and the exit code.</summary>
public sealed class CliException(string message, string hint, int exitCode = ExitCodes.BadInput) : Exception(message)
{
    public string Hint { get; } = hint;
    public int ExitCode { get; } = exitCode;
}
