namespace Rewind.Core.Configuration;

/// <summary>The values the rollback playbook and its helper scripts use when nothing else is said.</summary>
public static class PlaybookDefaults
{
    /// <summary>The ECS cluster (<c>CLUSTER_NAME</c> in the playbook's scripts).</summary>
    public const string Cluster = "claude-proxy";

    /// <summary>The ECS service (<c>SERVICE_NAME_API</c> in the playbook's scripts).</summary>
    public const string EcsService = "api-service";

    /// <summary>The task definition family (<c>TASK_FAMILY</c> in the playbook's scripts).</summary>
    public const string Family = "claude-proxy-api";

    /// <summary>Environment variable that replaces the default cluster.</summary>
    public const string ClusterVariable = "CLUSTER_NAME";

    /// <summary>Environment variable that replaces the default ECS service.</summary>
    public const string EcsServiceVariable = "SERVICE_NAME_API";

    /// <summary>Environment variable that replaces the default task family.</summary>
    public const string FamilyVariable = "TASK_FAMILY";

    /// <summary>The CloudFront paths the playbook invalidates.</summary>
    public const string CdnPath = "/*";

    /// <summary>The repository holding the Terraform code.</summary>
    public const string InfraRepository = ".";

    /// <summary>The Terraform directory inside the repository.</summary>
    public const string InfraDirectory = "infra/terraform";

    /// <summary>The Slack channel where the team hears about releases.</summary>
    public const string ReleasesChannel = "#releases";

    /// <summary>Where the freeze is published; <c>{service}</c> becomes <c>service.name</c>.</summary>
    public const string FreezeParameter = "/rewind/{service}/freeze";

    /// <summary>The placeholder in <see cref="FreezeParameter"/>.</summary>
    public const string ServicePlaceholder = "{service}";

    /// <summary>The DynamoDB ledger table name suggested by <c>rewind init</c>.</summary>
    public const string LedgerTable = "rewind-ledger";

    /// <summary>The environment variable holding the smoke tests' API key when neither api_key_env nor api_key_secret is set.</summary>
    public const string SmokeApiKeyVariable = "SMOKE_API_KEY";

    /// <summary>How many times a smoke check is retried.</summary>
    public const int SmokeRetries = 3;

    /// <summary>The 5XX rate above which a rollback is not verified.</summary>
    public const double Max5xxPercent = 1.0;

    /// <summary>Percentage points above the baseline 5XX rate that still count as back at the baseline.</summary>
    public const double BaselineTolerancePercent = 0.5;

    /// <summary>How many Terraform destroys an apply may contain without <c>--allow-destroy</c>.</summary>
    public const int MaxDestroys = 0;

    /// <summary>Deadline for the ECS rollout to complete (the playbook promises a rollback in under 5 minutes).</summary>
    public static TimeSpan DeployTimeout { get; } = TimeSpan.FromMinutes(10);

    /// <summary>Timeout of one smoke request.</summary>
    public static TimeSpan SmokeTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before the first retry of a smoke check (doubled for each further retry).</summary>
    public static TimeSpan SmokeBackoff { get; } = TimeSpan.FromSeconds(1);

    /// <summary>How long verification waits for the error rate to normalize.</summary>
    public static TimeSpan VerifyDeadline { get; } = TimeSpan.FromMinutes(10);

    /// <summary>The window over which error rates are measured.</summary>
    public static TimeSpan VerifyWindow { get; } = TimeSpan.FromMinutes(5);

    /// <summary>The playbook's "schedule postmortem within 48 hours".</summary>
    public static TimeSpan PostmortemDue { get; } = TimeSpan.FromHours(48);

    /// <summary>Severity of the incident a rollback opens when <c>incident.severity</c> is not set.</summary>
    public const string Severity = "SEV2";

    /// <summary>Where postmortem drafts and invitations are written when <c>incident.drafts_dir</c> is not set.</summary>
    public const string DraftsDir = "postmortems";

    /// <summary>GitHub's public REST API.</summary>
    public const string GitHubApiUrl = "https://api.github.com";

    /// <summary>The variable holding the GitHub token when <c>incident.github.token_env</c> is not set.</summary>
    public const string GitHubTokenVariable = "GITHUB_TOKEN";
}
