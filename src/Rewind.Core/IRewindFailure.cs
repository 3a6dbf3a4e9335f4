namespace Rewind.Core;

/// <summary>
/// The one shape of every failure Rewind expects: the CLI reads only this to print one line and pick the exit code,
/// so the same condition gets the same code whichever layer found it.
/// </summary>
public interface IRewindFailure
{
    /// <summary>What kind of failure it is: the exit code follows from it alone.</summary>
    FailureKind Kind { get; }

    /// <summary>The AWS error code behind the failure (<c>AccessDeniedException</c>), when AWS answered with one.</summary>
    string? AwsCode { get; }

    /// <summary>What the user should do next, in one sentence; empty when the message already says it.</summary>
    string Hint { get; }
}
