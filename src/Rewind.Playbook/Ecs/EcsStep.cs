using System.Text.Json.Nodes;
using Rewind.Aws.Ecs;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Playbook.Ecs.CodeDeploy;

namespace Rewind.Playbook.Ecs;

/// <summary>
/// Playbook Option 1, on the path the service's shape calls for (<see cref="RollbackPathChooser"/>, chosen in the plan):
/// ECS's own rollback of a deployment in flight (<see cref="EcsRollbacks"/>), CodeDeploy for a CODE_DEPLOY service
/// (<see cref="ICodeDeployRollback"/>), else UpdateService (under BLUE_GREEN/LINEAR/CANARY waited for until the plan's
/// <see cref="WaitUntil"/>). The UpdateService path: UpdateService to the target task definition with a forced new deployment, then wait until the
/// PRIMARY deployment runs it, its rollout is COMPLETED, running equals desired and older deployments are gone.
/// A FAILED rollout, a circuit-breaker rollback or the deadline is a failure, never a success.
/// With <paramref name="restart"/> it instead forces a new deployment of the revision the service already runs (so
/// its tasks read the secrets again) and waits for that deployment, known by the id UpdateService returned.
/// <paramref name="settings"/> (today's rewind.yaml) are for planning and for reporting drift only: execution reads the
/// plan's service, cluster and task definition, so a resumed run acts on what was approved.
/// </summary>
public sealed class EcsStep(
    IEcsClient ecs, EcsSettings? settings, PollSchedule? schedule = null, bool wait = true, bool restart = false,
    ICodeDeployRollback? codeDeploy = null, WaitUntil waitUntil = WaitUntil.Traffic) : ILayerStep
{
    private readonly PollSchedule _schedule = schedule ?? PollSchedule.Default;

    /// <summary>The step that executes a stored plan (resume) with no settings at all: it can execute, never plan.</summary>
    public static EcsStep ForExecution(IEcsClient ecs, PollSchedule? schedule = null, ICodeDeployRollback? codeDeploy = null) => new(ecs, null, schedule, codeDeploy: codeDeploy);

    public string Name => "ecs";
    public StepStage Stage => StepStage.Service;

    private EcsSettings Settings => settings ?? throw new InvalidOperationException("the ecs step was built to execute a stored plan; planning needs the service's settings");

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        var configured = Settings;
        if (restart)
        {
            var described = await DescribeAsync(ecs, configured, cancellationToken);
            return RestartPlan(configured, described, described.PrimaryDeployment?.TaskDefinition ?? described.TaskDefinition ?? "none");
        }
        var shape = await new ServiceShapeReader(ecs).ReadAsync(configured.Cluster, configured.Service, cancellationToken);
        var service = shape.Service;
        var running = service.PrimaryDeployment?.TaskDefinition ?? service.TaskDefinition ?? "none";
        var target = context.RequiredTarget.TaskDefinitionArn;
        var choice = RollbackPathChooser.Choose(shape, target);
        var codeDeployPlan = choice.Path == RollbackPath.CodeDeploy
            ? await (codeDeploy ?? throw new RewindException(
                    $"ECS service {configured.Service} uses the CODE_DEPLOY deployment controller and this build of Rewind has no CodeDeploy rollback",
                    "roll it back with CodeDeploy (aws deploy stop-deployment --auto-rollback-enabled, or create-deployment), then run rewind with --skip ecs",
                    FailureKind.BadInput))
                .PlanAsync(service, target, cancellationToken)
            : null;
        var nothingToDo = choice.NothingToDo || (choice.Path == RollbackPath.UpdateService && IsDone(service, d => SameTaskDefinition(d.TaskDefinition, target)));
        var summary = nothingToDo
            ? choice.NothingToDo ? choice.Reason : $"{configured.Service} already runs {Short(target)}, rollout completed"
            : choice.Path switch
            {
                RollbackPath.CodeDeploy => $"{choice.Reason}: {codeDeployPlan!.Reason}",
                RollbackPath.UpdateService when shape.InFlight is null && !shape.EcsShiftsTraffic =>
                    $"update {configured.Service} in {configured.Cluster} to {Short(target)} with a new deployment, then wait for it to complete",
                RollbackPath.UpdateService when shape.InFlight is null => $"{choice.Reason} (until {WaitText(waitUntil)})",
                _ => choice.Reason,
            };
        return StepPlan.Of(
            Name, Stage, summary,
            [$"service {configured.Cluster}/{configured.Service}: {Short(running)} → {Short(target)} ({service.DesiredCount} tasks)", $"shape: {shape.Describe()}"],
            nothingToDo,
            expectedSeconds: nothingToDo ? 1 : ExpectedSeconds(shape, choice.Path, waitUntil),
            // A new deployment under a strategy takes its shifts and bakes: the deadline leaves it twice that.
            deadlineSeconds: Math.Max(configured.DeployTimeout.TotalSeconds, shape.EcsShiftsTraffic && choice.Path == RollbackPath.UpdateService ? 2 * ExpectedSeconds(shape, choice.Path, waitUntil) : 0),
            new EcsPlan(configured.Cluster, configured.Service, target, running, Restart: false, DeploymentsBefore: [], Wait: wait,
                choice.Path, choice.Reason, choice.ServiceDeploymentArn, choice.HookId, codeDeployPlan, waitUntil, ServiceShape.Wire(shape.Strategy)),
            EcsPlanJson.Default.EcsPlan);
    }

    private static string WaitText(WaitUntil until) => until switch
    {
        WaitUntil.Traffic => "production traffic is 100 % on it",
        WaitUntil.Bake => "it reaches its bake time",
        _ => "it completes",
    };

    /// <summary>How long the path takes: ECS's rollbacks are a weight flip or a rolling return; a new deployment under a strategy takes its shifts and bakes.</summary>
    private static double ExpectedSeconds(ServiceShape shape, RollbackPath path, WaitUntil until)
    {
        if (path is RollbackPath.StopServiceDeployment or RollbackPath.ContinueServiceDeployment)
            return shape.EcsShiftsTraffic ? 30 : 60;
        if (path != RollbackPath.UpdateService || !shape.EcsShiftsTraffic)
            return 60;
        var bake = TimeSpan.FromMinutes(shape.Service.DeploymentConfiguration?.BakeTimeInMinutes ?? 0).TotalSeconds;
        var shifts = shape.StrategyDuration.TotalSeconds - bake;
        return 60 + shifts + (until == WaitUntil.Traffic ? 0 : bake);
    }

    // A resume after a sent UpdateService whose answer was never journaled tells ours from the deployments recorded here.
    private StepPlan RestartPlan(EcsSettings configured, EcsService service, string running) => StepPlan.Of(
        Name, Stage,
        $"force a new deployment of {configured.Service} on {Short(running)} so its tasks read the secrets again, then wait for it",
        [$"service {configured.Cluster}/{configured.Service}: {Short(running)} restarted ({service.DesiredCount} tasks)"],
        nothingToDo: false,
        expectedSeconds: 60,
        deadlineSeconds: configured.DeployTimeout.TotalSeconds,
        new EcsPlan(configured.Cluster, configured.Service, running, running, Restart: true, [.. service.Deployments.Select(d => d.Id)], Wait: wait),
        EcsPlanJson.Default.EcsPlan);

    /// <summary>The step's typed plan, from either schema version.</summary>
    public static EcsPlan Read(StepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.Read(EcsPlanJson.Default.EcsPlan, fromVersion1: EcsPlan.FromVersion1);
    }

    /// <inheritdoc />
    public IReadOnlyList<string> DriftFrom(StepPlan plan)
    {
        if (settings is null)
            return [];
        var planned = Read(plan);
        return [.. new[]
        {
            settings.Cluster == planned.Cluster ? null : $"service.cluster is now {settings.Cluster}; the plan names {planned.Cluster}",
            settings.Service == planned.Service ? null : $"service.ecs_service is now {settings.Service}; the plan names {planned.Service}",
        }.OfType<string>()];
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        var planned = Read(plan);
        if (planned.Restart)
            return await RestartAsync(planned, context, cancellationToken);
        switch (planned.Path)
        {
            case RollbackPath.StopServiceDeployment or RollbackPath.ContinueServiceDeployment:
                return await new EcsRollbacks(ecs, _schedule).RollBackInFlightAsync(planned, context, cancellationToken);
            case RollbackPath.CodeDeploy:
                return await CodeDeployAsync(planned, context, cancellationToken);
        }
        var target = planned.TargetTaskDefinition;
        var service = await ReadAsync(planned, context, cancellationToken);
        // Resume-safe: the PRIMARY deployment already runs the target (this run's earlier call landed, or someone else
        // did it), or an earlier attempt of this run started a deployment of it that ECS still shows: wait for that
        // rather than start another. A merely ACTIVE deployment of the target is not enough: it is the one a bad
        // build still rolling out is replacing, and it drains away unless the service is pointed back at it.
        var primaryRunsTarget = SameTaskDefinition(service.PrimaryDeployment?.TaskDefinition, target);
        var earlierAttemptInFlight = context.WasSent("UpdateService") && service.Deployments.Any(d => SameTaskDefinition(d.TaskDefinition, target));
        if (!primaryRunsTarget && !earlierAttemptInFlight)
            await DeployOnceAsync(planned, target, service, context, cancellationToken);
        if (planned.EcsShiftsTraffic && planned.Wait && await new EcsRollbacks(ecs, _schedule).WaitUnderStrategyAsync(planned, context, cancellationToken) is { } underStrategy)
            return underStrategy;
        return await WaitAsync(planned, service, new Ours(Short(target), d => SameTaskDefinition(d.TaskDefinition, target)), context, cancellationToken);
    }

    private async Task<StepResult> CodeDeployAsync(EcsPlan planned, StepContext context, CancellationToken cancellationToken)
    {
        var rollback = codeDeploy ?? throw new InvalidOperationException("the ecs plan takes the CODE_DEPLOY path and this step has no CodeDeploy rollback (PlaybookSteps wires it)");
        var outcome = await rollback.ExecuteAsync(
            planned.CodeDeploy ?? throw new InvalidOperationException("the ecs plan takes the CODE_DEPLOY path and holds no CodeDeploy plan"), context, cancellationToken);
        var service = await ReadAsync(planned, context, cancellationToken);
        var evidence = Evidence(planned, service, awaited: true) with { Path = planned.Path.ToString(), ServiceDeployment = outcome.Deployment, ServiceDeploymentStatus = outcome.Status };
        // A CODE_DEPLOY service runs task sets, not deployments: the service's own task definition and count are the proof beside CodeDeploy's deployment.
        if (service.PrimaryDeployment is null)
            evidence = evidence with { Deployment = outcome.Deployment, TaskDefinition = service.TaskDefinition, Running = service.RunningCount };
        return outcome.Succeeded
            ? StepResult.Succeeded(outcome.Summary, evidence)
            : StepResult.Failed(outcome.Failure is null ? outcome.Summary : $"{outcome.Summary}: {outcome.Failure}", evidence);
    }

    /// <summary>
    /// --restart: one forced deployment of the running revision. On resume, the deployment an earlier attempt started
    /// (its id is in the journal) is awaited instead of starting another.
    /// </summary>
    private async Task<StepResult> RestartAsync(EcsPlan planned, StepContext context, CancellationToken cancellationToken)
    {
        var running = planned.TargetTaskDefinition;
        var service = await ReadAsync(planned, context, cancellationToken);
        var deployment = context.EarlierResult("UpdateService")?["deployment"]?.GetValue<string>()
            ?? (context.WasSent("UpdateService") ? StartedSincePlan(planned, service, running) : null);
        if (deployment is null)
        {
            deployment = await DeployOnceAsync(planned, running, service, context, cancellationToken)
                ?? throw new RewindException($"UpdateService on {planned.Service} returned no PRIMARY deployment", "look at the service in the ECS console; run 'rewind ecs' to retry", FailureKind.Failed);
        }
        return await WaitAsync(planned, service, new Ours($"{Short(running)} ({deployment})", d => d.Id == deployment), context, cancellationToken);
    }

    /// <summary>
    /// The deployment of <paramref name="running"/> that the service did not have when the restart was planned: an
    /// earlier attempt's UpdateService that landed although its answer never reached the journal. Null when the plan
    /// predates the record (then the journal alone decides, as before) or no such deployment exists.
    /// </summary>
    private static string? StartedSincePlan(EcsPlan planned, EcsService service, string running)
    {
        if (planned.DeploymentsBefore.Count == 0)
            return null;
        var before = planned.DeploymentsBefore.ToHashSet(StringComparer.Ordinal);
        return service.Deployments.FirstOrDefault(d => !before.Contains(d.Id) && SameTaskDefinition(d.TaskDefinition, running))?.Id;
    }

    /// <summary>
    /// Starts exactly one forced deployment of <paramref name="taskDefinition"/> and returns its id. UpdateService is
    /// not idempotent (each delivery is a deployment), so the transport never resends it after a lost answer; this
    /// step does the reading instead: a deployment of the target that <paramref name="before"/> did not have is ours
    /// (wait for it); none means the call did not land, and it is sent once more, journaled as the next attempt.
    /// Throttling and an unreachable endpoint are retried until the step's deadline, the same read first.
    /// </summary>
    private async Task<string?> DeployOnceAsync(EcsPlan planned, string taskDefinition, EcsService before, StepContext context, CancellationToken cancellationToken)
    {
        var known = before.Deployments.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var attempt = 0;
        return await StepRetries.UntilDeadlineAsync(context, async ct =>
        {
            while (true)
            {
                if (attempt > 0 && await LandedAsync(ct) is { } landed)
                {
                    context.Report($"UpdateService of attempt {attempt} landed: waiting for its deployment {landed}");
                    return landed;
                }
                attempt++;
                try
                {
                    var updated = await StartDeploymentAsync(planned, taskDefinition, attempt, context, ct);
                    return updated.PrimaryDeployment?.Id;
                }
                catch (Rewind.Aws.Errors.AwsAnswerLostException lost)
                {
                    context.Report($"UpdateService answer lost ({lost.WhatHappened}): reading the service before deciding");
                }
            }
        }, cancellationToken);

        async Task<string?> LandedAsync(CancellationToken ct) =>
            (await DescribeAsync(ecs, planned.Cluster, planned.Service, ct)).Deployments
                .FirstOrDefault(d => !known.Contains(d.Id) && SameTaskDefinition(d.TaskDefinition, taskDefinition))?.Id;
    }

    /// <summary>UpdateService to <paramref name="taskDefinition"/> with a forced new deployment, journaled (with its attempt from the second on).</summary>
    private Task<EcsService> StartDeploymentAsync(EcsPlan planned, string taskDefinition, int attempt, StepContext context, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["cluster"] = planned.Cluster, ["service"] = planned.Service, ["taskDefinition"] = taskDefinition, ["forceNewDeployment"] = true };
        if (attempt > 1)
            request["attempt"] = attempt;
        return context.CallAsync(
            "UpdateService",
            request,
            ct => ecs.UpdateServiceAsync(new ServiceUpdate(planned.Cluster, planned.Service, taskDefinition, ForceNewDeployment: true), ct),
            updated => new JsonObject { ["deployment"] = updated.PrimaryDeployment?.Id, ["taskDefinition"] = updated.PrimaryDeployment?.TaskDefinition },
            cancellationToken);
    }

    /// <summary>The service, read again until the step's deadline while AWS is busy.</summary>
    private Task<EcsService> ReadAsync(EcsPlan planned, StepContext context, CancellationToken cancellationToken) =>
        StepRetries.UntilDeadlineAsync(context, ct => DescribeAsync(ecs, planned.Cluster, planned.Service, ct), cancellationToken);

    /// <summary>Which deployment this step is waiting for, and how to name it.</summary>
    private sealed record Ours(string Label, Func<Deployment, bool> Is);

    private async Task<StepResult> WaitAsync(EcsPlan planned, EcsService service, Ours ours, StepContext context, CancellationToken cancellationToken)
    {
        if (!planned.Wait)
        {
            var started = await ReadAsync(planned, context, cancellationToken);
            return StepResult.Succeeded($"deployment of {ours.Label} started (--no-wait): {Progress(started)}", Evidence(planned, started, awaited: false));
        }

        string? lastProgress = null;
        var seenEvents = new HashSet<string>(service.Events.Select(e => e.Id), StringComparer.Ordinal);
        var final = await Polling.UntilAsync(
            async ct =>
            {
                var current = await ReadAsync(planned, context, ct);
                foreach (var e in current.Events.Where(e => seenEvents.Add(e.Id)).Reverse())
                    context.Report("ecs event: " + e.Message);
                var progress = Progress(current);
                if (progress != lastProgress)
                    context.Report(lastProgress = progress);
                return current;
            },
            current => IsDone(current, ours.Is) || FailureOf(current, ours) is not null,
            _schedule, context.Time, cancellationToken);

        var primary = final.PrimaryDeployment;
        var evidence = Evidence(planned, final, awaited: true);
        return FailureOf(final, ours) is { } failure
            ? StepResult.Failed(failure, evidence)
            : StepResult.Succeeded($"{planned.Service} runs {Short(primary!.TaskDefinition ?? "?")}: rollout COMPLETED, {primary.RunningCount}/{final.DesiredCount} running", evidence);
    }

    /// <summary>The service's PRIMARY deployment as last read, beside the plan's target (the checklist compares the two).</summary>
    private static ServiceReverted Evidence(EcsPlan planned, EcsService service, bool awaited)
    {
        var primary = service.PrimaryDeployment;
        return new ServiceReverted(
            planned.Cluster, planned.Service, planned.TargetTaskDefinition, primary?.Id, primary?.TaskDefinition,
            primary is null ? null : awaited ? primary.RolloutState.Wire() : "not awaited",
            primary?.RunningCount ?? 0, service.DesiredCount, service.Deployments.Count, awaited);
    }

    /// <inheritdoc />
    public async Task<string?> DifferenceFromAsync(StepPlan plan, CancellationToken cancellationToken)
    {
        var planned = Read(plan);
        var target = planned.TargetTaskDefinition;
        var service = await DescribeAsync(ecs, planned.Cluster, planned.Service, cancellationToken);
        return IsDone(service, d => SameTaskDefinition(d.TaskDefinition, target))
            ? null
            : $"{planned.Service} runs {Progress(service)}, not only {Short(target)} with its rollout completed";
    }

    /// <summary>The service, or a clear error when the cluster or the service does not exist.</summary>
    public static Task<EcsService> DescribeAsync(IEcsClient ecs, EcsSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return DescribeAsync(ecs, settings.Cluster, settings.Service, cancellationToken);
    }

    internal static async Task<EcsService> DescribeAsync(IEcsClient ecs, string cluster, string serviceName, CancellationToken cancellationToken)
    {
        ServicesDescription described;
        try
        {
            described = await ecs.DescribeServicesAsync(cluster, [serviceName], cancellationToken);
        }
        catch (Rewind.Aws.Errors.AwsServiceException e) when (e.Code == "ClusterNotFoundException")
        {
            throw new RewindException(
                $"ECS service '{serviceName}' was not found in cluster '{cluster}' (no such cluster)",
                "check service.cluster in rewind.yaml (aws ecs list-clusters)", FailureKind.BadInput);
        }
        var service = described.Services.FirstOrDefault(s => s.ServiceName == serviceName && s.Status != ServiceStatus.Inactive);
        if (service is not null)
            return service;
        var reason = described.Failures.FirstOrDefault()?.Reason ?? "INACTIVE";
        throw new RewindException(
            $"ECS service '{serviceName}' was not found in cluster '{cluster}' ({reason})",
            "check service.cluster and service.ecs_service in rewind.yaml (aws ecs list-services --cluster NAME)", FailureKind.BadInput);
    }

    private static bool IsDone(EcsService service, Func<Deployment, bool> ours) =>
        service.PrimaryDeployment is { } primary
        && ours(primary)
        && primary.RolloutState == RolloutState.Completed
        && primary.RunningCount == service.DesiredCount
        && service.Deployments.Count == 1;

    /// <summary>Why the rollout failed, or null while it is fine.</summary>
    private static string? FailureOf(EcsService service, Ours ours)
    {
        var deployment = service.Deployments.FirstOrDefault(ours.Is);
        if (deployment is { RolloutState: RolloutState.Failed })
        {
            var rolledBackTo = service.PrimaryDeployment is { } primary && !ours.Is(primary)
                ? $"; the circuit breaker rolled the service back to {Short(primary.TaskDefinition ?? "?")}"
                : "";
            return $"the rollout of {ours.Label} FAILED: {deployment.RolloutStateReason ?? "no reason given"}{rolledBackTo}";
        }
        if (deployment is null && service.PrimaryDeployment is { } other && !ours.Is(other))
            return $"the deployment of {ours.Label} is gone and the service runs {Short(other.TaskDefinition ?? "?")}: ECS rolled it back or someone deployed over it";
        return null;
    }

    private static string Progress(EcsService service) => string.Join("; ", service.Deployments.Select(d =>
        $"{d.Status.ToString().ToUpperInvariant()} {Short(d.TaskDefinition ?? "?")} {d.RunningCount}/{d.DesiredCount} running, {d.PendingCount} pending, {d.RolloutState.Wire()}"));

    private static bool SameTaskDefinition(string? a, string? b) =>
        TaskDefinitionRevision.TryParse(a, out var left) && TaskDefinitionRevision.TryParse(b, out var right) && left == right;

    private static string Short(string taskDefinition) =>
        TaskDefinitionRevision.TryParse(taskDefinition, out var parsed) ? parsed.ToString() : taskDefinition;
}
