using System.Text.Json.Nodes;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Freeze;

/// <summary>
/// <c>rewind record --override-freeze</c> as a run: the override is journaled (call-sent, with the freeze, the reason and
/// who) before the release is recorded, so no release recorded during a freeze lacks its tamper-evident record. On
/// resume, a release the killed run already recorded is found and not recorded twice.
/// </summary>
public sealed class OverrideFreezeStep : IStep
{
    /// <summary>The step's name in plans and journals (as before overrides ran through the executor).</summary>
    public const string StepName = "record-override";

    private const string Call = "OverrideFreeze";

    private readonly IReleaseStore _releases;
    private readonly OverrideFreezePlan? _wanted;

    /// <summary>For <c>rewind resume</c>: executes a stored plan, which holds the whole release; plans nothing.</summary>
    public OverrideFreezeStep(IReleaseStore releases) => _releases = releases;

    /// <summary>For <c>rewind record --override-freeze</c>: plans recording <paramref name="wanted"/>'s release.</summary>
    public OverrideFreezeStep(IReleaseStore releases, OverrideFreezePlan wanted)
        : this(releases) => _wanted = wanted;

    public string Name => StepName;
    public StepStage Stage => StepStage.Announce;

    public Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        var wanted = _wanted ?? throw new InvalidOperationException($"step {StepName} was built to execute a stored plan, not to plan");
        var release = wanted.Release;
        return Task.FromResult(StepPlan.Of(
            Name, Stage, $"record {release.Version} despite the freeze: {wanted.Reason}",
            [$"ledger: record release {release.Id} ({release.Version}, {release.Status}) although freeze {wanted.Freeze ?? "?"} holds: {wanted.FreezeReason ?? "no reason given"}"],
            nothingToDo: false, expectedSeconds: 1, deadlineSeconds: 60,
            wanted, OverrideFreezeJson.Default.OverrideFreezePlan));
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        var wanted = plan.Read(OverrideFreezeJson.Default.OverrideFreezePlan, fromVersion1: FromVersion1);
        var release = wanted.Release;
        // Only a killed attempt can have recorded it: its call-sent entry is journaled before the release is.
        if (context.WasSent(Call) && await _releases.GetReleaseAsync(release.Id, cancellationToken) is not null)
            return StepResult.Succeeded($"{release.Id} ({release.Version}) was recorded by the interrupted attempt", Evidence(wanted, recordedEarlier: true));
        var request = new JsonObject
        {
            ["freeze"] = wanted.Freeze,
            ["freezeReason"] = wanted.FreezeReason,
            ["reason"] = wanted.Reason,
            ["by"] = wanted.By,
            ["release"] = release.Id,
            ["version"] = release.Version,
        };
        await context.CallAsync(
            Call, request,
            async ct =>
            {
                await _releases.RecordReleaseAsync(release, ct);
                return release;
            },
            _ =>
            {
                var detail = (JsonObject)request.DeepClone();
                detail["recorded"] = true;
                return detail;
            },
            cancellationToken);
        return StepResult.Succeeded($"recorded {release.Id} ({release.Version}) despite freeze {wanted.Freeze ?? "?"}", Evidence(wanted, recordedEarlier: false));
    }

    private static FreezeOverridden Evidence(OverrideFreezePlan wanted, bool recordedEarlier) =>
        new(wanted.Release.Id, wanted.Release.Version, wanted.Freeze, wanted.FreezeReason, wanted.Reason, wanted.By, recordedEarlier);

    /// <summary>
    /// Overrides journaled before they ran through the executor (418e7ad) stored an empty plan: the release they were
    /// recording was never kept, so there is nothing to continue with.
    /// </summary>
    private static OverrideFreezePlan FromVersion1(IReadOnlyDictionary<string, string> parameters) =>
        throw new RewindException(
            "this override was journaled by an older Rewind, which kept no copy of the release it was recording",
            "check 'rewind history' for the release, and record it again with 'rewind record --override-freeze --reason \"…\"' if it is missing",
            FailureKind.BadInput);
}
