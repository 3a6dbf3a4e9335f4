namespace Rewind.Ledger.Sqlite;

/// <summary>What a committed write of the SQLite ledger survives; both keep the file consistent and the chain whole.</summary>
public enum SqliteDurability
{
    /// <summary>
    /// <c>synchronous=NORMAL</c> under WAL: a commit survives the process being killed (kill -9, OOM, a closed
    /// terminal), because it is in the WAL and SQLite replays it on the next open; a power loss or kernel crash may
    /// roll back the last commits, atomically. The default: it is the failure <c>rewind resume</c> is built for, and
    /// steps re-read live state on resume, so a lost trailing entry never causes a step to run twice.
    /// </summary>
    SurvivesProcessCrash,

    /// <summary>
    /// <c>synchronous=FULL</c>: every commit also fsyncs the WAL, so it survives power loss, at the cost of one
    /// fsync per write (typically 1–5 ms on virtual disks).
    /// </summary>
    SurvivesPowerLoss,
}
