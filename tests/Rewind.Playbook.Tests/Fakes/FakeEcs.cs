using Rewind.Aws.Ecs;

namespace Rewind.Playbook.Tests.Fakes;

/// <summary>How the fake's rollout of a new deployment ends.</summary>
internal enum Rollout
{
    /// <summary>COMPLETED after <see cref="FakeEcs.ReadsToComplete"/> reads: running = desired, the old deployments gone.</summary>
    Completes,

    /// <summary>FAILED, the service left on it (no circuit-breaker rollback).</summary>
    Fails,

    /// <summary>FAILED, and the circuit breaker starts a new PRIMARY deployment of what ran before.</summary>
    RolledBackByCircuitBreaker,

    /// <summary>Someone deploys another revision over it: the deployment is gone.</summary>
    Replaced,

    /// <summary>IN_PROGRESS for ever.</summary>
    NeverEnds,
}

/// <summary>
/// ECS in memory: services with deployments that UpdateService adds and DescribeServices moves along as
/// <see cref="Rollout"/> says. Every call is recorded in <see cref="Calls"/>; <see cref="After"/> runs after a call took
/// effect (and before its answer is returned), so a test can lose the answer or kill the run there.
/// </summary>
internal sealed class FakeEcs : IEcsClient
{
    public const string Account = "arn:aws:ecs:eu-west-1:123456789012";

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Cluster, string Service), EcsService> _services = [];
    private readonly Dictionary<(string Cluster, string Service), int> _readsSinceUpdate = [];
    private int _deployments;

    public List<string> Calls { get; } = [];

    public Rollout Rollout { get; set; } = Rollout.Completes;

    /// <summary>How many DescribeServices after an UpdateService its rollout takes.</summary>
    public int ReadsToComplete { get; set; } = 2;

    /// <summary>Runs after each call took effect, with the call's name ("UpdateService", "DescribeServices").</summary>
    public Action<string>? After { get; set; }

    public static string TaskDefinition(int revision, string family = "claude-proxy-api") => $"{Account}:task-definition/{family}:{revision}";

    /// <summary>A service whose one deployment runs <paramref name="revision"/>, rollout completed.</summary>
    public FakeEcs WithService(string cluster, string service, int revision, int desired = 2)
    {
        lock (_gate)
        {
            _services[(cluster, service)] = new EcsService
            {
                ServiceArn = $"{Account}:service/{cluster}/{service}",
                ServiceName = service,
                Status = ServiceStatus.Active,
                TaskDefinition = TaskDefinition(revision),
                DesiredCount = desired,
                RunningCount = desired,
                Deployments = [NewDeployment(TaskDefinition(revision), DeploymentStatus.Primary, RolloutState.Completed, desired, desired)],
            };
        }
        return this;
    }

    /// <summary>The service as it is now (no rollout progress).</summary>
    public EcsService Service(string cluster, string service)
    {
        lock (_gate)
            return _services[(cluster, service)];
    }

    public int UpdateCount => Calls.Count(c => c.StartsWith("UpdateService", StringComparison.Ordinal));

    public Task<ServicesDescription> DescribeServicesAsync(string cluster, IReadOnlyList<string> services, CancellationToken cancellationToken)
    {
        ServicesDescription described;
        lock (_gate)
        {
            Calls.Add($"DescribeServices {cluster}/{string.Join(",", services)}");
            var found = new List<EcsService>();
            var failures = new List<EcsFailure>();
            foreach (var name in services)
            {
                if (_services.ContainsKey((cluster, name)))
                    found.Add(Advance(cluster, name));
                else
                    failures.Add(new EcsFailure($"{Account}:service/{cluster}/{name}", "MISSING"));
            }
            described = new ServicesDescription(found, failures);
        }
        After?.Invoke("DescribeServices");
        return Task.FromResult(described);
    }

    public Task<EcsService> UpdateServiceAsync(ServiceUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        EcsService updated;
        lock (_gate)
        {
            Calls.Add($"UpdateService {update.Cluster}/{update.Service} {update.TaskDefinition}{(update.ForceNewDeployment ? " force" : "")}");
            var key = (update.Cluster, update.Service);
            var service = _services[key];
            var demoted = service.Deployments.Select(d => d with { Status = DeploymentStatus.Active }).ToList();
            updated = _services[key] = service with
            {
                TaskDefinition = update.TaskDefinition,
                Deployments = [NewDeployment(update.TaskDefinition!, DeploymentStatus.Primary, RolloutState.InProgress, service.DesiredCount, 0), .. demoted],
            };
            _readsSinceUpdate[key] = 0;
        }
        After?.Invoke("UpdateService");
        return Task.FromResult(updated);
    }

    /// <summary>One read's worth of rollout progress for a service updated by <see cref="UpdateServiceAsync"/>.</summary>
    private EcsService Advance(string cluster, string name)
    {
        var key = (cluster, name);
        var service = _services[key];
        if (!_readsSinceUpdate.TryGetValue(key, out var reads))
            return service;
        _readsSinceUpdate[key] = ++reads;
        if (reads < ReadsToComplete || Rollout == Rollout.NeverEnds)
            return service;
        _readsSinceUpdate.Remove(key);
        var ours = service.PrimaryDeployment!;
        var before = service.Deployments.FirstOrDefault(d => d.Status == DeploymentStatus.Active);
        var ended = Rollout switch
        {
            Rollout.Completes => service with
            {
                RunningCount = service.DesiredCount,
                Deployments = [ours with { RolloutState = RolloutState.Completed, RunningCount = service.DesiredCount }],
            },
            Rollout.Fails => service with
            {
                Deployments = [ours with { RolloutState = RolloutState.Failed, RolloutStateReason = "ECS deployment circuit breaker: tasks failed to start." }, .. service.Deployments.Skip(1)],
            },
            Rollout.RolledBackByCircuitBreaker => service with
            {
                TaskDefinition = before?.TaskDefinition,
                Deployments =
                [
                    NewDeployment(before!.TaskDefinition!, DeploymentStatus.Primary, RolloutState.InProgress, service.DesiredCount, 0),
                    ours with { Status = DeploymentStatus.Active, RolloutState = RolloutState.Failed, RolloutStateReason = "ECS deployment circuit breaker: rolling back to the previous deployment." },
                ],
            },
            Rollout.Replaced => service with
            {
                TaskDefinition = TaskDefinition(9),
                Deployments = [NewDeployment(TaskDefinition(9), DeploymentStatus.Primary, RolloutState.InProgress, service.DesiredCount, 0)],
            },
            _ => service,
        };
        return _services[key] = ended;
    }

    private Deployment NewDeployment(string taskDefinition, DeploymentStatus status, RolloutState state, int desired, int running) => new()
    {
        Id = $"ecs-svc/{++_deployments:D4}",
        Status = status,
        TaskDefinition = taskDefinition,
        DesiredCount = desired,
        RunningCount = running,
        RolloutState = state,
    };

    public Task<IReadOnlyList<string>> ListTaskDefinitionsAsync(string? familyPrefix, TaskDefinitionStatus status, SortOrder sort, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the ecs step");

    public Task<TaskDefinitionDescription> DescribeTaskDefinitionAsync(string taskDefinition, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the ecs step");

    public Task<IReadOnlyList<string>> ListServicesAsync(string cluster, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the ecs step");

    public Task<ServiceDeploymentsResult<ServiceDeploymentBrief>> ListServiceDeploymentsAsync(string cluster, string service, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the ecs step");

    public Task<ServiceDeploymentsResult<ServiceDeployment>> DescribeServiceDeploymentsAsync(IReadOnlyList<string> serviceDeploymentArns, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the ecs step");

    public Task<ServiceDeploymentsResult<ServiceRevision>> DescribeServiceRevisionsAsync(IReadOnlyList<string> serviceRevisionArns, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the ecs step");

    public Task<string> StopServiceDeploymentAsync(string serviceDeploymentArn, StopServiceDeploymentType stopType, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the ecs step");

    public Task<string> ContinueServiceDeploymentAsync(string serviceDeploymentArn, string hookId, LifecycleHookAction action, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the ecs step");

    public Task TagResourceAsync(string resourceArn, IReadOnlyList<EcsTag> tags, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the ecs step");

    public Task<IReadOnlyList<EcsTag>> ListTagsForResourceAsync(string resourceArn, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the ecs step");
}
