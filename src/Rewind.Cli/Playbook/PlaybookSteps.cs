using Rewind.Aws;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Playbook.Canary;
using Rewind.Playbook.Cdn;
using Rewind.Playbook.Ecs;
using Rewind.Playbook.Ecs.CodeDeploy;
using Rewind.Playbook.Freeze;
using Rewind.Playbook.Incident;
using Rewind.Playbook.Infra;
using Rewind.Playbook.Notify;
using Rewind.Playbook.Secrets;
using Rewind.Playbook.Smoke;
using Rewind.Playbook.Verify;

namespace Rewind.Cli.Playbook;

/// <summary>The composition root of the playbook: which steps a configuration has, built over one set of AWS clients.</summary>
public static class PlaybookSteps
{
    public static EcsSettings Ecs(RewindConfig config) =>
        new(config.Service.Cluster, config.Service.EcsService, config.Service.Family, config.Service.DeployTimeout);

    /// <summary>
    /// The canary step, which reads the ECS service's shape when planning so it never modifies a rule ECS owns;
    /// <paramref name="standalone"/> (<c>rewind canary</c>) refuses such a rule instead of planning around it.
    /// </summary>
    public static CanaryStep? Canary(RewindConfig config, AwsClients aws, int percent, bool standalone = false) =>
        CanarySplit(config) is { } settings
            ? new CanaryStep(aws.Elb, settings, percent, ct => new ServiceShapeReader(aws.Ecs).ReadConfigurationAsync(config.Service.Cluster, config.Service.EcsService, ct), standalone)
            : null;

    /// <summary>
    /// The ecs step's CODE_DEPLOY path over the CodeDeploy client: the application and deployment group named in
    /// rewind.yaml, else found from the service when planning. A resumed run executes the stored plan, which names both.
    /// It is also target selection's deployment history for a CODE_DEPLOY service.
    /// </summary>
    public static CodeDeployRollback CodeDeploy(RewindConfig? config, AwsClients aws) =>
        new CodeDeployRollback(aws.CodeDeploy, config?.Service.CodeDeployApplication, config?.Service.CodeDeployGroup, PollSchedule.Default);

    /// <summary>The ecs step of a rollback, with the CODE_DEPLOY seam and how far a new deployment under a strategy is waited for.</summary>
    public static EcsStep EcsRollback(RewindConfig config, AwsClients aws, WaitUntil waitUntil = WaitUntil.Traffic, bool wait = true) =>
        new(aws.Ecs, Ecs(config), wait: wait, codeDeploy: CodeDeploy(config, aws), waitUntil: waitUntil);

    /// <summary>The configuration's canary split, if it has a canary section.</summary>
    public static CanarySettings? CanarySplit(RewindConfig config) => config.Canary is { } canary
        ? new CanarySettings(canary.ListenerArn, canary.RuleArn, canary.MainTargetGroup, canary.CanaryTargetGroup)
        : null;

    /// <summary>The secrets step; with the ledger, it never moves AWSCURRENT back onto a version an earlier rollback left.</summary>
    public static SecretsStep? Secrets(RewindConfig config, AwsClients aws, IReadOnlyList<string>? only = null, Core.Ledger.ILedger? ledger = null) =>
        (only is { Count: > 0 } ? only : [.. config.Secrets.Select(s => s.Id)]) is { Count: > 0 } ids
            ? new SecretsStep(aws.SecretsManager, ids, ledger is null ? null : new SecretRollbackHistory(ledger.Runs))
            : null;

    /// <summary>The Terraform step when the configuration has an <c>infra</c> section (<c>rewind run</c> leaves infrastructure alone otherwise).</summary>
    public static InfraStep? Infra(RewindConfig config, string? reference = null, bool allowDestroy = false, Action<string>? progress = null) =>
        config.Infra is { } infra
            ? new InfraStep(new InfraSettings(Path.GetFullPath(infra.Repository), infra.Directory, infra.MaxDestroys, TerraformPlanFolder(config)), reference, allowDestroy, planProgress: progress)
            : null;

    /// <summary>
    /// Where saved Terraform plans wait for approval: <c>terraform-plans</c> beside the SQLite ledger; with a DynamoDB
    /// ledger in <c>$XDG_RUNTIME_DIR/rewind</c> (else the default ledger's folder). Never a shared folder such as /tmp.
    /// </summary>
    public static string TerraformPlanFolder(RewindConfig config)
    {
        var runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        var state = config.Ledger.Backend == LedgerBackend.DynamoDb
            ? runtime is { Length: > 0 } && Path.IsPathRooted(runtime) ? Path.Combine(runtime, "rewind") : Path.GetDirectoryName(Rewind.Ledger.LedgerPaths.DefaultSqlitePath())!
            : Path.GetDirectoryName(Path.GetFullPath(config.Ledger.Path ?? Rewind.Ledger.LedgerPaths.DefaultSqlitePath()))!;
        return Path.Combine(state, InfraSettings.PlanFolderName);
    }

    /// <summary>The commit of the Terraform code now (HEAD of infra.repository), for <c>rewind record</c>; null without an infra section.</summary>
    public static async Task<string?> TerraformRevisionAsync(RewindConfig config, CancellationToken cancellationToken) =>
        config.Infra is { } infra
            ? await (await GitRepository.OpenAsync(Path.GetFullPath(infra.Repository), cancellationToken)).ResolveCommitAsync("HEAD", cancellationToken)
            : null;

    /// <summary>
    /// Every step of <c>rewind run</c> this configuration enables, in playbook order: smoke logs go beside the
    /// configuration file, Terraform's progress lines (while it plans) to the command's log.
    /// </summary>
    public static IReadOnlyList<IStep> All(CliContext cli, AwsClients aws, Core.Ledger.ILedger ledger, WaitUntil waitUntil = WaitUntil.Traffic)
    {
        var config = cli.Config;
        return [.. new IStep?[]
        {
            Canary(config, aws, 0),
            Secrets(config, aws, ledger: ledger),
            EcsRollback(config, aws, waitUntil),
            Infra(config, progress: line => cli.Log($"[infra] {line}")),
            config.Cdn is { } cdn ? new CdnStep(aws.CloudFront, cdn.DistributionId, [.. cdn.Paths]) : null,
            config.Smoke is { } smoke ? new SmokeStep(smoke, aws.SecretsManager, Environment.GetEnvironmentVariable, cli.ConfigFolder) : null,
            config.Verify is { } verify ? new VerifyStep(aws.CloudWatch, verify, ledger.Releases) : null,
            Incident(config, ledger, IncidentDefaults(config), time: cli.Time),
            Freeze(config, aws, ledger, cli.Time),
            Notify(config, aws, ledger, cli.Time),
        }.OfType<IStep>()];
    }

    /// <summary>
    /// The steps that execute a stored plan (resume), one per step the plan names, each built from the AWS clients and
    /// ledger stores alone to do what its plan says, whatever rewind.yaml says today.
    /// </summary>
    public static IReadOnlyList<IStep> ForPlan(CliContext cli, AwsClients aws, Core.Ledger.ILedger ledger, RollbackPlan plan)
    {
        return [.. plan.Steps.Select<StepPlan, IStep?>(p => p.Step switch
        {
            "canary" => CanaryStep.ForExecution(aws.Elb, CanarySplit(cli.Config), p),
            "secrets" => SecretsStep.ForExecution(aws.SecretsManager),
            "ecs" => EcsStep.ForExecution(aws.Ecs, codeDeploy: CodeDeploy(cli.Config, aws)),
            "infra" => InfraStep.ForResume(),
            "cdn" => CdnStep.ForResume(aws.CloudFront),
            "smoke" => SmokeStep.ForResume(aws.SecretsManager, Environment.GetEnvironmentVariable, cli.ConfigFolder),
            "verify" => VerifyStep.ForResume(aws.CloudWatch),
            "incident" => Incident(cli.Config, ledger, null),
            "freeze" => FreezeStep.ForExecution(ledger.Freezes, FreezeParameterOf(aws), Outbox(ledger, cli.Time)),
            "notify" => NotifyStep.ForExecution(ledger.Runs, Outbox(ledger, cli.Time)),
            AssignIncidentStep.StepName => new AssignIncidentStep(ledger.Incidents),
            CloseIncidentStep.StepName => new CloseIncidentStep(ledger.Incidents),
            OverrideFreezeStep.StepName => new OverrideFreezeStep(ledger.Releases),
            LiftFreezeStep.StepName => LiftFreeze(aws, ledger, cli.Time),
            Rewind.Playbook.Undo.UndoOverrideFreezeStep.StepName => new Rewind.Playbook.Undo.UndoOverrideFreezeStep(),
            _ => null,
        }).OfType<IStep>()];
    }

    /// <summary>
    /// How today's rewind.yaml differs from what <paramref name="plan"/> was made from, one line per difference, from the
    /// steps the configuration builds now (<see cref="IStep.DriftFrom"/>), and a canary section that is gone.
    /// </summary>
    public static IReadOnlyList<string> DriftFrom(CliContext cli, AwsClients aws, Core.Ledger.ILedger ledger, RollbackPlan plan)
    {
        var configured = All(cli, aws, ledger);
        return [.. plan.Steps.SelectMany(p => configured.FirstOrDefault(s => s.Name == p.Step) is { } step
            ? step.DriftFrom(p)
            : p.Step == "canary" && CanaryStep.Read(p) is var canary ? [$"canary is no longer configured; the plan names the {canary.Kind} {canary.Arn}"] : [])];
    }

    /// <summary>The names <c>--skip</c> and <c>--only</c> accept.</summary>
    public static IReadOnlyList<string> StepNames { get; } = ["canary", "secrets", "ecs", "infra", "cdn", "smoke", "verify", "incident", "freeze", "notify"];

    /// <summary>The incident step over the configured trackers; the ledger-only incident needs no configuration.</summary>
    public static IncidentStep Incident(
        RewindConfig config, Core.Ledger.ILedger ledger, IncidentSettings? settings, Func<string, string?>? environment = null, TimeProvider? time = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var incident = config.Incident;
        IReadOnlyList<ITicketTracker> trackers = [.. new ITicketTracker?[]
        {
            incident.GitHub is { } github ? new GitHubIssues(TrackerHttp, github, environment) : null,
            incident.Jira is { } jira ? new JiraIssues(TrackerHttp, jira, environment) : null,
        }.OfType<ITicketTracker>()];
        var webhook = incident.WebhookEnv is { } variable ? new IncidentWebhook(TrackerHttp, variable, environment) : null;
        return new IncidentStep(ledger.Runs, ledger.Incidents, ledger.Outbox, settings, trackers, webhook, time);
    }

    /// <summary>The incident of <c>rewind run</c>: the configuration's severity and on-call, the operator as last resort.</summary>
    public static IncidentSettings IncidentDefaults(RewindConfig config) =>
        new(config.Incident.Severity, null, config.Incident.OnCall, Environment.UserName, config.Incident.PostmortemDue, config.Incident.DraftsDir);

    // One client for every tracker call of the process: bounded, so a silent tracker cannot hold a run.
    private static readonly HttpClient TrackerHttp = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The service's freeze parameter in SSM (freeze.ssm_parameter).</summary>
    public static FreezeParameter FreezeParameter(RewindConfig config, AwsClients aws) => new(aws.Ssm(), config.FreezeParameterName, config.Service.Name);

    /// <summary>The parameter a stored freeze plan names, over the same SSM client.</summary>
    public static FreezeParameterOf FreezeParameterOf(AwsClients aws) => (name, service) => new FreezeParameter(aws.Ssm(), name, service);

    /// <summary>Every notification goes through the ledger's outbox; webhook URLs are read from the environment when sent.</summary>
    public static NotificationOutbox Outbox(Core.Ledger.ILedger ledger, TimeProvider time) => new(ledger.Outbox, WebhookSender.Default, Environment.GetEnvironmentVariable, time);

    /// <summary>Always in a run (the playbook freezes releases after every rollback; --skip freeze leaves it out).</summary>
    public static FreezeStep Freeze(RewindConfig config, AwsClients aws, Core.Ledger.ILedger ledger, TimeProvider time) =>
        new(ledger.Freezes, FreezeParameterOf(aws), Outbox(ledger, time), new FreezePlanning(FreezeParameter(config, aws), NotificationOutbox.EnabledRoutes(config.Notify, Audiences.Team)));

    /// <summary><c>rewind freeze on</c>: the run's freeze step, planned from the operator's reason, incident and name; it announces a freeze in force that was never told.</summary>
    public static FreezeStep OperatorFreeze(RewindConfig config, AwsClients aws, Core.Ledger.ILedger ledger, TimeProvider time, string reason, string? incident, string by) =>
        new(ledger.Freezes, FreezeParameterOf(aws), Outbox(ledger, time),
            new FreezePlanning(FreezeParameter(config, aws), NotificationOutbox.EnabledRoutes(config.Notify, Audiences.Team), reason, incident, by, AnnounceUntold: true));

    /// <summary><c>rewind freeze off</c>: plans what <paramref name="findings"/> found; without them, executes a stored plan (resume).</summary>
    public static LiftFreezeStep LiftFreeze(AwsClients aws, Core.Ledger.ILedger ledger, TimeProvider time, LiftFreezeFindings? findings = null) =>
        findings is null
            ? new(ledger.Freezes, ledger.Incidents, FreezeParameterOf(aws), Outbox(ledger, time))
            : new(ledger.Freezes, ledger.Incidents, FreezeParameterOf(aws), Outbox(ledger, time), findings);

    /// <summary>In a run when any audience is configured.</summary>
    public static NotifyStep? Notify(RewindConfig config, AwsClients aws, Core.Ledger.ILedger ledger, TimeProvider time) =>
        NotifyStep.IsConfigured(config.Notify)
            ? new NotifyStep(ledger.Runs, Outbox(ledger, time), new NotifyPlanning(config.Notify, aws.Ecs, Ecs(config), ledger.Releases))
            : null;

    public static RollbackTargetSelector Targets(RewindConfig config, AwsClients aws, Core.Ledger.ILedger ledger) =>
        new(aws.Ecs, ledger.Releases, Ecs(config), CodeDeploy(config, aws));
}
