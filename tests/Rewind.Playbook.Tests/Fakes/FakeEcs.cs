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
    private readonly Dictionary<string, ServiceDeployment> _serviceDeployments = [];
    private readonly Dictionary<string, string> _revisions = [];
    private readonly Dictionary<string, int> _rollbackReads = [];
    private readonly Dictionary<string, int> _strategyReads = [];
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
            if (service.DeploymentConfiguration?.Strategy is DeploymentStrategy.BlueGreen or DeploymentStrategy.Linear or DeploymentStrategy.Canary)
            {
                var arn = $"{Account}:service-deployment/{update.Cluster}/{update.Service}/sd-update-{_deployments}";
                var revision = $"{Account}:service-revision/{update.Cluster}/{update.Service}/r-{_deployments}";
                _revisions[revision] = update.TaskDefinition!;
                _serviceDeployments[arn] = new ServiceDeployment
                {
                    ServiceDeploymentArn = arn,
                    ServiceArn = service.ServiceArn,
                    Status = ServiceDeploymentStatus.InProgress,
                    LifecycleStage = ServiceDeploymentLifecycleStage.ScaleUp,
                    TargetServiceRevision = new ServiceRevisionSummary(revision, service.DesiredCount, 0, 0, null, 0),
                };
                _strategyReads[arn] = 0;
                updated = _services[key] = updated with { CurrentServiceDeployment = arn };
            }
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

    /// <summary>Revisions 1..<see cref="ActiveRevisions"/> of claude-proxy-api are registered and ACTIVE (for target selection).</summary>
    public int ActiveRevisions { get; set; } = 5;

    public Task<IReadOnlyList<string>> ListTaskDefinitionsAsync(string? familyPrefix, TaskDefinitionStatus status, SortOrder sort, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(status == TaskDefinitionStatus.Active ? [.. Enumerable.Range(1, ActiveRevisions).Reverse().Select(r => TaskDefinition(r))] : []);

    public Task<TaskDefinitionDescription> DescribeTaskDefinitionAsync(string taskDefinition, CancellationToken cancellationToken)
    {
        var revision = TaskDefinitionRevision.Parse(taskDefinition);
        lock (_gate)
            Calls.Add($"DescribeTaskDefinition {revision}");
        if (Unregistered.Contains(revision.Revision))
            throw new Rewind.Aws.Errors.AwsServiceException(Rewind.Aws.AwsService.Ecs, "DescribeTaskDefinition", "ClientException", "Unable to describe task definition.", 400, null);
        return Task.FromResult(new TaskDefinitionDescription(
            new TaskDefinition
            {
                TaskDefinitionArn = TaskDefinition(revision.Revision, revision.Family),
                Family = revision.Family,
                Revision = revision.Revision,
                Status = revision.Revision <= ActiveRevisions ? TaskDefinitionStatus.Active : TaskDefinitionStatus.Inactive,
            }, []));
    }

    public Task<IReadOnlyList<string>> ListServicesAsync(string cluster, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the ecs step");

    public Task<ServiceDeploymentsResult<ServiceDeploymentBrief>> ListServiceDeploymentsAsync(string cluster, string service, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Calls.Add($"ListServiceDeployments {cluster}/{service}");
            if (!ServiceDeploymentsSupported)
                return Task.FromResult(ServiceDeploymentsResult<ServiceDeploymentBrief>.NotSupported());
            var arn = _services[(cluster, service)].ServiceArn;
            return Task.FromResult(ServiceDeploymentsResult<ServiceDeploymentBrief>.Found([.. _serviceDeployments.Values
                .Where(d => d.ServiceArn == arn)
                .Select(d => new ServiceDeploymentBrief
                {
                    ServiceDeploymentArn = d.ServiceDeploymentArn, ServiceArn = d.ServiceArn, Status = d.Status, StatusReason = d.StatusReason,
                    TargetServiceRevisionArn = d.TargetServiceRevision?.Arn, CreatedAt = d.CreatedAt, StartedAt = d.StartedAt, FinishedAt = d.FinishedAt,
                })]));
        }
    }

    public Task<ServiceDeploymentsResult<ServiceDeployment>> DescribeServiceDeploymentsAsync(IReadOnlyList<string> serviceDeploymentArns, CancellationToken cancellationToken)
    {
        ServiceDeploymentsResult<ServiceDeployment> result;
        lock (_gate)
        {
            Calls.Add($"DescribeServiceDeployments {string.Join(",", serviceDeploymentArns.Select(a => a[(a.LastIndexOf('/') + 1)..]))}");
            if (!ServiceDeploymentsSupported)
                return Task.FromResult(ServiceDeploymentsResult<ServiceDeployment>.NotSupported());
            result = ServiceDeploymentsResult<ServiceDeployment>.Found([.. serviceDeploymentArns.Where(_serviceDeployments.ContainsKey).Select(AdvanceDeployment)]);
        }
        After?.Invoke("DescribeServiceDeployments");
        return Task.FromResult(result);
    }

    public Task<ServiceDeploymentsResult<ServiceRevision>> DescribeServiceRevisionsAsync(IReadOnlyList<string> serviceRevisionArns, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Calls.Add($"DescribeServiceRevisions {serviceRevisionArns.Count}");
            if (!ServiceDeploymentsSupported || !ServiceRevisionsSupported)
                return Task.FromResult(ServiceDeploymentsResult<ServiceRevision>.NotSupported());
            var found = serviceRevisionArns.Where(a => _revisions.ContainsKey(a) && !TooOld.Contains(a))
                .Select(a => new ServiceRevision { ServiceRevisionArn = a, TaskDefinition = _revisions[a] }).ToList();
            var failures = serviceRevisionArns.Where(TooOld.Contains).Select(a => new EcsFailure(a, "MISSING", "the service revision was created before 2024-10-25")).ToList();
            return Task.FromResult(ServiceDeploymentsResult<ServiceRevision>.Found(found, failures));
        }
    }

    public Task<string> StopServiceDeploymentAsync(string serviceDeploymentArn, StopServiceDeploymentType stopType, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Calls.Add($"StopServiceDeployment {serviceDeploymentArn[(serviceDeploymentArn.LastIndexOf('/') + 1)..]} {stopType.ToString().ToUpperInvariant()}");
            RequestRollback(serviceDeploymentArn);
        }
        After?.Invoke("StopServiceDeployment");
        return Task.FromResult(serviceDeploymentArn);
    }

    public Task<string> ContinueServiceDeploymentAsync(string serviceDeploymentArn, string hookId, LifecycleHookAction action, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Calls.Add($"ContinueServiceDeployment {serviceDeploymentArn[(serviceDeploymentArn.LastIndexOf('/') + 1)..]} {hookId} {action.ToString().ToUpperInvariant()}");
            var deployment = _serviceDeployments[serviceDeploymentArn];
            if (deployment.LifecycleHookDetails.All(h => h.HookId != hookId || h.Status != LifecycleHookStatus.AwaitingAction))
                throw new Rewind.Aws.Errors.AwsServiceException(Rewind.Aws.AwsService.Ecs, "ContinueServiceDeployment", "InvalidParameterException", $"hook {hookId} is not awaiting action", 400, null);
            _serviceDeployments[serviceDeploymentArn] = deployment with
            {
                LifecycleHookDetails = [.. deployment.LifecycleHookDetails.Select(h => h.HookId == hookId ? h with { Status = HookAnswer } : h)],
            };
            if (HookAnswer == LifecycleHookStatus.Succeeded)
                RequestRollback(serviceDeploymentArn);
        }
        After?.Invoke("ContinueServiceDeployment");
        return Task.FromResult(serviceDeploymentArn);
    }

    /// <summary>ECS answers the service deployment endpoints (false: an old endpoint, NotSupported).</summary>
    public bool ServiceDeploymentsSupported { get; set; }

    /// <summary>How ECS's rollback ends: ROLLBACK_SUCCESSFUL (the service back on the source) or ROLLBACK_FAILED.</summary>
    public ServiceDeploymentStatus RollbackEnds { get; set; } = ServiceDeploymentStatus.RollbackSuccessful;

    /// <summary>What a ContinueServiceDeployment leaves the hook in (FAILED: the hook fails, no rollback).</summary>
    public LifecycleHookStatus HookAnswer { get; set; } = LifecycleHookStatus.Succeeded;

    /// <summary>Service revisions DescribeServiceRevisions reports as too old to describe (created before 2024-10-25).</summary>
    public HashSet<string> TooOld { get; } = [];

    public int CallCount(string operation) => Calls.Count(c => c.StartsWith(operation + " ", StringComparison.Ordinal));

    public ServiceDeployment ServiceDeploymentOf(string arn)
    {
        lock (_gate)
            return _serviceDeployments[arn];
    }

    public static string RevisionArn(string service, int n) => $"{Account}:service-revision/prod/{service}/{n}";

    /// <summary>
    /// A <paramref name="strategy"/> deployment of <paramref name="target"/> in flight over <paramref name="source"/>
    /// at <paramref name="stage"/>, with a PAUSE hook awaiting action when <paramref name="pausedHook"/> is given.
    /// </summary>
    public string WithDeploymentInFlight(string cluster, string service, int source, int target, DeploymentStrategy strategy,
        ServiceDeploymentLifecycleStage? stage = null, string? pausedHook = null, ServiceDeploymentStatus status = ServiceDeploymentStatus.InProgress)
    {
        WithService(cluster, service, source);
        lock (_gate)
        {
            ServiceDeploymentsSupported = true;
            var key = (cluster, service);
            var current = _services[key];
            var arn = $"{Account}:service-deployment/{cluster}/{service}/sd-{target}";
            _revisions[RevisionArn(service, source)] = TaskDefinition(source);
            _revisions[RevisionArn(service, target)] = TaskDefinition(target);
            _services[key] = current with
            {
                TaskDefinition = TaskDefinition(target),
                CurrentServiceDeployment = arn,
                DeploymentConfiguration = new DeploymentConfiguration { Strategy = strategy, BakeTimeInMinutes = strategy == DeploymentStrategy.Rolling ? null : 10 },
                LoadBalancers = strategy == DeploymentStrategy.Rolling ? [] : [EcsOwned],
                Deployments =
                [
                    NewDeployment(TaskDefinition(target), DeploymentStatus.Primary, RolloutState.InProgress, current.DesiredCount, current.DesiredCount),
                    .. current.Deployments.Select(d => d with { Status = DeploymentStatus.Active }),
                ],
            };
            var shifted = stage is ServiceDeploymentLifecycleStage.BakeTime or ServiceDeploymentLifecycleStage.PostProductionTrafficShift;
            _serviceDeployments[arn] = new ServiceDeployment
            {
                ServiceDeploymentArn = arn,
                ServiceArn = current.ServiceArn,
                Status = status,
                LifecycleStage = stage,
                CreatedAt = DateTimeOffset.Parse("2026-12-04T19:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
                SourceServiceRevisions = [new ServiceRevisionSummary(RevisionArn(service, source), current.DesiredCount, current.DesiredCount, 0, null, shifted ? 0 : 100)],
                TargetServiceRevision = new ServiceRevisionSummary(RevisionArn(service, target), current.DesiredCount, current.DesiredCount, 0, null, shifted ? 100 : 0),
                LifecycleHookDetails = pausedHook is null ? [] : [new LifecycleHookDetail { HookId = pausedHook, TargetType = LifecycleHookTargetType.Pause, Status = LifecycleHookStatus.AwaitingAction }],
            };
            return arn;
        }
    }

    /// <summary>A SUCCESSFUL deployment of each of <paramref name="revisions"/>, oldest first, one hour apart; the service runs the last.</summary>
    public FakeEcs WithSuccessfulDeployments(string cluster, string service, params int[] revisions)
    {
        WithService(cluster, service, revisions[^1]);
        lock (_gate)
        {
            ServiceDeploymentsSupported = true;
            var at = DateTimeOffset.Parse("2026-12-04T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
            foreach (var (revision, index) in revisions.Select((r, i) => (r, i)))
            {
                var arn = $"{Account}:service-deployment/{cluster}/{service}/sd-{revision}";
                _revisions[RevisionArn(service, revision)] = TaskDefinition(revision);
                _serviceDeployments[arn] = new ServiceDeployment
                {
                    ServiceDeploymentArn = arn,
                    ServiceArn = _services[(cluster, service)].ServiceArn,
                    Status = ServiceDeploymentStatus.Successful,
                    CreatedAt = at.AddHours(index),
                    FinishedAt = at.AddHours(index).AddMinutes(5),
                    TargetServiceRevision = new ServiceRevisionSummary(RevisionArn(service, revision), 2, 2, 0),
                };
            }
        }
        return this;
    }

    /// <summary>ECS's circuit breaker rolled a deployment of <paramref name="failed"/> back to <paramref name="returnedTo"/>.</summary>
    public string WithRolledBackByEcs(string cluster, string service, int failed, int returnedTo)
    {
        WithService(cluster, service, returnedTo);
        lock (_gate)
        {
            ServiceDeploymentsSupported = true;
            var arn = $"{Account}:service-deployment/{cluster}/{service}/sd-{failed}";
            _revisions[RevisionArn(service, failed)] = TaskDefinition(failed);
            _revisions[RevisionArn(service, returnedTo)] = TaskDefinition(returnedTo);
            _serviceDeployments[arn] = new ServiceDeployment
            {
                ServiceDeploymentArn = arn,
                ServiceArn = _services[(cluster, service)].ServiceArn,
                Status = ServiceDeploymentStatus.RollbackSuccessful,
                StatusReason = "ECS deployment circuit breaker: tasks failed to start.",
                CreatedAt = DateTimeOffset.Parse("2026-12-04T18:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
                SourceServiceRevisions = [new ServiceRevisionSummary(RevisionArn(service, returnedTo), 2, 2, 0)],
                TargetServiceRevision = new ServiceRevisionSummary(RevisionArn(service, failed), 0, 0, 0),
                Rollback = new ServiceDeploymentRollback("circuit breaker", DateTimeOffset.Parse("2026-12-04T18:05:00Z", System.Globalization.CultureInfo.InvariantCulture), RevisionArn(service, returnedTo)),
            };
            return arn;
        }
    }

    /// <summary>Changes a service's shape (controller, strategy, load balancers).</summary>
    public FakeEcs Reshape(string cluster, string service, Func<EcsService, EcsService> change)
    {
        lock (_gate)
            _services[(cluster, service)] = change(_services[(cluster, service)]);
        return this;
    }

    /// <summary>The load balancer of a BLUE_GREEN/LINEAR/CANARY service: ECS owns its production and test rules.</summary>
    public static readonly ServiceLoadBalancer EcsOwned = new()
    {
        TargetGroupArn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/blue/1",
        ContainerName = "api",
        ContainerPort = 8080,
        AdvancedConfiguration = new AdvancedConfiguration
        {
            AlternateTargetGroupArn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/green/2",
            ProductionListenerRule = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/alb/1/2/prod",
            TestListenerRule = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/alb/1/2/test",
        },
    };

    private void RequestRollback(string arn)
    {
        var deployment = _serviceDeployments[arn];
        if (deployment.Status is not (ServiceDeploymentStatus.InProgress or ServiceDeploymentStatus.Pending))
            throw new Rewind.Aws.Errors.AwsServiceException(Rewind.Aws.AwsService.Ecs, "StopServiceDeployment", "InvalidParameterException", $"{arn} is {deployment.Status}", 400, null);
        _serviceDeployments[arn] = deployment with { Status = ServiceDeploymentStatus.RollbackRequested };
        _rollbackReads[arn] = 0;
    }

    /// <summary>One read's worth of ECS's rollback (ReadsToComplete reads to settle) or of a strategy's deployment.</summary>
    private ServiceDeployment AdvanceDeployment(string arn)
    {
        var deployment = _serviceDeployments[arn];
        if (_strategyReads.TryGetValue(arn, out var steps))
        {
            _strategyReads[arn] = ++steps;
            return _serviceDeployments[arn] = steps switch
            {
                1 => deployment with { LifecycleStage = ServiceDeploymentLifecycleStage.ProductionTrafficShift, TargetServiceRevision = deployment.TargetServiceRevision! with { RequestedProductionTrafficWeight = 100 } },
                2 => deployment with { LifecycleStage = ServiceDeploymentLifecycleStage.BakeTime },
                _ => deployment with { Status = ServiceDeploymentStatus.Successful, LifecycleStage = ServiceDeploymentLifecycleStage.CleanUp },
            };
        }
        if (!_rollbackReads.TryGetValue(arn, out var reads))
            return deployment;
        _rollbackReads[arn] = ++reads;
        if (reads < ReadsToComplete)
            return _serviceDeployments[arn] = deployment with { Status = ServiceDeploymentStatus.RollbackInProgress };
        _rollbackReads.Remove(arn);
        var source = _revisions[deployment.SourceServiceRevisions[0].Arn];
        if (RollbackEnds == ServiceDeploymentStatus.RollbackSuccessful)
        {
            var key = _services.First(s => s.Value.ServiceArn == deployment.ServiceArn).Key;
            var service = _services[key];
            _services[key] = service with
            {
                TaskDefinition = source,
                RunningCount = service.DesiredCount,
                Deployments = [NewDeployment(source, DeploymentStatus.Primary, RolloutState.Completed, service.DesiredCount, service.DesiredCount)],
            };
        }
        return _serviceDeployments[arn] = deployment with
        {
            Status = RollbackEnds,
            StatusReason = RollbackEnds == ServiceDeploymentStatus.RollbackFailed ? "tasks of the source revision failed to start" : "rolled back by StopServiceDeployment",
            SourceServiceRevisions = [deployment.SourceServiceRevisions[0] with { RequestedProductionTrafficWeight = 100 }],
            TargetServiceRevision = deployment.TargetServiceRevision! with { RequestedProductionTrafficWeight = 0 },
        };
    }

    /// <summary>Revisions DescribeTaskDefinition answers ClientException for (never registered, or deleted).</summary>
    public HashSet<int> Unregistered { get; } = [];

    /// <summary>DescribeServiceRevisions answers (false: NotSupported while the deployments are listed).</summary>
    public bool ServiceRevisionsSupported { get; set; } = true;

    /// <summary>A finished service deployment of <paramref name="revision"/> in the history ListServiceDeployments lists.</summary>
    public string WithPastDeployment(string cluster, string service, int revision, DateTimeOffset finished, ServiceDeploymentStatus status = ServiceDeploymentStatus.Successful)
    {
        lock (_gate)
        {
            ServiceDeploymentsSupported = true;
            var arn = $"{Account}:service-deployment/{cluster}/{service}/sd-past-{_serviceDeployments.Count + 1}";
            var revisionArn = $"{Account}:service-revision/{cluster}/{service}/past-{_serviceDeployments.Count + 1}";
            _revisions[revisionArn] = TaskDefinition(revision);
            _serviceDeployments[arn] = new ServiceDeployment
            {
                ServiceDeploymentArn = arn,
                ServiceArn = _services[(cluster, service)].ServiceArn,
                Status = status,
                CreatedAt = finished.AddMinutes(-10),
                StartedAt = finished.AddMinutes(-9),
                FinishedAt = finished,
                TargetServiceRevision = new ServiceRevisionSummary(revisionArn, 2, 2, 0),
            };
            return arn;
        }
    }

    public Task TagResourceAsync(string resourceArn, IReadOnlyList<EcsTag> tags, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the ecs step");

    public Task<IReadOnlyList<EcsTag>> ListTagsForResourceAsync(string resourceArn, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the ecs step");
}
