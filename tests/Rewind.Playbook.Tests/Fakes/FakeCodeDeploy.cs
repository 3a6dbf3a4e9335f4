using Rewind.Aws;
using Rewind.Aws.CodeDeploy;
using Rewind.Aws.Errors;

namespace Rewind.Playbook.Tests.Fakes;

/// <summary>
/// CodeDeploy in memory: applications with ECS deployment groups and deployments that GetDeployment moves along
/// (Created → InProgress → Succeeded, or Failed when <see cref="NextFails"/>). StopDeployment with auto-rollback
/// stops the deployment and starts its rollback deployment, named in the stopped one's rollbackInfo. Every call is
/// recorded in <see cref="Calls"/>; <see cref="After"/> runs after a call took effect, before its answer returns.
/// </summary>
internal sealed class FakeCodeDeploy : ICodeDeployClient
{
    private readonly Lock _gate = new();
    private readonly List<CodeDeployDeploymentGroup> _groups = [];
    private readonly List<Entry> _deployments = [];
    private readonly DateTimeOffset _epoch = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

    public List<string> Calls { get; } = [];

    /// <summary>Runs after each call took effect, with the call's name ("CreateDeployment", "GetDeployment").</summary>
    public Action<string>? After { get; set; }

    /// <summary>The next deployment to run (created or a rollback) ends Failed with this reason.</summary>
    public string? NextFails { get; set; }

    /// <summary>StopDeployment stops without starting a rollback deployment (nothing to roll back to).</summary>
    public bool StartsNoRollback { get; set; }

    /// <summary>How many GetDeployment reads a running deployment takes to end.</summary>
    public int ReadsToFinish { get; set; } = 2;

    public int StopCount => Count("StopDeployment");

    public int CreateCount => Count("CreateDeployment");

    public FakeCodeDeploy WithGroup(string application, string group, string cluster, string service)
    {
        lock (_gate)
        {
            _groups.Add(new CodeDeployDeploymentGroup
            {
                ApplicationName = application,
                DeploymentGroupName = group,
                ComputePlatform = "ECS",
                EcsServices = [new CodeDeployEcsService(service, cluster)],
            });
        }
        return this;
    }

    /// <summary>A deployment of the group, in <paramref name="status"/>, replacing <paramref name="previous"/> with <paramref name="taskDefinition"/>.</summary>
    public string WithDeployment(string application, string group, CodeDeployDeploymentStatus status, string taskDefinition, string? previous = null, int minutesAgo = 5)
    {
        lock (_gate)
        {
            var id = $"d-{_deployments.Count + 1:D4}";
            _deployments.Add(new Entry(id, application, group, _epoch.AddMinutes(-minutesAgo))
            {
                Status = status,
                Content = Rewind.Playbook.Ecs.CodeDeploy.AppSpec.ForEcs(taskDefinition, "api", 8080),
                PreviousContent = previous is null ? null : Rewind.Playbook.Ecs.CodeDeploy.AppSpec.ForEcs(previous, "api", 8080),
                ReadsLeft = ReadsToFinish,
            });
            return id;
        }
    }

    public CodeDeployDeployment Deployment(string id)
    {
        lock (_gate)
            return Find(id).Snapshot();
    }

    public IReadOnlyList<CodeDeployDeployment> Deployments
    {
        get
        {
            lock (_gate)
                return [.. _deployments.Select(d => d.Snapshot())];
        }
    }

    public Task<IReadOnlyList<string>> ListApplicationsAsync(CancellationToken cancellationToken) =>
        Answer("ListApplications", () => (IReadOnlyList<string>)[.. _groups.Select(g => g.ApplicationName).Distinct()]);

    public Task<IReadOnlyList<string>> ListDeploymentGroupsAsync(string applicationName, CancellationToken cancellationToken) =>
        Answer($"ListDeploymentGroups {applicationName}", () =>
        {
            KnownApplication("ListDeploymentGroups", applicationName);
            return (IReadOnlyList<string>)[.. _groups.Where(g => g.ApplicationName == applicationName).Select(g => g.DeploymentGroupName)];
        });

    public Task<IReadOnlyList<CodeDeployDeploymentGroup>> BatchGetDeploymentGroupsAsync(
        string applicationName, IReadOnlyList<string> deploymentGroupNames, CancellationToken cancellationToken) =>
        Answer($"BatchGetDeploymentGroups {applicationName}", () =>
            (IReadOnlyList<CodeDeployDeploymentGroup>)[.. _groups.Where(g => g.ApplicationName == applicationName && deploymentGroupNames.Contains(g.DeploymentGroupName))]);

    public Task<CodeDeployDeploymentGroup> GetDeploymentGroupAsync(string applicationName, string deploymentGroupName, CancellationToken cancellationToken) =>
        Answer($"GetDeploymentGroup {applicationName}/{deploymentGroupName}", () =>
        {
            KnownApplication("GetDeploymentGroup", applicationName);
            return _groups.FirstOrDefault(g => g.ApplicationName == applicationName && g.DeploymentGroupName == deploymentGroupName)
                ?? throw Error("GetDeploymentGroup", "DeploymentGroupDoesNotExistException", "No Deployment Group found for name: " + deploymentGroupName);
        });

    /// <summary>An application is known by its groups; CodeDeploy answers ApplicationDoesNotExistException for any other.</summary>
    private void KnownApplication(string operation, string applicationName)
    {
        if (!_groups.Any(g => g.ApplicationName == applicationName))
            throw Error(operation, "ApplicationDoesNotExistException", "No application found for name: " + applicationName);
    }

    public Task<IReadOnlyList<string>> ListDeploymentsAsync(
        string applicationName, string deploymentGroupName, IReadOnlyList<CodeDeployDeploymentStatus>? statuses, CancellationToken cancellationToken) =>
        Answer($"ListDeployments {applicationName}/{deploymentGroupName}", () => (IReadOnlyList<string>)[.. _deployments
            .Where(d => d.Application == applicationName && d.Group == deploymentGroupName && (statuses is null || statuses.Contains(d.Status)))
            .OrderByDescending(d => d.Created)
            .Select(d => d.Id)]);

    public Task<CodeDeployDeployment> GetDeploymentAsync(string deploymentId, CancellationToken cancellationToken) =>
        Answer($"GetDeployment {deploymentId}", () =>
        {
            var entry = Find(deploymentId);
            entry.Advance();
            return entry.Snapshot();
        });

    public Task<CodeDeployStopResult> StopDeploymentAsync(string deploymentId, bool autoRollbackEnabled, CancellationToken cancellationToken) =>
        Answer($"StopDeployment {deploymentId}{(autoRollbackEnabled ? " rollback" : "")}", () =>
        {
            var entry = Find(deploymentId);
            if (entry.Status is CodeDeployDeploymentStatus.Succeeded or CodeDeployDeploymentStatus.Failed or CodeDeployDeploymentStatus.Stopped)
                throw Error("StopDeployment", "DeploymentAlreadyCompletedException", $"Deployment {deploymentId} has already completed");
            entry.Status = CodeDeployDeploymentStatus.Stopped;
            entry.Error = new CodeDeployError("DEPLOYMENT_STOPPED", "The deployment was stopped by the user");
            if (autoRollbackEnabled && !StartsNoRollback)
            {
                var rollback = new Entry($"d-{_deployments.Count + 1:D4}", entry.Application, entry.Group, _epoch.AddMinutes(_deployments.Count))
                {
                    Status = CodeDeployDeploymentStatus.InProgress,
                    Content = entry.PreviousContent,
                    ReadsLeft = ReadsToFinish,
                    Fails = TakeFailure(),
                    RollbackOf = entry.Id,
                };
                _deployments.Add(rollback);
                entry.RollbackId = rollback.Id;
            }
            return new CodeDeployStopResult(CodeDeployStopStatus.Pending, "Stopping");
        });

    public Task<string> CreateDeploymentAsync(CodeDeployDeploymentRequest request, CancellationToken cancellationToken) =>
        Answer($"CreateDeployment {request.ApplicationName}/{request.DeploymentGroupName}", () =>
        {
            if (_deployments.Any(d => d.Application == request.ApplicationName && d.Group == request.DeploymentGroupName
                && Rewind.Playbook.Ecs.CodeDeploy.CodeDeployRollback.InFlight.Contains(d.Status)))
            {
                throw Error("CreateDeployment", "DeploymentLimitExceededException", "The deployment group already has an active deployment");
            }
            var entry = new Entry($"d-{_deployments.Count + 1:D4}", request.ApplicationName, request.DeploymentGroupName, _epoch.AddMinutes(_deployments.Count))
            {
                Status = CodeDeployDeploymentStatus.Created,
                Content = request.AppSpecContent,
                Description = request.Description,
                ReadsLeft = ReadsToFinish,
                Fails = TakeFailure(),
            };
            _deployments.Add(entry);
            return entry.Id;
        });

    private string? TakeFailure()
    {
        var reason = NextFails;
        NextFails = null;
        return reason;
    }

    private int Count(string call)
    {
        lock (_gate)
            return Calls.Count(c => c.StartsWith(call + " ", StringComparison.Ordinal));
    }

    private Entry Find(string id) =>
        _deployments.FirstOrDefault(d => d.Id == id) ?? throw Error("GetDeployment", "DeploymentDoesNotExistException", $"The deployment {id} could not be found");

    private static AwsServiceException Error(string operation, string code, string message) => new(AwsService.CodeDeploy, operation, code, message, 400, null);

    private Task<T> Answer<T>(string call, Func<T> act)
    {
        T result;
        lock (_gate)
        {
            Calls.Add(call);
            result = act();
        }
        After?.Invoke(call.Split(' ')[0]);
        return Task.FromResult(result);
    }

    private sealed class Entry(string id, string application, string group, DateTimeOffset created)
    {
        public string Id { get; } = id;
        public string Application { get; } = application;
        public string Group { get; } = group;
        public DateTimeOffset Created { get; } = created;
        public CodeDeployDeploymentStatus Status { get; set; }
        public string? Content { get; init; }
        public string? PreviousContent { get; init; }
        public string? Description { get; init; }
        public string? Fails { get; init; }
        public string? RollbackId { get; set; }
        public string? RollbackOf { get; init; }
        public CodeDeployError? Error { get; set; }
        public int ReadsLeft { get; set; }

        /// <summary>A running deployment moves on by one read; it ends when its reads are used up.</summary>
        public void Advance()
        {
            if (Status is CodeDeployDeploymentStatus.Created)
                Status = CodeDeployDeploymentStatus.InProgress;
            if (Status is not CodeDeployDeploymentStatus.InProgress || ReadsLeft-- > 0)
                return;
            if (Fails is null)
            {
                Status = CodeDeployDeploymentStatus.Succeeded;
                return;
            }
            Status = CodeDeployDeploymentStatus.Failed;
            Error = new CodeDeployError("HEALTH_CONSTRAINTS", Fails);
        }

        public CodeDeployDeployment Snapshot() => new()
        {
            DeploymentId = Id,
            ApplicationName = Application,
            DeploymentGroupName = Group,
            Status = Status,
            CreateTime = Created,
            Description = Description,
            ErrorInformation = Error,
            Revision = Content is null ? null : new CodeDeployRevision("AppSpecContent", new CodeDeployAppSpecContent(Content)),
            PreviousRevision = PreviousContent is null ? null : new CodeDeployRevision("AppSpecContent", new CodeDeployAppSpecContent(PreviousContent)),
            RollbackInfo = RollbackId is null && RollbackOf is null ? null : new CodeDeployRollbackInfo(RollbackId, RollbackOf, null),
        };
    }
}
