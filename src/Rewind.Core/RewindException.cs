namespace Rewind.Core;

/// <summary>An expected failure of the engine or a step: what is wrong, what to do, and its kind.</summary>
public sealed class RewindException(string message, string hint, FailureKind kind = FailureKind.Failed) : Exception(message), IRewindFailure
{
    public string Hint { get; } = hint;

    public FailureKind Kind { get; } = kind;

    /// <summary>A step's failure is its own finding, not an AWS answer (those stay <see cref="IRewindFailure"/>s of the AWS layer).</summary>
    public string? AwsCode => null;
}
