using Rewind.Aws;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Playbook.Canary;
using Rewind.Playbook.Cdn;
using Rewind.Playbook.Ecs;
using Rewind.Playbook.Freeze;
using Rewind.Playbook.Notify;
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
            Freeze(config, aws, ledger),
            Notify(config, aws, ledger),
        }.OfType<IStep>()];

    /// <summary>The names <c>--skip</c> and <c>--only</c> accept.</summary>
    public static IReadOnlyList<string> StepNames { get; } = ["canary", "secrets", "ecs", "cdn", "freeze", "notify"];

    /// <summary>The service's freeze parameter in SSM (freeze.ssm_parameter).</summary>
    public static FreezeParameter FreezeParameter(RewindConfig config, AwsClients aws) => new(aws.Ssm(), config.FreezeParameterName, config.Service.Name);

    /// <summary>Every notification goes through the ledger's outbox; webhook URLs are read from the environment when sent.</summary>
    public static NotificationOutbox Outbox(Core.Ledger.ILedger ledger) => new(ledger.Outbox, WebhookSender.Default, Environment.GetEnvironmentVariable, TimeProvider.System);

    /// <summary>Always in a run (the playbook freezes releases after every rollback; --skip freeze leaves it out).</summary>
    public static FreezeStep Freeze(RewindConfig config, AwsClients aws, Core.Ledger.ILedger ledger) =>
        new(ledger, FreezeParameter(config, aws), Outbox(ledger), NotificationOutbox.EnabledRoutes(config.Notify, Audiences.Team));

    /// <summary>In a run when any audience is configured.</summary>
    public static NotifyStep? Notify(RewindConfig config, AwsClients aws, Core.Ledger.ILedger ledger) =>
        NotifyStep.IsConfigured(config.Notify) ? new NotifyStep(config.Notify, aws.Ecs, Ecs(config), ledger, Outbox(ledger)) : null;

    public static RollbackTargetSelector Targets(RewindConfig config, AwsClients aws, Core.Ledger.ILedger ledger) =>
        new(aws.Ecs, ledger.Releases, Ecs(config));
}
