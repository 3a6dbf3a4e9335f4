using Rewind.Aws;
using Rewind.Cli.Playbook;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Playbook.Freeze;

namespace Rewind.Cli.Commands;

/// <summary>
/// Release paths (<c>rewind record</c>) refuse while the service is frozen, by the ledger or by SSM, unless
/// <c>--override-freeze --reason</c>. An override runs as a small run of its own (step "record-override") through the
/// executor: the journal is the hash-chained, tamper-evident record <c>history</c>, <c>ledger verify</c> and reports
/// already read, and it needs no new field in either ledger backend.
/// </summary>
internal static class FreezeGuard
{
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

    /// <summary>
    /// Records <paramref name="release"/> despite the freeze, as a run of one step (<see cref="OverrideFreezeStep"/>)
    /// under the service's lock: the override is journaled before the release is recorded, and a run killed between the
    /// two is continued by <c>rewind resume</c>. The run's target is the release, so <c>history</c> names it.
    /// </summary>
    public static async Task<RunOutcome> RecordOverrideAsync(CliContext cli, ILedger ledger, FreezeVerdict verdict, Release release, string reason, CancellationToken ct)
    {
        IStep[] steps = [new OverrideFreezeStep(ledger.Releases, OverrideFreezePlan.Of(verdict, release, reason, cli.Operator.Signature))];
        var target = new RollbackTarget("release", $"release {release.Version} ({release.Id})", "recorded despite the freeze", release.Id, release.TaskDefinitions.Values.First());
        var plan = await new RollbackPlanner(steps, cli.Time).PlanAsync(release.Service, target, StepSelection.All, ct);
        return await RunProgress.ShowAsync(cli, plan, observer =>
            new RunExecutor(ledger, steps, observer, cli.Time).StartAsync(plan, EngineJson.Serialize(plan), cli.Operator, ct));
    }
}
