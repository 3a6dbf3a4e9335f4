using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;

namespace Rewind.Playbook.Undo;

/// <summary>
/// What <c>rewind undo RUN --override-freeze --reason "…"</c> approved: the undo goes ahead although RUN's freeze
/// <paramref name="Freeze"/> is in force, for <paramref name="Reason"/>, by <paramref name="By"/>. The freeze stays.
/// </summary>
public sealed record UndoOverridePlan(string Undoes, string Freeze, string FreezeReason, string Reason, string By);

/// <summary>The override step's stored plan (source-generated: NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(UndoOverridePlan))]
public sealed partial class UndoOverrideJson : JsonSerializerContext;

/// <summary>
/// The first step of an undo under RUN's freeze: the override is journaled (call-sent and call-succeeded, with the
/// freeze, the reason and who) in its own stage, before any step that changes something starts. It changes nothing
/// itself: the journal entry is the record. A resume that finds it journaled does not journal it again.
/// </summary>
public sealed class UndoOverrideFreezeStep(UndoOverridePlan? wanted = null) : IStep
{
    /// <summary>The step's name in plans and journals.</summary>
    public const string StepName = "undo-override";

    private const string Call = "OverrideFreeze";

    public string Name => StepName;
    public StepStage Stage => StepStage.Override;

    public Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken) =>
        Task.FromResult(Plan(wanted ?? throw new InvalidOperationException($"step {StepName} was built to execute a stored plan, not to plan")));

    /// <summary>The step's plan for <paramref name="plan"/>.</summary>
    public static StepPlan Plan(UndoOverridePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return StepPlan.Of(
            StepName, StepStage.Override, $"undo {plan.Undoes} despite its freeze: {plan.Reason}",
            [$"freeze {plan.Freeze} ({plan.FreezeReason}) overridden by {plan.By}, journaled before any change; the freeze stays in force"],
            nothingToDo: false, expectedSeconds: 1, deadlineSeconds: 60, plan, UndoOverrideJson.Default.UndoOverridePlan);
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(context);
        var approved = plan.Read(UndoOverrideJson.Default.UndoOverridePlan);
        var evidence = new UndoFreezeOverridden(approved.Undoes, approved.Freeze, approved.FreezeReason, approved.Reason, approved.By);
        if (context.EarlierResult(Call) is null)
        {
            var request = new JsonObject
            {
                ["undoes"] = approved.Undoes,
                ["freeze"] = approved.Freeze,
                ["freezeReason"] = approved.FreezeReason,
                ["reason"] = approved.Reason,
                ["by"] = approved.By,
            };
            await context.CallAsync(Call, request, _ => Task.FromResult(approved), _ => new JsonObject { ["freeze"] = approved.Freeze, ["overridden"] = true }, cancellationToken);
        }
        return StepResult.Succeeded($"freeze {approved.Freeze} overridden for the undo of {approved.Undoes}: {approved.Reason}", evidence);
    }
}
