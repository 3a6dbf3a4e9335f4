using System.Text.Json.Nodes;
using Rewind.Aws.Ecs;
using Rewind.Aws.Errors;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;

namespace Rewind.Playbook.Ecs;

/// <summary>
/// ECS's own rollback of the deployment in flight: StopServiceDeployment ROLLBACK, or ContinueServiceDeployment
/// ROLLBACK on the PAUSE hook awaiting action. Neither is idempotent, so the decision to send is taken from the service
/// deployment as read, never from the journal alone: one already rolling back (ROLLBACK_*, STOP_REQUESTED) is waited
/// for, after a crash as after a lost answer; only a deployment still going forward gets the call, once per attempt.
/// Then it waits until ROLLBACK_SUCCESSFUL with the service on the target and running = desired; ROLLBACK_FAILED,
/// STOPPED, SUCCESSFUL (the bad revision completed first) or a hook FAILED/TIMED_OUT is a failure with ECS's reason.
/// </summary>
internal sealed class EcsRollbacks(IEcsClient ecs, PollSchedule schedule)
{
    public async Task<StepResult> RollBackInFlightAsync(EcsPlan planned, StepContext context, CancellationToken cancellationToken)
    {
        var arn = planned.ServiceDeploymentArn ?? throw new InvalidOperationException($"the ecs plan's path {planned.Path} names no service deployment");
        var call = planned.Path.ToString();
        var deployment = await ReadAsync(arn, context, cancellationToken);
        if (!Answered(deployment, planned))
        {
            if (FailureOf(deployment, planned) is { } before)
                return StepResult.Failed(before, await EvidenceAsync(planned, deployment, context, cancellationToken));
            deployment = await SendOnceAsync(planned, arn, call, context, cancellationToken);
        }
        else
        {
            context.Report($"{ServiceShape.Last(arn)} is {ServiceShape.Wire(deployment.Status)}{(context.WasSent(call) ? $" after this run's {call}" : "")}: waiting, no second call");
        }

        string? last = null;
        var final = await Polling.UntilAsync(
            async ct =>
            {
                var current = await ReadAsync(arn, context, ct);
                var service = await ServiceAsync(planned, context, ct);
                var progress = $"{ServiceShape.Last(arn)} {ServiceShape.Wire(current.Status)}{(current.LifecycleStage is { } s ? " " + ServiceShape.Wire(s) : "")}; PRIMARY runs {ServiceShape.Short(service.PrimaryDeployment?.TaskDefinition)} {service.PrimaryDeployment?.RunningCount}/{service.DesiredCount}";
                if (progress != last)
                    context.Report(last = progress);
                return (Deployment: current, Service: service);
            },
            read => RolledBack(read.Deployment, read.Service, planned) || FailureOf(read.Deployment, planned) is not null,
            schedule, context.Time, cancellationToken);

        var evidence = Evidence(planned, final.Deployment, final.Service);
        return FailureOf(final.Deployment, planned) is { } failure
            ? StepResult.Failed(failure, evidence)
            : StepResult.Succeeded(
                $"ECS rolled {ServiceShape.Last(arn)} back ({planned.Path} ROLLBACK): {planned.Service} runs {ServiceShape.Short(planned.TargetTaskDefinition)}, {final.Service.PrimaryDeployment?.RunningCount}/{final.Service.DesiredCount} running",
                evidence);
    }

    /// <summary>
    /// An UpdateService under BLUE_GREEN/LINEAR/CANARY, waited for until <see cref="EcsPlan.WaitUntil"/>: production
    /// traffic 100 % on the target's revision, its bake time, or SUCCESSFUL. Null when the endpoint names no current
    /// service deployment (then the rollout is waited for as under ROLLING). ECS rolling the new deployment back, a
    /// stop or a failed hook is a failure with ECS's reason.
    /// </summary>
    public async Task<StepResult?> WaitUnderStrategyAsync(EcsPlan planned, StepContext context, CancellationToken cancellationToken)
    {
        var wanted = planned.WaitUntil switch { WaitUntil.Traffic => 1, WaitUntil.Bake => 2, _ => 3 };
        string? last = null;
        // The deployment of the target, once seen while PRIMARY runs it; followed by its ARN from then on, so that
        // ECS rolling it back (a failed hook: PRIMARY returns to the old revision) is read with ECS's reason.
        string? ours = null;
        var final = await Polling.UntilAsync(
            async ct =>
            {
                var service = await ServiceAsync(planned, context, ct);
                if (ours is null && service.CurrentServiceDeployment is { } newest && RollbackPathChooser.Same(service.PrimaryDeployment?.TaskDefinition ?? service.TaskDefinition, planned.TargetTaskDefinition))
                    ours = newest;
                if (ours is not { } arn)
                    return (Service: service, Deployment: (ServiceDeployment?)null);
                var current = await ReadAsync(arn, context, ct);
                var progress = $"{ServiceShape.Last(arn)} {ServiceShape.Wire(current.Status)}{(current.LifecycleStage is { } s ? " " + ServiceShape.Wire(s) : "")}, production {current.TargetServiceRevision?.RequestedProductionTrafficWeight?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} % on {ServiceShape.Short(planned.TargetTaskDefinition)}";
                if (progress != last)
                    context.Report(last = progress);
                return (Service: service, Deployment: (ServiceDeployment?)current);
            },
            read => read.Deployment is null || Reached(read.Deployment, read.Service) >= wanted || StrategyFailure(read.Deployment) is not null,
            schedule, context.Time, cancellationToken);
        if (final.Deployment is not { } deployment)
            return null;
        var stage = Reached(deployment, final.Service) switch { 3 => "completed", 2 => "bake", 1 => "traffic", _ => null };
        var evidence = Evidence(planned, deployment, final.Service, stage) with { Path = planned.Path.ToString() };
        return StrategyFailure(deployment) is { } failure
            ? StepResult.Failed(failure, evidence)
            : StepResult.Succeeded($"{planned.Service}'s {planned.Strategy} deployment {ServiceShape.Last(deployment.ServiceDeploymentArn)} of {ServiceShape.Short(planned.TargetTaskDefinition)} reached {stage} (waited until {planned.WaitUntil.ToString().ToLowerInvariant()})", evidence);
    }

    /// <summary>How far a deployment under a strategy has got: 1 production traffic on the target, 2 bake (or later), 3 SUCCESSFUL with the old revision gone.</summary>
    private static int Reached(ServiceDeployment deployment, EcsService service)
    {
        if (deployment.Status == ServiceDeploymentStatus.Successful)
            return service.Deployments.Count == 1 && service.RunningCount == service.DesiredCount ? 3 : 2;
        if (deployment.Status != ServiceDeploymentStatus.InProgress)
            return 0;
        if (deployment.LifecycleStage is ServiceDeploymentLifecycleStage.BakeTime or ServiceDeploymentLifecycleStage.CleanUp)
            return 2;
        return deployment.TargetServiceRevision?.RequestedProductionTrafficWeight >= 100 ? 1 : 0;
    }

    private static string? StrategyFailure(ServiceDeployment deployment)
    {
        var name = ServiceShape.Last(deployment.ServiceDeploymentArn);
        var reason = deployment.StatusReason ?? deployment.Rollback?.Reason ?? "no reason given";
        if (deployment.LifecycleHookDetails.FirstOrDefault(h => h.Status is LifecycleHookStatus.Failed or LifecycleHookStatus.TimedOut) is { } hook)
            return $"lifecycle hook {hook.HookId} of {name} is {ServiceShape.Wire(hook.Status)}: {reason}";
        return deployment.Status is ServiceDeploymentStatus.RollbackRequested or ServiceDeploymentStatus.RollbackInProgress or ServiceDeploymentStatus.RollbackSuccessful
            or ServiceDeploymentStatus.RollbackFailed or ServiceDeploymentStatus.Stopped or ServiceDeploymentStatus.StopRequested
            ? $"the deployment of the target, {name}, is {ServiceShape.Wire(deployment.Status)}: {reason}"
            : null;
    }

    /// <summary>The rollback has been asked for already (by this run, an earlier attempt, or ECS itself).</summary>
    private static bool Answered(ServiceDeployment deployment, EcsPlan planned) =>
        deployment.Status is ServiceDeploymentStatus.RollbackRequested or ServiceDeploymentStatus.RollbackInProgress
            or ServiceDeploymentStatus.RollbackSuccessful or ServiceDeploymentStatus.RollbackFailed or ServiceDeploymentStatus.StopRequested
        || (planned.Path == RollbackPath.ContinueServiceDeployment && Hook(deployment, planned) is { Status: not LifecycleHookStatus.AwaitingAction and not LifecycleHookStatus.Failed and not LifecycleHookStatus.TimedOut });

    private static LifecycleHookDetail? Hook(ServiceDeployment deployment, EcsPlan planned) =>
        deployment.LifecycleHookDetails.FirstOrDefault(h => h.HookId == planned.HookId);

    /// <summary>One call that lands: after a lost answer the deployment is read; answered means it landed, else it is sent again as the next attempt.</summary>
    private async Task<ServiceDeployment> SendOnceAsync(EcsPlan planned, string arn, string call, StepContext context, CancellationToken cancellationToken)
    {
        var attempt = 0;
        return await StepRetries.UntilDeadlineAsync(context, async ct =>
        {
            while (true)
            {
                if (attempt > 0 && await ReadAsync(arn, context, ct) is var read && Answered(read, planned))
                {
                    context.Report($"{call} of attempt {attempt} landed: {ServiceShape.Last(arn)} is {ServiceShape.Wire(read.Status)}");
                    return read;
                }
                attempt++;
                var request = new JsonObject { ["serviceDeploymentArn"] = arn };
                if (planned.Path == RollbackPath.ContinueServiceDeployment)
                {
                    request["hookId"] = planned.HookId;
                    request["action"] = "ROLLBACK";
                }
                else
                {
                    request["stopType"] = "ROLLBACK";
                }
                if (attempt > 1)
                    request["attempt"] = attempt;
                try
                {
                    await context.CallAsync(call, request,
                        c => planned.Path == RollbackPath.ContinueServiceDeployment
                            ? ecs.ContinueServiceDeploymentAsync(arn, planned.HookId!, LifecycleHookAction.Rollback, c)
                            : ecs.StopServiceDeploymentAsync(arn, StopServiceDeploymentType.Rollback, c),
                        answered => new JsonObject { ["serviceDeploymentArn"] = answered },
                        ct);
                    return await ReadAsync(arn, context, ct);
                }
                catch (AwsAnswerLostException lost)
                {
                    context.Report($"{call} answer lost ({lost.WhatHappened}): reading the service deployment before deciding");
                }
            }
        }, cancellationToken);
    }

    private static bool RolledBack(ServiceDeployment deployment, EcsService service, EcsPlan planned) =>
        deployment.Status == ServiceDeploymentStatus.RollbackSuccessful
        && RollbackPathChooser.Same(service.PrimaryDeployment?.TaskDefinition ?? service.TaskDefinition, planned.TargetTaskDefinition)
        && service.RunningCount == service.DesiredCount;

    /// <summary>Why the rollback cannot succeed, in ECS's words, or null while it may.</summary>
    private static string? FailureOf(ServiceDeployment deployment, EcsPlan planned)
    {
        var name = ServiceShape.Last(deployment.ServiceDeploymentArn);
        var reason = deployment.StatusReason ?? deployment.Rollback?.Reason ?? "no reason given";
        if (planned.Path == RollbackPath.ContinueServiceDeployment && Hook(deployment, planned) is { Status: LifecycleHookStatus.Failed or LifecycleHookStatus.TimedOut } hook)
            return $"PAUSE hook {hook.HookId} of {name} is {ServiceShape.Wire(hook.Status)}: {reason}";
        return deployment.Status switch
        {
            ServiceDeploymentStatus.RollbackFailed => $"ECS's rollback of {name} is ROLLBACK_FAILED: {reason}",
            ServiceDeploymentStatus.Stopped => $"{name} is STOPPED without a rollback: {reason}",
            ServiceDeploymentStatus.Successful => $"{name} completed (SUCCESSFUL) before it could be rolled back: plan again ('rewind plan'): the bad revision now needs an UpdateService",
            _ => null,
        };
    }

    private async Task<ServiceReverted> EvidenceAsync(EcsPlan planned, ServiceDeployment deployment, StepContext context, CancellationToken cancellationToken) =>
        Evidence(planned, deployment, await ServiceAsync(planned, context, cancellationToken));

    /// <summary>The service's PRIMARY deployment beside the service deployment read back, and the production weight of the revision it returned to.</summary>
    internal static ServiceReverted Evidence(EcsPlan planned, ServiceDeployment deployment, EcsService service, string? stage = null)
    {
        var primary = service.PrimaryDeployment;
        var weight = deployment.Status == ServiceDeploymentStatus.RollbackSuccessful
            ? deployment.SourceServiceRevisions.FirstOrDefault()?.RequestedProductionTrafficWeight
            : deployment.TargetServiceRevision?.RequestedProductionTrafficWeight;
        return new ServiceReverted(
            planned.Cluster, planned.Service, planned.TargetTaskDefinition, primary?.Id, primary?.TaskDefinition ?? service.TaskDefinition,
            primary?.RolloutState.Wire(), primary?.RunningCount ?? service.RunningCount, service.DesiredCount, service.Deployments.Count,
            Path: planned.Path.ToString(), ServiceDeployment: deployment.ServiceDeploymentArn, ServiceDeploymentStatus: ServiceShape.Wire(deployment.Status),
            StageReached: stage ?? (deployment.Status == ServiceDeploymentStatus.RollbackSuccessful ? "rolled back" : null),
            TargetProductionWeight: weight);
    }

    private Task<ServiceDeployment> ReadAsync(string arn, StepContext context, CancellationToken cancellationToken) =>
        StepRetries.UntilDeadlineAsync(context, async ct =>
        {
            var described = await ecs.DescribeServiceDeploymentsAsync([arn], ct);
            return described.Deployments.FirstOrDefault(d => d.ServiceDeploymentArn == arn)
                ?? throw new Core.RewindException(
                    $"service deployment {arn} could not be read ({(described.Supported ? described.Failures.FirstOrDefault()?.Reason ?? "not found" : described.Reason)})",
                    "look at the service's deployments in the ECS console; plan again with 'rewind plan'", Core.FailureKind.Failed);
        }, cancellationToken);

    private Task<EcsService> ServiceAsync(EcsPlan planned, StepContext context, CancellationToken cancellationToken) =>
        StepRetries.UntilDeadlineAsync(context, ct => EcsStep.DescribeAsync(ecs, planned.Cluster, planned.Service, ct), cancellationToken);
}
