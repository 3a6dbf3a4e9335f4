using Rewind.Core;

namespace Rewind.Cli;

/// <summary>An expected failure found by the CLI itself: one line for stderr, and its kind (the exit code follows from it).</summary>
public sealed class CliException(string message, string hint, FailureKind kind = FailureKind.BadInput) : Exception(message), IRewindFailure
{
    public string Hint { get; } = hint;

    public FailureKind Kind { get; } = kind;

    /// <summary>The CLI's own findings carry no AWS answer; a failed AWS call keeps its own exception.</summary>
    public string? AwsCode => null;
}
