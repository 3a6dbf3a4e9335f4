namespace Rewind.Core;

/// <summary>
/// What kind of expected failure it is, whoever found it (a step, the AWS clients, the ledger, the configuration, the
/// CLI); the CLI maps each kind to one documented exit code, in one table.
/// </summary>
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

    /// <summary>AWS or the ledger's store could not be reached, or stayed busy, after every retry: safe to run again.</summary>
    Unavailable,

    /// <summary>The operator interrupted the command; a run can be continued.</summary>
    Cancelled,
}
