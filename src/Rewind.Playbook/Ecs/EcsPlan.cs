using System.Globalization;
using System.Text.Json.Serialization;

namespace Rewind.Playbook.Ecs;

/// <summary>
/// What the ecs step was approved to do, and all its execution reads: which service, which task definition, and for a
/// <c>--restart</c> the deployments the service had, so a resume tells the deployment it started from older ones.
/// </summary>
/// <param name="Cluster">The cluster of <paramref name="Service"/>, as planned (never re-read from rewind.yaml).</param>
/// <param name="Service">The ECS service the step acts on.</param>
/// <param name="TargetTaskDefinition">The task definition the service is to run (the running one for a restart).</param>
/// <param name="PreviousTaskDefinition">What ran when the plan was made: the report's "from".</param>
/// <param name="Restart">A forced deployment of the running revision (<c>rewind secret --restart</c>), not a rollback.</param>
/// <param name="DeploymentsBefore">The service's deployment ids when a restart was planned; empty otherwise.</param>
/// <param name="Wait">False for <c>--no-wait</c>: the step returns once the deployment has started.</param>
/// <param name="Path">How the service is rolled back (plans stored before issue 17: UpdateService).</param>
/// <param name="Reason">Why this path, as the plan line says it.</param>
/// <param name="ServiceDeploymentArn">The deployment in flight that StopServiceDeployment or ContinueServiceDeployment acts on (or the one ECS rolled back).</param>
/// <param name="HookId">The PAUSE hook ContinueServiceDeployment answers.</param>
/// <param name="CodeDeploy">The CODE_DEPLOY path's plan.</param>
/// <param name="WaitUntil">How far an UpdateService under BLUE_GREEN/LINEAR/CANARY is waited for.</param>
/// <param name="Strategy">The service's strategy when planned, as ECS spells it; null in plans stored before issue 17 (ROLLING).</param>
public sealed record EcsPlan(
    string Cluster,
    string Service,
    string TargetTaskDefinition,
    string PreviousTaskDefinition,
    bool Restart,
    IReadOnlyList<string> DeploymentsBefore,
    bool Wait = true,
    RollbackPath Path = RollbackPath.UpdateService,
    string? Reason = null,
    string? ServiceDeploymentArn = null,
    string? HookId = null,
    CodeDeploy.CodeDeployPlan? CodeDeploy = null,
    WaitUntil WaitUntil = WaitUntil.Traffic,
    string? Strategy = null)
{
    /// <summary>
    /// A plan stored before typed plans (418e7ad): <c>cluster</c>, <c>service</c>, <c>taskDefinition</c>,
    /// <c>previousTaskDefinition</c>, <c>restart</c> ("true") and, since the restart resume fix, <c>deploymentsBefore</c>
    /// (comma-separated). Such plans always waited.
    /// </summary>
    public static EcsPlan FromVersion1(IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        string Required(string key) => parameters.TryGetValue(key, out var value)
            ? value
            : throw new InvalidOperationException($"the stored ecs plan (version 1) has no {key}");
        return new EcsPlan(
            Required("cluster"),
            Required("service"),
            Required("taskDefinition"),
            parameters.GetValueOrDefault("previousTaskDefinition") ?? Required("taskDefinition"),
            parameters.TryGetValue("restart", out var restart) && bool.Parse(restart.ToLower(CultureInfo.InvariantCulture)),
            parameters.TryGetValue("deploymentsBefore", out var before) ? before.Split(',', StringSplitOptions.RemoveEmptyEntries) : []);
    }

    /// <summary>ECS shifts production traffic itself (BLUE_GREEN, LINEAR, CANARY).</summary>
    [JsonIgnore]
    public bool EcsShiftsTraffic => Strategy is "BLUE_GREEN" or "LINEAR" or "CANARY";
}

/// <summary>The ecs plan's JSON in the stored plan (source-generated: NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(EcsPlan))]
public sealed partial class EcsPlanJson : JsonSerializerContext;
