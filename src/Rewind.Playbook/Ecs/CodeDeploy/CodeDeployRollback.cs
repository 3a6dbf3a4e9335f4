using System.Text.Json.Nodes;
using Rewind.Aws.CodeDeploy;
using Rewind.Aws.Ecs;
using Rewind.Aws.Errors;
using Rewind.Core;
using Rewind.Core.Engine;

namespace Rewind.Playbook.Ecs.CodeDeploy;

/// <summary>
/// The CODE_DEPLOY path of the ecs step: StopDeployment with auto-rollback for a deployment in flight that returns to
/// the target; StopDeployment without auto-rollback, then one CreateDeployment, for one that returns elsewhere; else one
/// CreateDeployment with an ECS AppSpec naming the target; then the awaited deployment until it is final. Neither call
/// is idempotent, so after a lost answer or a crash CodeDeploy is read before anything is sent again.
/// </summary>
/// <param name="codeDeploy">The CodeDeploy client.</param>
/// <param name="application">service.codedeploy_application from rewind.yaml, or null to find it from the service.</param>
/// <param name="deploymentGroup">service.codedeploy_group from rewind.yaml, or null to find it from the service.</param>
/// <param name="poll">How waits poll GetDeployment.</param>
public sealed class CodeDeployRollback(ICodeDeployClient codeDeploy, string? application, string? deploymentGroup, PollSchedule poll)
    : ICodeDeployRollback, ICodeDeployHistory
{
    /// <summary>The statuses of a deployment that has not ended: one of these is the deployment in flight.</summary>
    public static readonly IReadOnlyList<CodeDeployDeploymentStatus> InFlight =
        [CodeDeployDeploymentStatus.Created, CodeDeployDeploymentStatus.Queued, CodeDeployDeploymentStatus.InProgress,
         CodeDeployDeploymentStatus.Baking, CodeDeployDeploymentStatus.Ready];

    /// <summary>How many of a group's deployments a resume reads when it looks for the one an earlier attempt created.</summary>
    public const int MaxDeploymentsSearched = 50;

    /// <summary>Polls after a stopped deployment ended without naming its rollback deployment, before that counts as a failure.</summary>
    public const int RollbackNamingPolls = 10;

    public async Task<CodeDeployPlan> PlanAsync(EcsService service, string targetTaskDefinition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        var cluster = ClusterName(service.ClusterArn);
        var group = await FindGroupAsync(service.ServiceName, cluster, cancellationToken)
            ?? throw new RewindException(
                $"service {service.ServiceName} has a CODE_DEPLOY controller but no CodeDeploy deployment group deploys it; set service.codedeploy_application and service.codedeploy_group",
                "name the application and deployment group that deploy the service in rewind.yaml, then plan again",
                FailureKind.BadInput);
        var balancer = service.LoadBalancers.FirstOrDefault();
        var where = $"{group.ApplicationName}/{group.DeploymentGroupName}";
        var inFlight = await NewestInFlightAsync(group.ApplicationName, group.DeploymentGroupName, cancellationToken);
        var returnsTo = inFlight is null ? null : AppSpec.TaskDefinitionsOf(inFlight.PreviousRevision?.AppSpecContent?.Content).FirstOrDefault();
        if (inFlight is not null && SameRevision(returnsTo ?? service.TaskDefinition ?? targetTaskDefinition, targetTaskDefinition))
        {
            return new CodeDeployPlan(
                group.ApplicationName, group.DeploymentGroupName, inFlight.DeploymentId, StopInFlight: true, targetTaskDefinition,
                balancer?.ContainerName, balancer?.ContainerPort,
                $"CodeDeploy deployment {inFlight.DeploymentId} of {where} is {inFlight.Status}: StopDeployment with auto-rollback " +
                $"(CodeDeploy moves traffic back to the original task set{(returnsTo is null ? "" : $", {Short(returnsTo)}")}), then wait for its rollback deployment");
        }
        if (balancer?.ContainerName is not { Length: > 0 } container || balancer.ContainerPort is not { } port)
        {
            throw new RewindException(
                $"service {service.ServiceName} has a CODE_DEPLOY controller but no load balancer with a container name and port; the AppSpec of a CodeDeploy ECS deployment needs both",
                "give the service its load balancer (containerName, containerPort) as CodeDeploy blue/green requires, then plan again",
                FailureKind.BadInput);
        }
        if (inFlight is not null)
        {
            // StopDeployment with auto-rollback returns to the original task set, which is not the target; and CodeDeploy
            // refuses a new deployment while one of the group is active. So: stop it without auto-rollback, then create.
            var original = returnsTo ?? service.TaskDefinition!;
            var deploying = AppSpec.TaskDefinitionsOf(inFlight.Revision?.AppSpecContent?.Content).FirstOrDefault();
            return new CodeDeployPlan(
                group.ApplicationName, group.DeploymentGroupName, inFlight.DeploymentId, StopInFlight: true, targetTaskDefinition, container, port,
                $"CodeDeploy deployment {inFlight.DeploymentId}{(deploying is null ? "" : $" of {Short(deploying)}")} in {where} is {inFlight.Status}; " +
                $"stopping it with auto-rollback returns to {Short(original)}, not the target {Short(targetTaskDefinition)}: " +
                $"StopDeployment without auto-rollback, then CreateDeployment to {Short(targetTaskDefinition)} " +
                $"(an ECS AppSpec, container {container}:{port}), then wait for it",
                CreateAfterStop: true);
        }
        return new CodeDeployPlan(
            group.ApplicationName, group.DeploymentGroupName, InFlightDeployment: null, StopInFlight: false, targetTaskDefinition, container, port,
            $"no CodeDeploy deployment in flight in {where}: CreateDeployment with an ECS AppSpec naming {Short(targetTaskDefinition)} " +
            $"(container {container}:{port}), then wait for it");
    }

    public async Task<CodeDeployOutcome> ExecuteAsync(CodeDeployPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(context);
        if (plan.StopInFlight)
        {
            var stopped = plan.InFlightDeployment ?? throw new InvalidOperationException("a CodeDeploy stop plan names no deployment");
            if (await StopOnceAsync(stopped, !plan.CreateAfterStop, context, cancellationToken) is { } refused)
                return refused;
            if (plan.CreateAfterStop)
            {
                await AwaitEndedAsync(stopped, context, cancellationToken);
                return await CreateAndAwaitAsync(plan, context, cancellationToken);
            }
            var (rollback, none) = await AwaitRollbackAsync(stopped, context, cancellationToken);
            return rollback is null ? none! : await AwaitAsync(rollback, $"the rollback deployment {rollback} of stopped {stopped}", context, cancellationToken);
        }
        return await CreateAndAwaitAsync(plan, context, cancellationToken);
    }

    /// <summary>One CreateDeployment of the target, then its deployment until final; refused while another is active.</summary>
    private async Task<CodeDeployOutcome> CreateAndAwaitAsync(CodeDeployPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        string created;
        try
        {
            created = await CreateOnceAsync(plan, context, cancellationToken);
        }
        catch (AwsServiceException e) when (e.Code == "DeploymentLimitExceededException")
        {
            // Not retried: another deployment of the group is active, and only its end (or an operator) changes that.
            var reason = $"{e.Code}: {e.ErrorMessage}";
            return new CodeDeployOutcome(
                false,
                $"CodeDeploy refused the deployment of {Short(plan.TargetTaskDefinition)}: a deployment of {plan.Application}/{plan.DeploymentGroup} is still active ({reason}); wait until it ends, then plan again",
                plan.InFlightDeployment, null, reason);
        }
        return await AwaitAsync(created, $"deployment {created} of {Short(plan.TargetTaskDefinition)}", context, cancellationToken);
    }

    /// <summary>The configured group, or the first group of any application whose ECS services name the service in its cluster.</summary>
    private async Task<CodeDeployDeploymentGroup?> FindGroupAsync(string service, string? cluster, CancellationToken cancellationToken)
    {
        var applications = application is not null ? [application] : await codeDeploy.ListApplicationsAsync(cancellationToken);
        var configuredGroupSeen = false;
        foreach (var app in applications)
        {
            IReadOnlyList<string> groups;
            try
            {
                groups = deploymentGroup is not null ? [deploymentGroup] : await codeDeploy.ListDeploymentGroupsAsync(app, cancellationToken);
            }
            catch (AwsServiceException e) when (application is not null && e.Code == "ApplicationDoesNotExistException")
            {
                throw NotFound($"CodeDeploy application {app} (service.codedeploy_application) was not found", e);
            }
            foreach (var name in groups)
            {
                // One GetDeploymentGroup per group rather than BatchGetDeploymentGroups: moto has no batch call, and an
                // account rarely has more than a handful of groups per application.
                CodeDeployDeploymentGroup found;
                try
                {
                    found = await codeDeploy.GetDeploymentGroupAsync(app, name, cancellationToken);
                }
                catch (AwsServiceException e) when (application is not null && deploymentGroup is not null && e.Code is "DeploymentGroupDoesNotExistException" or "ApplicationDoesNotExistException")
                {
                    throw NotFound(e.Code == "ApplicationDoesNotExistException"
                        ? $"CodeDeploy application {app} (service.codedeploy_application) was not found"
                        : $"CodeDeploy deployment group {name} (service.codedeploy_group) was not found in application {app}", e);
                }
                catch (AwsServiceException e) when (e.Code is "DeploymentGroupDoesNotExistException" or "ApplicationDoesNotExistException")
                {
                    continue;
                }
                configuredGroupSeen = true;
                if (found.EcsServices.Any(s => s.ServiceName == service && (cluster is null || ClusterName(s.ClusterName) == cluster)))
                    return found;
            }
        }
        if (deploymentGroup is not null && !configuredGroupSeen)
        {
            throw new RewindException(
                $"CodeDeploy deployment group {deploymentGroup} (service.codedeploy_group) was not found in any CodeDeploy application ({applications.Count} listed)",
                "fix service.codedeploy_group in rewind.yaml (aws deploy list-deployment-groups --application-name APP), name its service.codedeploy_application, or remove it to find the group from the service",
                FailureKind.BadInput);
        }
        return null;
    }

    public async Task<CodeDeployHistory?> ReadHistoryAsync(EcsService service, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (await FindGroupAsync(service.ServiceName, ClusterName(service.ClusterArn), cancellationToken) is not { } group)
            return null;
        var inFlight = await NewestInFlightAsync(group.ApplicationName, group.DeploymentGroupName, cancellationToken);
        var ids = await codeDeploy.ListDeploymentsAsync(group.ApplicationName, group.DeploymentGroupName, [CodeDeployDeploymentStatus.Succeeded], cancellationToken);
        var succeeded = new List<CodeDeployDeployed>();
        foreach (var id in ids.Take(MaxDeploymentsSearched))
        {
            var deployment = await codeDeploy.GetDeploymentAsync(id, cancellationToken);
            if (deployment.Status == CodeDeployDeploymentStatus.Succeeded && Deployed(deployment, deployment.CompleteTime ?? deployment.CreateTime) is { } deployed)
                succeeded.Add(deployed);
        }
        return new CodeDeployHistory(
            $"{group.ApplicationName}/{group.DeploymentGroupName}",
            inFlight is null ? null : Deployed(inFlight, inFlight.CreateTime),
            [.. succeeded.OrderByDescending(d => d.At ?? DateTimeOffset.MinValue)]);
    }

    private static CodeDeployDeployed? Deployed(CodeDeployDeployment deployment, DateTimeOffset? at) =>
        AppSpec.TaskDefinitionsOf(deployment.Revision?.AppSpecContent?.Content).FirstOrDefault() is { } taskDefinition
            ? new CodeDeployDeployed(deployment.DeploymentId, taskDefinition, at, AppSpec.TaskDefinitionsOf(deployment.PreviousRevision?.AppSpecContent?.Content).FirstOrDefault())
            : null;

    private static RewindException NotFound(string what, AwsServiceException e) => new(
        $"{what} ({e.Code}: {e.ErrorMessage})",
        "fix service.codedeploy_application and service.codedeploy_group in rewind.yaml (aws deploy list-applications, aws deploy list-deployment-groups), or remove them to find the group from the service",
        FailureKind.BadInput);

    private static bool SameRevision(string a, string b) =>
        TaskDefinitionRevision.TryParse(a, out var left) && TaskDefinitionRevision.TryParse(b, out var right) ? left == right : a == b;

    private async Task<CodeDeployDeployment?> NewestInFlightAsync(string app, string group, CancellationToken cancellationToken)
    {
        var ids = await codeDeploy.ListDeploymentsAsync(app, group, InFlight, cancellationToken);
        var deployments = new List<CodeDeployDeployment>();
        foreach (var id in ids)
            deployments.Add(await codeDeploy.GetDeploymentAsync(id, cancellationToken));
        return deployments.Where(d => InFlight.Contains(d.Status)).MaxBy(d => d.CreateTime ?? DateTimeOffset.MinValue);
    }

    /// <summary>
    /// Sends StopDeployment once. After a lost answer (or a resume after a crash) the deployment is read first: stopped,
    /// failed or naming a rollback means the stop landed; still in flight means it did not, and it is sent again,
    /// journaled as the next attempt. Returns an outcome only when there is nothing left to stop and nothing follows
    /// (without <paramref name="autoRollback"/> a CreateDeployment follows, so a completed deployment is no failure).
    /// </summary>
    private Task<CodeDeployOutcome?> StopOnceAsync(string deploymentId, bool autoRollback, StepContext context, CancellationToken cancellationToken)
    {
        if (context.EarlierResult("StopDeployment") is not null)
            return Task.FromResult<CodeDeployOutcome?>(null);
        var unsure = context.WasSent("StopDeployment");
        var attempt = 0;
        return StepRetries.UntilDeadlineAsync<CodeDeployOutcome?>(context, async ct =>
        {
            while (true)
            {
                if (unsure || attempt > 0)
                {
                    var now = await codeDeploy.GetDeploymentAsync(deploymentId, ct);
                    if (now.RollbackInfo?.RollbackDeploymentId is not null || now.Status is CodeDeployDeploymentStatus.Stopped or CodeDeployDeploymentStatus.Failed)
                    {
                        context.Report($"StopDeployment of {deploymentId} landed: it is {now.Status}");
                        return null;
                    }
                    if (now.Status is CodeDeployDeploymentStatus.Succeeded)
                        return CompletedBeforeStop(deploymentId, autoRollback, context);
                }
                attempt++;
                try
                {
                    await context.CallAsync(
                        "StopDeployment",
                        Attempt(new JsonObject { ["deploymentId"] = deploymentId, ["autoRollbackEnabled"] = autoRollback }, attempt),
                        c => codeDeploy.StopDeploymentAsync(deploymentId, autoRollback, c),
                        stop => new JsonObject { ["status"] = stop.Status.ToString(), ["statusMessage"] = stop.StatusMessage },
                        ct);
                    return null;
                }
                catch (AwsAnswerLostException lost)
                {
                    context.Report($"StopDeployment answer lost ({lost.WhatHappened}): reading deployment {deploymentId} before deciding");
                }
                catch (AwsServiceException e) when (e.Code == "DeploymentAlreadyCompletedException")
                {
                    return CompletedBeforeStop(deploymentId, autoRollback, context);
                }
            }
        }, cancellationToken);
    }

    /// <summary>Waits until the stopped deployment names its rollback deployment; the failed outcome when CodeDeploy started none.</summary>
    private async Task<(string? Rollback, CodeDeployOutcome? None)> AwaitRollbackAsync(string stopped, StepContext context, CancellationToken cancellationToken)
    {
        var endedWithout = 0;
        var last = await Polling.UntilAsync(
            ct => StepRetries.UntilDeadlineAsync(context, c => codeDeploy.GetDeploymentAsync(stopped, c), ct),
            d => d.RollbackInfo?.RollbackDeploymentId is not null || (!InFlight.Contains(d.Status) && ++endedWithout > RollbackNamingPolls),
            poll, context.Time, cancellationToken);
        if (last.RollbackInfo?.RollbackDeploymentId is { } rollback)
        {
            context.Report($"deployment {stopped} is {last.Status}; CodeDeploy rolls it back with deployment {rollback}");
            return (rollback, null);
        }
        var reason = Reason(last) ?? "CodeDeploy started no rollback deployment";
        return (null, new CodeDeployOutcome(
            false, $"CodeDeploy deployment {stopped} is {last.Status} but no rollback deployment was started: {reason}", stopped, last.Status.ToString(), reason));
    }

    /// <summary>
    /// Waits until the deployment stopped without auto-rollback is no longer in flight (Stopped, or whatever it ended
    /// as): CodeDeploy refuses a new deployment of the group until then. ECS keeps serving the task set it left.
    /// </summary>
    private async Task AwaitEndedAsync(string stopped, StepContext context, CancellationToken cancellationToken)
    {
        var last = await Polling.UntilAsync(
            ct => StepRetries.UntilDeadlineAsync(context, c => codeDeploy.GetDeploymentAsync(stopped, c), ct),
            d => !InFlight.Contains(d.Status) && d.Status is not CodeDeployDeploymentStatus.Unknown,
            poll, context.Time, cancellationToken);
        context.Report($"CodeDeploy deployment {stopped} is {last.Status}: creating the deployment of the target");
    }

    /// <summary>
    /// Sends CreateDeployment once. After a lost answer (or a resume after a crash) the group's deployments are read:
    /// one that this run created (its description names the run) for the target is awaited instead of a second.
    /// </summary>
    private async Task<string> CreateOnceAsync(CodeDeployPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        if (context.EarlierResult("CreateDeployment")?["deploymentId"]?.GetValue<string>() is { } journaled)
            return journaled;
        var unsure = context.WasSent("CreateDeployment");
        var description = $"rewind run {context.RunId}: roll back to {Short(plan.TargetTaskDefinition)}";
        var appSpec = AppSpec.ForEcs(
            plan.TargetTaskDefinition,
            plan.ContainerName ?? throw new InvalidOperationException("a CodeDeploy create plan names no container"),
            plan.ContainerPort ?? throw new InvalidOperationException("a CodeDeploy create plan names no container port"));
        var attempt = 0;
        return await StepRetries.UntilDeadlineAsync(context, async ct =>
        {
            while (true)
            {
                if ((unsure || attempt > 0) && await OursAsync(plan, description, ct) is { } landed)
                {
                    context.Report($"CreateDeployment of attempt {Math.Max(attempt, 1)} landed: waiting for its deployment {landed}");
                    return landed;
                }
                attempt++;
                try
                {
                    return await context.CallAsync(
                        "CreateDeployment",
                        Attempt(new JsonObject
                        {
                            ["applicationName"] = plan.Application,
                            ["deploymentGroupName"] = plan.DeploymentGroup,
                            ["taskDefinition"] = plan.TargetTaskDefinition,
                            ["containerName"] = plan.ContainerName,
                            ["containerPort"] = plan.ContainerPort,
                        }, attempt),
                        c => codeDeploy.CreateDeploymentAsync(new CodeDeployDeploymentRequest(plan.Application, plan.DeploymentGroup, appSpec, description), c),
                        id => new JsonObject { ["deploymentId"] = id },
                        ct);
                }
                catch (AwsAnswerLostException lost)
                {
                    context.Report($"CreateDeployment answer lost ({lost.WhatHappened}): reading the deployments of {plan.Application}/{plan.DeploymentGroup} before deciding");
                }
            }
        }, cancellationToken);
    }

    /// <summary>The deployment of the plan's group that this run created for the target, if one landed.</summary>
    private async Task<string?> OursAsync(CodeDeployPlan plan, string description, CancellationToken cancellationToken)
    {
        var ids = await codeDeploy.ListDeploymentsAsync(plan.Application, plan.DeploymentGroup, statuses: null, cancellationToken);
        foreach (var id in ids.Take(MaxDeploymentsSearched))
        {
            var deployment = await codeDeploy.GetDeploymentAsync(id, cancellationToken);
            if (deployment.Description == description
                && AppSpec.TaskDefinitionsOf(deployment.Revision?.AppSpecContent?.Content).Contains(plan.TargetTaskDefinition, StringComparer.Ordinal))
            {
                return id;
            }
        }
        return null;
    }

    /// <summary>Polls the deployment until it is final, reporting each status change.</summary>
    private async Task<CodeDeployOutcome> AwaitAsync(string deploymentId, string label, StepContext context, CancellationToken cancellationToken)
    {
        CodeDeployDeploymentStatus? seen = null;
        var last = await Polling.UntilAsync(
            ct => StepRetries.UntilDeadlineAsync(context, c => codeDeploy.GetDeploymentAsync(deploymentId, c), ct),
            d =>
            {
                if (d.Status != seen)
                {
                    seen = d.Status;
                    context.Report($"CodeDeploy {label}: {d.Status}");
                }
                return !InFlight.Contains(d.Status) && d.Status is not CodeDeployDeploymentStatus.Unknown;
            },
            poll, context.Time, cancellationToken);
        if (last.Status is CodeDeployDeploymentStatus.Succeeded)
            return new CodeDeployOutcome(true, $"CodeDeploy {label} Succeeded", deploymentId, last.Status.ToString(), null);
        var reason = Reason(last) ?? "CodeDeploy gave no reason";
        return new CodeDeployOutcome(false, $"CodeDeploy {label} {last.Status}: {reason}", deploymentId, last.Status.ToString(), reason);
    }

    /// <summary>
    /// The deployment to stop had already ended: with auto-rollback that is a failure saying to plan again; without it
    /// (a CreateDeployment of the target follows) there is nothing to stop, and null lets the create go on.
    /// </summary>
    private static CodeDeployOutcome? CompletedBeforeStop(string deploymentId, bool autoRollback, StepContext context)
    {
        if (!autoRollback)
        {
            context.Report($"CodeDeploy deployment {deploymentId} ended before it could be stopped: nothing to stop, the CreateDeployment of the target follows");
            return null;
        }
        return new CodeDeployOutcome(
            false,
            $"CodeDeploy deployment {deploymentId} Succeeded before it could be stopped: plan again, the rollback is now a CreateDeployment of the target",
            deploymentId, nameof(CodeDeployDeploymentStatus.Succeeded), "the deployment completed before StopDeployment");
    }

    private static string? Reason(CodeDeployDeployment deployment) =>
        deployment.ErrorInformation?.Message is { Length: > 0 } message
            ? deployment.ErrorInformation.Code is { Length: > 0 } code ? $"{code}: {message}" : message
            : deployment.RollbackInfo?.RollbackMessage;

    private static JsonObject Attempt(JsonObject request, int attempt)
    {
        if (attempt > 1)
            request["attempt"] = attempt;
        return request;
    }

    /// <summary>"arn:aws:ecs:…:cluster/prod" → "prod"; a bare name stays as it is.</summary>
    private static string? ClusterName(string? cluster) =>
        cluster is null ? null : cluster[(cluster.LastIndexOf('/') + 1)..];

    /// <summary>"arn:aws:ecs:…:task-definition/api:2" → "api:2".</summary>
    private static string Short(string taskDefinition) => taskDefinition[(taskDefinition.LastIndexOf('/') + 1)..];
}
