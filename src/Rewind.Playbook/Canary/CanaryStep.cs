using System.Text.Json.Nodes;
using Rewind.Aws.Elb;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Ecs;

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
/// <paramref name="settings"/> (today's rewind.yaml) are for planning and for reporting drift: execution writes to the
/// plan's listener or rule and target groups. The one exception is a plan stored before typed plans (418e7ad), which
/// named no target groups: it takes them from <paramref name="settings"/> when those name the plan's listener or rule,
/// and fails, changing nothing, otherwise.
/// <para>
/// Never fights ECS for the listener: when <paramref name="shape"/> (the ECS service's, read at planning) shows the
/// rule is the service's production or test listener rule, or the split is its target group and alternate target group
/// under BLUE_GREEN/LINEAR/CANARY, ECS moves the weights itself. Then the step plans no change, runs after the ecs step
/// (<see cref="Needs"/>) and its evidence is the rule read back: all production traffic on one group, after the ecs
/// step proved its rollback. <paramref name="standalone"/> (<c>rewind canary --percent N</c>) refuses such a rule.
/// </para>
/// </summary>
public sealed class CanaryStep(
    IElbClient elb, CanarySettings? settings, int canaryPercent, Func<CancellationToken, Task<ServiceShape>>? shape = null, bool standalone = false) : ILayerStep
{
    private bool _ecsOwned;

    /// <summary>
    /// The step that executes a stored plan (resume); <paramref name="configured"/>, if any, only supplies the target
    /// groups a version-1 plan did not record.
    /// </summary>
    public static CanaryStep ForExecution(IElbClient elb, CanarySettings? configured = null, StepPlan? plan = null) =>
        new(elb, configured, 0) { _ecsOwned = plan is not null && Read(plan).EcsOwnedBy is not null };

    /// <summary>An ECS-owned rule is read back after the ecs step moved its traffic (known from the plan, or once planned).</summary>
    public IReadOnlyList<string> Needs => _ecsOwned ? ["ecs"] : [];

    public string Name => "canary";
    public StepStage Stage => StepStage.Traffic;

    /// <summary>The weighted forward the step acts on: from the settings when planning, from the plan when executing.</summary>
    private sealed record Split(string Kind, string Arn, string Main, string Canary)
    {
        public bool IsRule => Kind == "rule";
    }

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        if (canaryPercent is < 0 or > 100)
            throw new RewindException($"canary percent {canaryPercent} is outside 0–100", "give --percent a whole number from 0 to 100", FailureKind.BadInput);
        var split = Configured ?? throw new InvalidOperationException("the canary step was built to execute a stored plan; planning needs the canary settings");
        var current = WeightsOf(Forward(await ReadActionsAsync(split, cancellationToken), split), split);
        if (shape is not null && OwnedBy(await shape(cancellationToken), split) is { } strategy)
            return EcsOwnedPlan(split, current, strategy);
        var wanted = new Weights(100 - canaryPercent, canaryPercent);
        var nothingToDo = current == wanted;
        return StepPlan.Of(
            Name, Stage,
            nothingToDo
                ? $"weights already {wanted} on the {split.Kind}"
                : $"set the {split.Kind}'s weights to {wanted}",
            [$"{split.Kind} {split.Arn}: {current} → {wanted}"],
            nothingToDo,
            expectedSeconds: 1,
            deadlineSeconds: 60,
            new CanaryPlan(split.Kind, split.Arn, split.Main, split.Canary, wanted, current),
            CanaryPlanJson.Default.CanaryPlan);
    }

    private StepPlan EcsOwnedPlan(Split split, Weights current, string strategy)
    {
        var owns = $"ECS owns this {split.Kind} (strategy {strategy}): traffic moves with the ECS rollback";
        if (standalone)
            throw new RewindException(
                $"{owns}; setting its weights would leave ECS with a wrong picture of production traffic",
                "roll back with 'rewind plan' / 'rewind run' (StopServiceDeployment or a new deployment), or point canary.rule_arn at a rule ECS does not own", FailureKind.BadInput);
        _ecsOwned = true;
        return StepPlan.Of(
            Name, StepStage.Service, owns,
            [$"{split.Kind} {split.Arn}: {current}, read back after the ecs step (no ModifyRule/ModifyListener)"],
            nothingToDo: true,
            expectedSeconds: 1,
            deadlineSeconds: 60,
            new CanaryPlan(split.Kind, split.Arn, split.Main, split.Canary, new Weights(100, 0), current, strategy),
            CanaryPlanJson.Default.CanaryPlan);
    }

    /// <summary>The strategy under which ECS owns <paramref name="split"/>, or null when Rewind may move its weights.</summary>
    private static string? OwnedBy(ServiceShape shape, Split split)
    {
        foreach (var (loadBalancer, advanced) in shape.OwnedRules)
        {
            var pair = new[] { loadBalancer.TargetGroupArn, advanced.AlternateTargetGroupArn };
            if (split.Arn == advanced.ProductionListenerRule || split.Arn == advanced.TestListenerRule
                || (pair.Contains(split.Main) && pair.Contains(split.Canary)))
                return ServiceShape.Wire(shape.Strategy);
        }
        return null;
    }

    /// <summary>
    /// The ECS-owned rule read back after the ecs step: the step's own proof (its ServiceReverted) first, then all
    /// production traffic on one group of the pair. A split ECS left behind, or an ecs step without evidence, fails.
    /// </summary>
    private async Task<StepResult> ReadBackEcsOwnedAsync(CanaryPlan planned, Split split, StepContext context, CancellationToken cancellationToken)
    {
        var after = WeightsOf(Forward(await StepRetries.UntilDeadlineAsync(context, ct => ReadActionsAsync(split, ct), cancellationToken), split), split);
        var onOne = after.Main == 100 || after.Canary == 100;
        var evidence = new TrafficShifted(split.Kind, split.Arn, onOne ? after : planned.Wanted, planned.Previous, after);
        if (context.OutputOf<ServiceReverted>("ecs") is not { } ecs)
            return StepResult.Failed($"ECS owns this {split.Kind} (strategy {planned.EcsOwnedBy}) and the ecs step reported no rollback: traffic read back {after}", evidence);
        return onOne
            ? StepResult.Succeeded($"ECS moved the traffic (strategy {planned.EcsOwnedBy}): read back {after} after the ecs step's {ecs.Path ?? "UpdateService"}", evidence)
            : StepResult.Failed($"ECS owns this {split.Kind} (strategy {planned.EcsOwnedBy}) and left production traffic split {after} after the ecs step", evidence);
    }

    /// <summary>The step's typed plan, from either schema version.</summary>
    public static CanaryPlan Read(StepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.Read(CanaryPlanJson.Default.CanaryPlan, fromVersion1: CanaryPlan.FromVersion1);
    }

    /// <inheritdoc />
    public IReadOnlyList<string> DriftFrom(StepPlan plan)
    {
        if (Configured is not { } now)
            return [];
        var planned = Read(plan);
        return [.. new[]
        {
            now.Kind == planned.Kind && now.Arn == planned.Arn ? null : $"canary.{now.Kind}_arn is now {now.Arn}; the plan names the {planned.Kind} {planned.Arn}",
            planned.MainTargetGroup is null || now.Main == planned.MainTargetGroup ? null : $"canary.main_target_group is now {now.Main}; the plan names {planned.MainTargetGroup}",
            planned.CanaryTargetGroup is null || now.Canary == planned.CanaryTargetGroup ? null : $"canary.canary_target_group is now {now.Canary}; the plan names {planned.CanaryTargetGroup}",
        }.OfType<string>()];
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        var planned = Read(plan);
        var split = Planned(planned);
        if (planned.EcsOwnedBy is not null)
            return await ReadBackEcsOwnedAsync(planned, split, context, cancellationToken);
        var wanted = planned.Wanted;
        var actions = await StepRetries.UntilDeadlineAsync(context, ct => ReadActionsAsync(split, ct), cancellationToken);
        var forward = Forward(actions, split);
        var before = WeightsOf(forward, split);
        if (before != wanted)
        {
            var changed = actions.Select(a => ReferenceEquals(a, forward)
                ? a.WithWeights(new Dictionary<string, int> { [split.Main] = wanted.Main, [split.Canary] = wanted.Canary })
                : a).ToList();
            var request = new JsonObject { ["arn"] = split.Arn, ["main"] = wanted.Main, ["canary"] = wanted.Canary };
            // Setting the same weights again is harmless: a busy ELB is simply asked again.
            await StepRetries.UntilDeadlineAsync(context, t => context.CallAsync(
                split.IsRule ? "ModifyRule" : "ModifyListener", request,
                async ct => split.IsRule
                    ? (await elb.ModifyRuleAsync(split.Arn, changed, ct)).RuleArn
                    : (await elb.ModifyListenerAsync(split.Arn, changed, ct)).ListenerArn,
                _ => new JsonObject { ["arn"] = split.Arn },
                t), cancellationToken);
        }

        var after = WeightsOf(Forward(await StepRetries.UntilDeadlineAsync(context, ct => ReadActionsAsync(split, ct), cancellationToken), split), split);
        var evidence = new TrafficShifted(split.Kind, split.Arn, wanted, before, after);
        return after == wanted
            ? StepResult.Succeeded($"weights read back {after}", evidence)
            : StepResult.Failed($"weights read back {after}, not {wanted.Main}/{wanted.Canary}", evidence);
    }

    /// <inheritdoc />
    public async Task<string?> DifferenceFromAsync(StepPlan plan, CancellationToken cancellationToken)
    {
        var planned = Read(plan);
        var split = Planned(planned);
        var live = WeightsOf(Forward(await ReadActionsAsync(split, cancellationToken), split), split);
        return live == planned.Wanted ? null : $"the {split.Kind}'s weights are {live}, not {planned.Wanted.Main}/{planned.Wanted.Canary}";
    }

    /// <summary>The live weights between the configured main and canary target groups, in percent of the two.</summary>
    public async Task<CanaryWeights> ReadWeightsAsync(CancellationToken cancellationToken)
    {
        var split = Configured ?? throw new InvalidOperationException("the canary step was built without settings");
        var weights = WeightsOf(Forward(await ReadActionsAsync(split, cancellationToken), split), split);
        return new CanaryWeights(weights.Main, weights.Canary);
    }

    private Split? Configured => settings is null ? null : new Split(settings.Kind, settings.Arn, settings.MainTargetGroupArn, settings.CanaryTargetGroupArn);

    /// <summary>The plan's split; a version-1 plan's target groups from the settings, only when they name the same listener or rule.</summary>
    private Split Planned(CanaryPlan planned)
    {
        if (planned is { MainTargetGroup: { } main, CanaryTargetGroup: { } canary })
            return new Split(planned.Kind, planned.Arn, main, canary);
        if (Configured is { } now && now.Kind == planned.Kind && now.Arn == planned.Arn)
            return now;
        throw new RewindException(
            $"the stored canary plan (made before plans recorded target groups) names the {planned.Kind} {planned.Arn}, and rewind.yaml's canary section no longer does: its target groups are unknown",
            $"set canary.{planned.Kind}_arn back to {planned.Arn} to resume, or 'rewind resume RUN --replan' to plan again", FailureKind.BadInput);
    }

    private async Task<IReadOnlyList<ElbAction>> ReadActionsAsync(Split split, CancellationToken cancellationToken)
    {
        try
        {
            if (split.IsRule)
                return (await elb.DescribeRulesAsync([split.Arn], cancellationToken)).Single().Actions;
            return (await elb.DescribeListenersAsync([split.Arn], cancellationToken)).Single().DefaultActions;
        }
        catch (Rewind.Aws.Errors.AwsServiceException e) when (e.Code is "ListenerNotFound" or "RuleNotFound" or "ValidationError")
        {
            throw new RewindException(
                $"the canary {split.Kind} {split.Arn} was not found ({e.Code})",
                $"fix canary.{split.Kind}_arn in rewind.yaml (aws elbv2 describe-listeners lists them)", FailureKind.BadInput);
        }
    }

    private static ElbAction Forward(IReadOnlyList<ElbAction> actions, Split split) =>
        actions.FirstOrDefault(a => a.IsForward && a.ForwardConfig is { } forward
            && forward.TargetGroups.Any(g => g.TargetGroupArn == split.Main)
            && forward.TargetGroups.Any(g => g.TargetGroupArn == split.Canary))
        ?? throw new RewindException(
            $"the {split.Kind} {split.Arn} has no forward action between the main and the canary target groups",
            "check canary.main_target_group and canary.canary_target_group in rewind.yaml", FailureKind.BadInput);

    private static Weights WeightsOf(ElbAction forward, Split split)
    {
        int WeightOf(string arn) => forward.ForwardConfig!.TargetGroups.First(g => g.TargetGroupArn == arn).Weight ?? 1;
        var main = WeightOf(split.Main);
        var canary = WeightOf(split.Canary);
        var total = main + canary;
        // ELB weights are relative (0–999); the playbook speaks in percent of the two groups.
        return total == 0 ? new Weights(0, 0) : new Weights((int)Math.Round(100.0 * main / total), (int)Math.Round(100.0 * canary / total));
    }
}
