using Rewind.Aws.Ecs;

namespace Rewind.Playbook.Ecs;

/// <summary>
/// How an ECS service deploys, read live: its controller, its strategy and timings, its load balancers (with the rules
/// ECS owns under BLUE_GREEN/LINEAR/CANARY), the service deployment in flight and the one ECS itself rolled back.
/// The rollback path is chosen from this (<see cref="RollbackPathChooser"/>).
/// </summary>
public sealed record ServiceShape
{
    public required EcsService Service { get; init; }
    public DeploymentControllerType Controller { get; init; } = DeploymentControllerType.Ecs;
    public DeploymentStrategy Strategy { get; init; } = DeploymentStrategy.Rolling;

    /// <summary>The service deployment in flight (pending, in progress, stop or rollback requested), or null.</summary>
    public DeploymentInFlight? InFlight { get; init; }

    /// <summary>The newest service deployment, when ECS rolled it back itself (circuit breaker or alarm) and it has settled.</summary>
    public RolledBackByEcs? RolledBack { get; init; }

    /// <summary>The service deployments ListServiceDeployments listed (the deployment history); null when it was not read or not supported.</summary>
    public IReadOnlyList<ServiceDeploymentBrief>? Listed { get; init; }

    /// <summary>Why ListServiceDeployments could not be used, when it was tried.</summary>
    public string? HistoryNote { get; init; }

    /// <summary>Why the shape was read from DescribeServices alone or a source was skipped (old endpoint, revision too old); null when all was read.</summary>
    public string? Note { get; init; }

    /// <summary>A strategy where ECS shifts production traffic between two target groups itself.</summary>
    public bool EcsShiftsTraffic => Controller == DeploymentControllerType.Ecs && Strategy is DeploymentStrategy.BlueGreen or DeploymentStrategy.Linear or DeploymentStrategy.Canary;

    /// <summary>The load balancers' advanced configurations (the listener rules ECS owns), when ECS shifts traffic.</summary>
    public IEnumerable<(ServiceLoadBalancer LoadBalancer, AdvancedConfiguration Advanced)> OwnedRules => EcsShiftsTraffic
        ? Service.LoadBalancers.Where(l => l.AdvancedConfiguration is not null).Select(l => (l, l.AdvancedConfiguration!))
        : [];

    /// <summary>How long a deployment under the strategy takes at least: the bake, plus the step bakes of LINEAR/CANARY.</summary>
    public TimeSpan StrategyDuration
    {
        get
        {
            var configuration = Service.DeploymentConfiguration;
            if (!EcsShiftsTraffic || configuration is null)
                return TimeSpan.Zero;
            var minutes = (double)(configuration.BakeTimeInMinutes ?? 0);
            if (Strategy == DeploymentStrategy.Linear && configuration.LinearConfiguration is { StepPercent: > 0 } linear)
                minutes += (Math.Ceiling(100 / linear.StepPercent.Value) - 1) * (linear.StepBakeTimeInMinutes ?? 0);
            if (Strategy == DeploymentStrategy.Canary && configuration.CanaryConfiguration is { } canary)
                minutes += canary.CanaryBakeTimeInMinutes ?? 0;
            return TimeSpan.FromMinutes(minutes);
        }
    }

    /// <summary>The shape in one line, for plans and <c>rewind status</c>.</summary>
    public string Describe()
    {
        var parts = new List<string> { Controller == DeploymentControllerType.Ecs ? $"ECS controller, {StrategyText()}" : $"{Wire(Controller)} controller" };
        if (OwnedRules.Select(r => r.Advanced.ProductionListenerRule).OfType<string>().ToList() is { Count: > 0 } rules)
            parts.Add($"ECS owns production rule {string.Join(", ", rules.Select(Last))}");
        if (InFlight is { } flight)
            parts.Add(flight.Describe());
        else if (RolledBack is { } back)
            parts.Add(back.Describe());
        else
            parts.Add("no deployment in flight");
        if (Note is not null)
            parts.Add(Note);
        return string.Join("; ", parts);
    }

    private string StrategyText()
    {
        var configuration = Service.DeploymentConfiguration;
        var bake = configuration?.BakeTimeInMinutes is { } minutes ? $", bake {minutes} min" : "";
        return Strategy switch
        {
            DeploymentStrategy.Linear when configuration?.LinearConfiguration is { } l => $"LINEAR {l.StepPercent}% steps every {l.StepBakeTimeInMinutes} min{bake}",
            DeploymentStrategy.Canary when configuration?.CanaryConfiguration is { } c => $"CANARY {c.CanaryPercent}% for {c.CanaryBakeTimeInMinutes} min{bake}",
            DeploymentStrategy.BlueGreen => $"BLUE_GREEN{bake}",
            _ => Wire(Strategy),
        };
    }

    internal static string Wire(Enum value) => WireName(value.ToString());

    /// <summary>PascalCase to ECS's SCREAMING_SNAKE (BlueGreen → BLUE_GREEN).</summary>
    internal static string WireName(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();

    internal static string Last(string arn) => arn[(arn.LastIndexOf('/') + 1)..];

    /// <summary>A service deployment's short name from its ARN; a DescribeServices deployment id (ecs-svc/…) as it is.</summary>
    internal static string Id(string arnOrId) => arnOrId.StartsWith("arn:", StringComparison.Ordinal) ? Last(arnOrId) : arnOrId;

    internal static string Short(string? taskDefinition) =>
        taskDefinition is null ? "?" : TaskDefinitionRevision.TryParse(taskDefinition, out var parsed) ? parsed.ToString() : taskDefinition;
}

/// <summary>A service deployment in flight, with the task definitions of its source and target revisions when they could be read.</summary>
/// <param name="Deployment">The service deployment as DescribeServiceDeployments answered.</param>
/// <param name="SourceTaskDefinition">What its source revision runs (ECS's own rollback target), or null when unknown.</param>
/// <param name="TargetTaskDefinition">What its target revision runs (the deployment being made), or null when unknown.</param>
public sealed record DeploymentInFlight(ServiceDeployment Deployment, string? SourceTaskDefinition, string? TargetTaskDefinition)
{
    /// <summary>The PAUSE hook awaiting ContinueServiceDeployment, if any.</summary>
    public LifecycleHookDetail? AwaitingHook => Deployment.LifecycleHookDetails.FirstOrDefault(h => h.TargetType == LifecycleHookTargetType.Pause && h.Status == LifecycleHookStatus.AwaitingAction);

    /// <summary>The deployment's id as ECS's events name it (ecs-svc/…), from its ARN.</summary>
    public string Id => Deployment.ServiceDeploymentArn[(Deployment.ServiceDeploymentArn.LastIndexOf('/') + 1)..];

    public string Describe()
    {
        var stage = Deployment.LifecycleStage is { } s ? $" in {ServiceShape.Wire(s)}" : "";
        var hook = AwaitingHook is { } h ? $", PAUSE hook {h.HookId} AWAITING_ACTION" : "";
        return $"deployment {Id} of {ServiceShape.Short(TargetTaskDefinition)} {ServiceShape.Wire(Deployment.Status)}{stage}{hook}, source {ServiceShape.Short(SourceTaskDefinition)}";
    }
}

/// <summary>A deployment ECS rolled back itself, and what the service returned to.</summary>
/// <param name="Deployment">The rolled-back service deployment.</param>
/// <param name="FailedTaskDefinition">What the rolled-back deployment tried to deploy.</param>
/// <param name="ReturnedTo">The task definition ECS returned the service to.</param>
public sealed record RolledBackByEcs(ServiceDeployment Deployment, string? FailedTaskDefinition, string? ReturnedTo)
{
    public DateTimeOffset? At => Deployment.Rollback?.StartedAt ?? Deployment.FinishedAt ?? Deployment.UpdatedAt;

    public string Describe() =>
        $"ECS rolled back deployment {ServiceShape.Id(Deployment.ServiceDeploymentArn)} of {ServiceShape.Short(FailedTaskDefinition)}"
        + (At is { } at ? $" at {at.UtcDateTime:yyyy-MM-dd HH:mm}Z" : "")
        + $" to {ServiceShape.Short(ReturnedTo)} ({Deployment.Rollback?.Reason ?? Deployment.StatusReason ?? ServiceShape.Wire(Deployment.Status)})";
}
