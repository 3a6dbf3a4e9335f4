using System.Globalization;
using System.Text.Json.Nodes;
using Rewind.Aws.Elb;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Canary;

/// <summary>Where the canary split lives: a listener's default action or one rule, between two target groups.</summary>
public sealed record CanarySettings(string? ListenerArn, string? RuleArn, string MainTargetGroupArn, string CanaryTargetGroupArn)
{
    public string Arn => RuleArn ?? ListenerArn ?? throw new InvalidOperationException("canary needs a listener or a rule");
    public string Kind => RuleArn is null ? "listener" : "rule";
}

/// <summary>
/// Playbook Option 2: set the forward weights to main 100−N / canary N, keeping every other field of the action
/// (stickiness, other target groups, other actions) as it was, then read them back.
/// </summary>
public sealed class CanaryStep(IElbClient elb, CanarySettings settings, int canaryPercent) : ILayerStep
{
    public string Name => "canary";
    public StepStage Stage => StepStage.Traffic;

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        if (canaryPercent is < 0 or > 100)
            throw new RewindException($"canary percent {canaryPercent} is outside 0–100", "give --percent a whole number from 0 to 100", FailureKind.BadInput);
        var actions = await ReadActionsAsync(cancellationToken);
        var current = WeightsOf(Forward(actions));
        var wanted = (Main: 100 - canaryPercent, Canary: canaryPercent);
        var nothingToDo = current == wanted;
        return new StepPlan(
            Name, Stage,
            nothingToDo
                ? $"weights already main {wanted.Main} / canary {wanted.Canary} on the {settings.Kind}"
                : $"set the {settings.Kind}'s weights to main {wanted.Main} / canary {wanted.Canary}",
            [$"{settings.Kind} {settings.Arn}: main {current.Main} / canary {current.Canary} → main {wanted.Main} / canary {wanted.Canary}"],
            nothingToDo,
            ExpectedSeconds: 1,
            DeadlineSeconds: 60,
            new Dictionary<string, string>
            {
                ["arn"] = settings.Arn,
                ["kind"] = settings.Kind,
                ["main"] = wanted.Main.ToString(CultureInfo.InvariantCulture),
                ["canary"] = wanted.Canary.ToString(CultureInfo.InvariantCulture),
                ["previous"] = $"{current.Main}/{current.Canary}",
            });
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        var wanted = (Main: int.Parse(plan.Parameter("main"), CultureInfo.InvariantCulture), Canary: int.Parse(plan.Parameter("canary"), CultureInfo.InvariantCulture));
        var actions = await StepRetries.UntilDeadlineAsync(context, ReadActionsAsync, cancellationToken);
        var before = WeightsOf(Forward(actions));
        if (before != wanted)
        {
            var changed = actions.Select(a => ReferenceEquals(a, Forward(actions))
                ? a.WithWeights(new Dictionary<string, int> { [settings.MainTargetGroupArn] = wanted.Main, [settings.CanaryTargetGroupArn] = wanted.Canary })
                : a).ToList();
            var request = new JsonObject { ["arn"] = settings.Arn, ["main"] = wanted.Main, ["canary"] = wanted.Canary };
            // Setting the same weights again is harmless: a busy ELB is simply asked again.
            await StepRetries.UntilDeadlineAsync(context, t => context.CallAsync(
                settings.RuleArn is null ? "ModifyListener" : "ModifyRule", request,
                async ct => settings.RuleArn is null
                    ? (await elb.ModifyListenerAsync(settings.Arn, changed, ct)).ListenerArn
                    : (await elb.ModifyRuleAsync(settings.Arn, changed, ct)).RuleArn,
                _ => new JsonObject { ["arn"] = settings.Arn },
                t), cancellationToken);
        }

        var after = WeightsOf(Forward(await StepRetries.UntilDeadlineAsync(context, ReadActionsAsync, cancellationToken)));
        var evidence = new Dictionary<string, string>
        {
            [settings.Kind] = settings.Arn,
            ["before"] = $"main {before.Main} / canary {before.Canary}",
            ["readBack"] = $"main {after.Main} / canary {after.Canary}",
        };
        return after == wanted
            ? StepResult.Succeeded($"weights read back main {after.Main} / canary {after.Canary}", evidence)
            : new StepResult(StepStatus.Failed, $"weights read back main {after.Main} / canary {after.Canary}, not {wanted.Main}/{wanted.Canary}", evidence);
    }

    /// <inheritdoc />
    public async Task<string?> DifferenceFromAsync(StepPlan plan, CancellationToken cancellationToken)
    {
        var wanted = (Main: int.Parse(plan.Parameter("main"), CultureInfo.InvariantCulture), Canary: int.Parse(plan.Parameter("canary"), CultureInfo.InvariantCulture));
        var live = WeightsOf(Forward(await ReadActionsAsync(cancellationToken)));
        return live == wanted ? null : $"the {settings.Kind}'s weights are main {live.Main} / canary {live.Canary}, not {wanted.Main}/{wanted.Canary}";
    }

    /// <summary>The live weights between the main and the canary target group, in percent of the two.</summary>
    public async Task<CanaryWeights> ReadWeightsAsync(CancellationToken cancellationToken)
    {
        var (main, canary) = WeightsOf(Forward(await ReadActionsAsync(cancellationToken)));
        return new CanaryWeights(main, canary);
    }

    private async Task<IReadOnlyList<ElbAction>> ReadActionsAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (settings.RuleArn is { } rule)
                return (await elb.DescribeRulesAsync([rule], cancellationToken)).Single().Actions;
            return (await elb.DescribeListenersAsync([settings.ListenerArn!], cancellationToken)).Single().DefaultActions;
        }
        catch (Rewind.Aws.Errors.AwsServiceException e) when (e.Code is "ListenerNotFound" or "RuleNotFound" or "ValidationError")
        {
            throw new RewindException(
                $"the canary {settings.Kind} {settings.Arn} was not found ({e.Code})",
                $"fix canary.{settings.Kind}_arn in rewind.yaml (aws elbv2 describe-listeners lists them)", FailureKind.BadInput);
        }
    }

    private ElbAction Forward(IReadOnlyList<ElbAction> actions) =>
        actions.FirstOrDefault(a => a.IsForward && a.ForwardConfig is { } forward
            && forward.TargetGroups.Any(g => g.TargetGroupArn == settings.MainTargetGroupArn)
            && forward.TargetGroups.Any(g => g.TargetGroupArn == settings.CanaryTargetGroupArn))
        ?? throw new RewindException(
            $"the {settings.Kind} {settings.Arn} has no forward action between the main and the canary target groups",
            "check canary.main_target_group and canary.canary_target_group in rewind.yaml", FailureKind.BadInput);

    private (int Main, int Canary) WeightsOf(ElbAction forward)
    {
        int WeightOf(string arn) => forward.ForwardConfig!.TargetGroups.First(g => g.TargetGroupArn == arn).Weight ?? 1;
        var main = WeightOf(settings.MainTargetGroupArn);
        var canary = WeightOf(settings.CanaryTargetGroupArn);
        var total = main + canary;
        // ELB weights are relative (0–999); the playbook speaks in percent of the two groups.
        return total == 0 ? (0, 0) : ((int)Math.Round(100.0 * main / total), (int)Math.Round(100.0 * canary / total));
    }
}
