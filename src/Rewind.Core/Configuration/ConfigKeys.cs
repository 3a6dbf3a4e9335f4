using System.Collections.Frozen;
using static Rewind.Core.Configuration.ConfigKeyType;

namespace Rewind.Core.Configuration;

/// <summary>
/// Every key of rewind.yaml, once: the loader's known keys and its "did you mean" suggestions are derived from this
/// table at run time, and tests check the section readers, <see cref="RewindConfigWriter"/>'s output,
/// docs/rewind.schema.json and docs/configuration.md's key list against it, so a key cannot be added, renamed or
/// given another type or default in one place only. Within a section the keys are in the order the messages list them.
/// </summary>
public static class ConfigKeys
{
    private static readonly string[] NotifyAudiences = ["team", "support", "customers"];

    /// <summary>The sections each item of <c>services</c> has of its own; at the top level they go with <c>service</c> only.</summary>
    public static IReadOnlyList<string> PerServiceSections { get; } = ["canary", "secrets", "smoke", "verify"];

    /// <summary>The keys of <c>aws</c> an item of <c>services</c> may set for itself (another account or region).</summary>
    public static IReadOnlyList<string> PerServiceAwsKeys { get; } = ["region", "profile", "role_arn", "external_id"];

    /// <summary>Every key, sections first and each section's keys after it; the keys of a <c>services</c> item last, derived from the others.</summary>
    public static IReadOnlyList<ConfigKey> All { get; } = WithServiceItems(
    [
        new("service", Section, "The ECS service to roll back."),
        new("services", SectionList, "Several services rolled back together, instead of service; each with its own keys and sections."),
        new("aws", Section, "AWS access; unset keys fall back to the flags, the AWS environment and ~/.aws/config."),
        new("canary", Section, "The weighted forward the canary step rewrites (the playbook's Option 2)."),
        new("secrets", SectionList, "Secrets Manager secrets the release may rotate."),
        new("cdn", Section, "The CloudFront distribution invalidated after the rollback."),
        new("infra", Section, "The Terraform code rolled back with the release."),
        new("smoke", Section, "Smoke tests after the rollback."),
        new("verify", Section, "Error-rate verification after the rollback."),
        new("incident", Section, "The postmortem process."),
        new("freeze", Section, "The release freeze."),
        new("notify", Section, "Who is told about a rollback."),
        new("ledger", Section, "Where releases, runs and the journal are kept."),

        new("service.name", Text, "The ledger's key for this service; default: the family."),
        new("service.cluster", Text, "ECS cluster name or ARN; $CLUSTER_NAME replaces the default.") { Default = "claude-proxy" },
        new("service.ecs_service", Text, "ECS service name or ARN; $SERVICE_NAME_API replaces the default.") { Default = "api-service" },
        new("service.family", Text, "Task definition family; $TASK_FAMILY replaces the default.") { Default = "claude-proxy-api" },
        new("service.deploy_timeout", Duration, "Deadline for the ECS rollout to complete.") { Default = "10m", Minimum = "1s" },
        new("service.codedeploy_application", Text, "CodeDeploy application of a CODE_DEPLOY service; default: found from the service."),
        new("service.codedeploy_group", Text, "CodeDeploy deployment group of a CODE_DEPLOY service; default: found from the service."),

        new("aws.profile", Text, "Profile from ~/.aws/config."),
        new("aws.region", Text, "Region code, such as eu-west-1."),
        new("aws.endpoint_url", Text, "Send every AWS call to this http(s) URL (an emulator, a VPC endpoint)."),
        new("aws.role_arn", Text, "IAM role assumed through STS AssumeRole with the profile's credentials, for another account."),
        new("aws.external_id", Text, "External id the role's trust policy asks for; only with role_arn."),

        new("canary.listener_arn", Text, "The listener whose default action splits traffic (or rule_arn)."),
        new("canary.rule_arn", Text, "The listener rule that splits traffic (or listener_arn)."),
        new("canary.main_target_group", Text, "ARN of the stable target group.") { Required = true },
        new("canary.canary_target_group", Text, "ARN of the canary target group.") { Required = true },

        new("secrets[].id", Text, "The secret's name or ARN.") { Required = true },

        new("cdn.distribution_id", Text, "Distribution id, such as E123ABC.") { Required = true },
        new("cdn.paths", StringList, "Paths to invalidate.") { Default = "[\"/*\"]" },

        new("infra.repository", FilePath, "The git repository holding the Terraform code.") { Default = "." },
        new("infra.directory", Text, "The Terraform directory inside the repository.") { Default = "infra/terraform" },
        new("infra.max_destroys", Integer, "Destroys allowed without --allow-destroy.") { Default = "0", Minimum = "0", Maximum = "10000" },

        new("smoke.url", Text, "The service's base URL.") { Required = true },
        new("smoke.api_key_env", Text, "Environment variable holding the API key (or api_key_secret).") { Default = "SMOKE_API_KEY" },
        new("smoke.api_key_secret", Text, "Secrets Manager secret (name or ARN) holding the API key (or api_key_env)."),
        new("smoke.retries", Integer, "Retries per check after the first attempt.") { Default = "3", Minimum = "0", Maximum = "100" },
        new("smoke.timeout", Duration, "Timeout of one request.") { Default = "10s", Minimum = "1s" },
        new("smoke.backoff", Duration, "Wait before the first retry of a check, doubled for each further retry.") { Default = "1s", Minimum = "0s" },
        new("smoke.checks", SectionList, "The checks to run; default: the playbook's GET /health and POST /api/enqueue."),
        new("smoke.checks_file", FilePath, "A YAML file holding the list of checks, instead of checks."),

        new("smoke.checks[].name", Text, "The check's name in tables, logs and evidence.") { Required = true },
        new("smoke.checks[].method", Choice, "HTTP method.") { Default = "GET", Allowed = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] },
        new("smoke.checks[].path", Text, "Path below smoke.url, starting with '/'.") { Required = true },
        new("smoke.checks[].headers", StringMap, "Request headers; {api_key} in a value is replaced by the API key."),
        new("smoke.checks[].body", Text, "Request body; sent as application/json when it starts with '{' or '['."),
        new("smoke.checks[].status", OneOrList, "Accepted status codes (200) or classes (2xx).") { Default = "2xx" },
        new("smoke.checks[].contains", Text, "Text the body must contain."),
        new("smoke.checks[].regex", Text, "Regular expression the body must match."),
        new("smoke.checks[].json_path", OneOrList, "JSON path(s); at least one must exist in the body."),
        new("smoke.checks[].latency_budget", Duration, "Slowest acceptable answer: 500ms, 2s."),

        new("verify.load_balancer", Text, "CloudWatch LoadBalancer dimension app/NAME/ID, or the load balancer's ARN."),
        new("verify.target_group", Text, "CloudWatch TargetGroup dimension targetgroup/NAME/ID, or the target group's ARN."),
        new("verify.window", Duration, "The measurement window.") { Default = "5m", Minimum = "1m" },
        new("verify.max_5xx_percent", Number, "Highest acceptable 5XX rate in percent.") { Default = "1.0", Minimum = "0", Maximum = "100" },
        new("verify.alarms", StringList, "CloudWatch alarms that must be OK.") { Default = "[]" },
        new("verify.deadline", Duration, "How long to wait for the rate to normalize and the alarms to be OK.") { Default = "10m", Minimum = "0s" },
        new("verify.baseline_tolerance_percent", Number, "Percentage points above the target release's own baseline that still count as back at it.") { Default = "0.5", Minimum = "0", Maximum = "100" },

        new("incident.on_call", Text, "Incident owner when --owner is not given."),
        new("incident.postmortem_due", Duration, "How long after opening the postmortem is due.") { Default = "48h", Minimum = "1m" },
        new("incident.severity", Text, "Severity of the incident a rollback opens.") { Default = "SEV2" },
        new("incident.github", Section, "A GitHub issue per incident."),
        new("incident.jira", Section, "A Jira issue per incident."),
        new("incident.webhook_env", Text, "Environment variable holding a generic JSON webhook URL told of each incident."),
        new("incident.drafts_dir", FilePath, "Where postmortem drafts (.md) and invitations (.ics) are written.") { Default = "postmortems" },

        new("incident.github.repository", Text, "owner/name of the issues' repository.") { Required = true },
        new("incident.github.token_env", Text, "Environment variable holding the token.") { Default = "GITHUB_TOKEN" },
        new("incident.github.labels", StringList, "Labels put on the issue.") { Default = "[]" },
        new("incident.github.assignee", Text, "GitHub login assigned to the issue."),
        new("incident.github.api_url", Text, "REST API base address (GitHub Enterprise: https://HOST/api/v3).") { Default = "https://api.github.com" },

        new("incident.jira.url", Text, "The Jira site, such as https://example.atlassian.net.") { Required = true },
        new("incident.jira.project", Text, "Project key, such as OPS.") { Required = true },
        new("incident.jira.issue_type", Text, "Issue type name.") { Default = "Task" },
        new("incident.jira.email_env", Text, "Environment variable holding the account's e-mail.") { Required = true },
        new("incident.jira.token_env", Text, "Environment variable holding the API token.") { Required = true },
        new("incident.jira.assignee", Text, "Account id assigned to the issue."),

        new("freeze.ssm_parameter", Text, "SSM parameter the freeze is published to; {service} becomes service.name.") { Default = "/rewind/{service}/freeze" },

        .. NotifyAudiences.Select(audience => new ConfigKey($"notify.{audience}", Section, $"The {audience} audience; left out, it is not notified.")),
        .. NotifyAudiences.SelectMany(NotifyTarget),

        new("ledger.backend", Choice, "sqlite (one machine) or dynamodb (a team).") { Default = "sqlite", Allowed = ["sqlite", "dynamodb"] },
        new("ledger.path", FilePath, "SQLite file; only with backend sqlite. Default: $XDG_STATE_HOME/rewind/ledger.db."),
        new("ledger.table", Text, "DynamoDB table; required with backend dynamodb."),
    ]);

    /// <summary>
    /// The keys each section accepts, by section path: <c>""</c> for the top level, <c>service</c>, <c>secrets[]</c> for
    /// an item of the secrets list, <c>notify.team</c>, … in the table's order.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> KnownKeys { get; } = All
        .GroupBy(key => key.Section, StringComparer.Ordinal)
        .ToFrozenDictionary(section => section.Key, section => (IReadOnlyList<string>)[.. section.Select(key => key.Name)], StringComparer.Ordinal);

    /// <summary>
    /// The section a key of that name belongs in, for "it belongs in the service section" hints: the first in the
    /// table, a mapping's before a list item's.
    /// </summary>
    public static string? SectionOf(string name) =>
        All.Where(key => key.Section.Length > 0 && key.Name == name)
            .OrderBy(key => key.Section.Contains("[]", StringComparison.Ordinal))
            .FirstOrDefault()?.Section;

    /// <summary>The key at <paramref name="path"/>; a path not in the table is a bug in the caller.</summary>
    public static ConfigKey Get(string path) =>
        All.FirstOrDefault(key => key.Path == path) ?? throw new ArgumentOutOfRangeException(nameof(path), path, "not a key of rewind.yaml");

    /// <summary>
    /// The keys of an item of <c>services</c>: <c>name</c>, the <c>service</c> keys, the per-service <c>aws</c> keys,
    /// <c>depends_on</c> and the per-service sections, each a copy of the key it repeats (<see cref="ConfigKey.SameAs"/>).
    /// </summary>
    private static ConfigKey[] WithServiceItems(ConfigKey[] keys)
    {
        const string Item = "services[].";
        static ConfigKey Copy(ConfigKey key, string path) => key with { Path = path, SameAs = key.Path };
        bool PerService(ConfigKey key) => PerServiceSections.Any(section =>
            key.Path == section || key.Path.StartsWith(section + ".", StringComparison.Ordinal) || key.Path.StartsWith(section + "[].", StringComparison.Ordinal));
        return
        [
            .. keys,
            new(Item + "name", Text, "The service's name: the ledger's key, what --service selects.") { Required = true },
            .. keys.Where(key => key.Section == "service" && key.Name != "name").Select(key => Copy(key, Item + key.Name)),
            .. PerServiceAwsKeys.Select(name => keys.Single(key => key.Path == "aws." + name))
                .Select(key => Copy(key, Item + key.Name) with { Description = $"{key.Description} Default: {key.Path}." }),
            new(Item + "depends_on", StringList, "Names of the services rolled back before this one.") { Default = "[]" },
            .. keys.Where(PerService).Select(key => Copy(key, Item + key.Path)),
        ];
    }

    private static IEnumerable<ConfigKey> NotifyTarget(string audience) =>
    [
        new($"notify.{audience}.slack_webhook_env", Text, "Environment variable holding a Slack incoming webhook URL."),
        new($"notify.{audience}.webhook_env", Text, "Environment variable holding a generic JSON webhook URL."),
        new($"notify.{audience}.channel", Text, "Slack channel shown in messages.") { Default = audience == "team" ? "#releases" : null },
        new($"notify.{audience}.enabled", Flag, "false keeps the audience configured but silent.") { Default = "true" },
    ];
}
