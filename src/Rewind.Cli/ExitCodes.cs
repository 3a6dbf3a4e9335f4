using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;

namespace Rewind.Cli;

/// <summary>
/// Every exit code Rewind uses, and the one table from a failure's <see cref="FailureKind"/> to its code: the handler
/// reads nothing else. docs/cli.md carries the same table; a test keeps the two equal.
/// </summary>
public static class ExitCodes
{
    /// <summary>Done; every check passed.</summary>
    public const int Ok = 0;

    /// <summary>An AWS call, a step or a check failed; the message says which.</summary>
    public const int Failed = 1;

    /// <summary>Bad input: flags, configuration, credentials setup, names that do not exist. Nothing was changed.</summary>
    public const int BadInput = 2;

    /// <summary>Blocked by another operator's lock, a release freeze or an approval gate (CONFIRM=true, the destroy limit). Nothing was changed.</summary>
    public const int Blocked = 3;

    /// <summary>The action ran but verification failed: the service is not in the state it should be.</summary>
    public const int VerificationFailed = 4;

    /// <summary>AWS could not be reached or did not answer in time, after every retry. Safe to run again.</summary>
    public const int Unavailable = 5;

    /// <summary>Interrupted (Ctrl-C). A run can be continued with 'rewind resume'.</summary>
    public const int Cancelled = 130;

    /// <summary>Name and meaning of each code, in order, for docs and tests, with the failure kind that exits with it (none for ok).</summary>
    public static IReadOnlyList<(int Code, string Name, string Meaning, FailureKind? Kind)> Table { get; } =
    [
        (Ok, "ok", "done; every check passed", null),
        (Failed, "failed", "an AWS call, a step or a check failed; the message says which", FailureKind.Failed),
        (BadInput, "bad input", "flags, configuration, credentials setup or names are wrong; nothing was changed", FailureKind.BadInput),
        (Blocked, "blocked", "another operator holds the service's lock, releases are frozen, or an approval gate is not met (CONFIRM=true, the destroy limit); nothing was changed. Also a run whose lock was taken over: it stopped before its next change and left the run to the new holder", FailureKind.Blocked),
        (VerificationFailed, "verification failed", "the action ran but the service is not in the state it should be", FailureKind.VerificationFailed),
        (Unavailable, "unavailable", "AWS could not be reached or did not answer in time after every retry; safe to run again", FailureKind.Unavailable),
        (Cancelled, "cancelled", "interrupted by Ctrl-C; an interrupted run can be continued with 'rewind resume'", FailureKind.Cancelled),
    ];

    /// <summary>The exit code of a failure of this kind: the table's row for it.</summary>
    public static int Of(FailureKind kind) => Table.Single(row => row.Kind == kind).Code;

    /// <summary>
    /// The exit code of a step that failed: the kind of the failure it threw, kept in its evidence (an AccessDenied is
    /// bad input, AWS unreachable is unavailable); a step's own finding, or an older journal's failure, is failed.
    /// </summary>
    public static int OfStep(StepResult result) =>
        result?.Evidence is StepFailed { Kind: { } kind } ? Of(kind) : Failed;
}
