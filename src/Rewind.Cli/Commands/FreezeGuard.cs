using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Cli.Playbook;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Playbook.Freeze;

namespace Rewind.Cli.Commands;

/// <summary>
/// Release paths (<c>rewind record</c>) refuse while the service is frozen, by the ledger or by SSM, unless
/// <c>--override-freeze --reason</c>. An override is journaled as a small run of its own ("record-override"): the
/// journal is the hash-chained, tamper-evident record <c>history</c>, <c>ledger verify</c> and reports already read,
/// and it needs no new field in either ledger backend.
/// </summary>
internal static class FreezeGuard
{
    public const string OverrideStep = "record-override";

    /// <summary>Null when not frozen; the verdict when frozen and overridden; a blocked failure (exit 3) otherwise.</summary>
    public static async Task<FreezeVerdict?> CheckAsync(CliContext cli, ILedger ledger, AwsClients aws, bool overrideFreeze, string action, CancellationToken ct)
    {
        var service = cli.Config.Service.Name;
        var verdict = await FreezeVerdict.ReadAsync(ledger.Freezes, PlaybookSteps.FreezeParameter(cli.Config, aws), service, ct);
        if (!verdict.Frozen)
            return null;
        if (!overrideFreeze)
        {
            throw new CliException(
                $"releases of {service} are frozen: {verdict.Describe()}",
                $"wait for 'rewind freeze off --root-cause \"…\" --live', or {action} anyway with --override-freeze --reason \"…\" (journaled)",
                FailureKind.Blocked);
        }
        cli.Log($"rewind: warning: releases of {service} are frozen ({verdict.Describe()}); overriding, and journaling it");
        return verdict;
    }

    /// <summary>Journals the override before recording (call-sent), records, then journals the result.</summary>
    public static async Task RecordOverrideAsync(ILedger ledger, FreezeVerdict verdict, Release release, string reason, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var runId = LedgerIds.NewRunId(now);
        var plan = new RollbackPlan(release.Service, null, now,
            [new StepPlan(OverrideStep, StepStage.Announce, $"record {release.Version} despite the freeze: {reason}", [], false, 0, 60, new Dictionary<string, string>())]);
        await ledger.Runs.CreateRunAsync(new Run(runId, release.Service, now, RunStatus.Running, release.Id, EngineJson.Serialize(plan)), ct);
        var detail = new JsonObject
        {
            ["call"] = "OverrideFreeze",
            ["freeze"] = verdict.Active?.Id ?? verdict.Published?.FreezeId,
            ["freezeReason"] = verdict.Active?.Reason ?? verdict.Published?.Reason,
            ["reason"] = reason,
            ["by"] = AnnounceOutput.Who(),
            ["release"] = release.Id,
            ["version"] = release.Version,
        };
        await ledger.Runs.AppendJournalAsync(runId, OverrideStep, JournalKind.CallSent, detail.ToJsonString(), ct);
        try
        {
            await ledger.Releases.RecordReleaseAsync(release, ct);
        }
        catch (LedgerException e)
        {
            await ledger.Runs.AppendJournalAsync(runId, OverrideStep, JournalKind.CallFailed, new JsonObject { ["call"] = "OverrideFreeze", ["error"] = e.Message }.ToJsonString(), ct);
            await ledger.Runs.SetRunStatusAsync(runId, RunStatus.Failed, ct);
            throw;
        }
        detail["recorded"] = true;
        await ledger.Runs.AppendJournalAsync(runId, OverrideStep, JournalKind.CallSucceeded, detail.ToJsonString(), ct);
        await ledger.Runs.SetRunStatusAsync(runId, RunStatus.Succeeded, ct);
    }
}
