namespace Rewind.Core;

/// <summary>What kind of expected failure it is; the CLI maps each kind to one documented exit code.</summary>
public enum FailureKind
{
    /// <summary>A step or a check failed.</summary>
    Failed,

    /// <summary>The input names something that does not exist or cannot be used; nothing was changed.</summary>
    BadInput,

    /// <summary>A lock or a freeze blocks the action; nothing was changed.</summary>
    Blocked,

    /// <summary>The action ran but the result is not what it should be.</summary>
    VerificationFailed,
}

/// <summary>An expected failure of the engine or a step: what is wrong, what to do, and its kind.</summary>
public sealed class RewindException(string message, string hint, FailureKind kind = FailureKind.Failed) : Exception(message)
{
    public string Hint { get; } = hint;
    public FailureKind Kind { get; } = kind;
}
