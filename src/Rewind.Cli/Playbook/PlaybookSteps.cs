using Rewind.Aws;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Playbook.Canary;
using Rewind.Playbook.Cdn;
using Rewind.Playbook.Ecs;
using Rewind.Playbook.Incident;
using Rewind.Playbook.Secrets;

namespace Rewind.Cli.Playbook;

/// <summary>The composition root of the playbook: which steps a configuration has, built over one set of AWS clients.</summary>
public static class PlaybookSteps
{
    public static EcsSettings Ecs(RewindConfig config) =>
        new(config.Service.Cluster, config.Service.EcsService, config.Service.Family, config.Service.DeployTimeout);

    public static CanaryStep? Canary(RewindConfig config, AwsClients aws, int percent) => config.Canary is { } canary
        ? new CanaryStep(aws.Elb, new CanarySettings(canary.ListenerArn, canary.RuleArn, canary.MainTargetGroup, canary.CanaryTargetGroup), percent)
        : null;

    public static SecretsStep? Secrets(RewindConfig config, AwsClients aws, IReadOnlyList<string>? only = null) =>
        (only is { Count: > 0 } ? only : [.. config.Secrets.Select(s => s.Id)]) is { Count: > 0 } ids ? new SecretsStep(aws.SecretsManager, ids) : null;

    /// <summary>Every step of <c>rewind run</c> this configuration enables, in playbook order.</summary>
    public static IReadOnlyList<IStep> All(RewindConfig config, AwsClients aws, Core.Ledger.ILedger ledger) =>
        [.. new IStep?[]
        {
            Canary(config, aws, 0),
            Secrets(config, aws),
            new EcsStep(aws.Ecs, Ecs(config)),
            config.Cdn is { } cdn ? new CdnStep(aws.CloudFront, cdn.DistributionId, [.. cdn.Paths]) : null,
            Incident(config, ledger, IncidentDefaults(config)),
        }.OfType<IStep>()];

    /// <summary>The names <c>--skip</c> and <c>--only</c> accept.</summary>
    public static IReadOnlyList<string> StepNames { get; } = ["canary", "secrets", "ecs", "cdn", "incident"];

    /// <summary>The incident step over the configured trackers; the ledger-only incident needs no configuration.</summary>
    public static IncidentStep Incident(RewindConfig config, Core.Ledger.ILedger ledger, IncidentSettings settings, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var incident = config.Incident;
        IReadOnlyList<ITicketTracker> trackers = [.. new ITicketTracker?[]
        {
            incident.GitHub is { } github ? new GitHubIssues(TrackerHttp, github, environment) : null,
            incident.Jira is { } jira ? new JiraIssues(TrackerHttp, jira, environment) : null,
        }.OfType<ITicketTracker>()];
        var webhook = incident.WebhookEnv is { } variable ? new IncidentWebhook(TrackerHttp, variable, environment) : null;
        return new IncidentStep(ledger, settings, trackers, webhook);
    }

    /// <summary>The incident of <c>rewind run</c>: the configuration's severity and on-call, the operator as last resort.</summary>
    public static IncidentSettings IncidentDefaults(RewindConfig config) =>
        new(config.Incident.Severity, null, config.Incident.OnCall, Environment.UserName, config.Incident.PostmortemDue, config.Incident.DraftsDir);

    // One client for every tracker call of the process: bounded, so a silent tracker cannot hold a run.
    private static readonly HttpClient TrackerHttp = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static RollbackTargetSelector Targets(RewindConfig config, AwsClients aws, Core.Ledger.ILedger ledger) =>
        new(aws.Ecs, ledger.Releases, Ecs(config));
}
