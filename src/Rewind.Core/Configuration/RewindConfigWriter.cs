using System.Globalization;
using System.Text;

namespace Rewind.Core.Configuration;

/// <summary>Writes a <see cref="RewindConfig"/> as the commented <c>rewind.yaml</c> that <c>rewind init</c> creates; it parses back to an equal config.</summary>
public static class RewindConfigWriter
{
    // Inline comments start in this column so the file reads as a table.
    private const int CommentColumn = 44;

    private static readonly string[] YamlWords = ["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"];

    /// <summary>The YAML text for <paramref name="config"/>.</summary>
    public static string Write(RewindConfig config)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        Write(config, text);
        return text.ToString();
    }

    /// <summary>Writes the YAML text for <paramref name="config"/> to <paramref name="writer"/>.</summary>
    public static void Write(RewindConfig config, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(writer);
        var yaml = new YamlText();
        WriteHeader(yaml, config);
        WriteService(yaml, config.Service);
        WriteAws(yaml, config.Aws);
        WriteCanary(yaml, config.Canary);
        WriteSecrets(yaml, config.Secrets);
        WriteCdn(yaml, config.Cdn);
        WriteInfra(yaml, config.Infra);
        WriteSmoke(yaml, config.Smoke);
        WriteVerify(yaml, config.Verify);
        WriteIncident(yaml, config.Incident);
        WriteFreeze(yaml, config.Freeze);
        WriteNotify(yaml, config.Notify);
        WriteLedger(yaml, config.Ledger);
        writer.Write(yaml.ToString());
    }

    private static void WriteHeader(YamlText yaml, RewindConfig config)
    {
        yaml.Comment($"{RewindConfigLoader.DefaultFileName}: how Rewind rolls back {config.Service.Name} (written by 'rewind init').");
        yaml.Comment("Every key is described in docs/configuration.md; docs/rewind.schema.json lets an editor check this file.");
        yaml.Comment($"Precedence: command-line flags > this file > {PlaybookDefaults.ClusterVariable}, {PlaybookDefaults.EcsServiceVariable}, {PlaybookDefaults.FamilyVariable} > the playbook's defaults.");
        yaml.Comment("Durations: 90s, 10m, 1h, 1h30m. Relative paths are relative to this file's folder. A section left commented out is not used.");
    }

    private static void WriteService(YamlText yaml, ServiceSection service)
    {
        yaml.Section("The ECS service to roll back (the playbook's Option 1).", "service");
        yaml.Key(1, "name", service.Name, "the ledger's key for this service");
        yaml.Key(1, "cluster", service.Cluster);
        yaml.Key(1, "ecs_service", service.EcsService);
        yaml.Key(1, "family", service.Family, "task definition family");
        yaml.Key(1, "deploy_timeout", ConfigDuration.Format(service.DeployTimeout), "deadline for the ECS rollout");
        yaml.Section("Several services rolled back together: instead of service, one item each (see docs/configuration.md).", "services", commentedOut: true);
    }

    private static void WriteAws(YamlText yaml, AwsSection aws)
    {
        yaml.Section("AWS access; unset keys fall back to --profile/--region/--endpoint-url, then AWS_PROFILE, AWS_REGION, ~/.aws/config.", "aws");
        yaml.Optional(1, "profile", aws.Profile, "prod");
        yaml.Optional(1, "region", aws.Region, "eu-west-1");
        yaml.Optional(1, "endpoint_url", aws.EndpointUrl, "http://127.0.0.1:5000", "an emulator or a VPC endpoint");
        yaml.Optional(1, "role_arn", aws.RoleArn, "arn:aws:iam::123456789012:role/rewind", "assumed through STS for another account");
        yaml.Optional(1, "external_id", aws.ExternalId, "rewind", "only with role_arn", commentedOut: aws.RoleArn is null);
    }

    private static void WriteCanary(YamlText yaml, CanarySection? canary)
    {
        const string ExampleTargetGroup = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/";
        yaml.Blank();
        yaml.Comment("Canary traffic split (the playbook's Option 2): listener_arn or rule_arn, not both, and both target groups.");
        var off = canary is null;
        yaml.Key(0, "canary", null, commentedOut: off);
        if (canary?.RuleArn is { } rule)
        {
            yaml.Key(1, "rule_arn", rule);
        }
        else
        {
            yaml.Key(1, "listener_arn", canary?.ListenerArn
                ?? "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/claude-proxy/0123456789abcdef/0123456789abcdef", commentedOut: off);
        }

        yaml.Key(1, "main_target_group", canary?.MainTargetGroup ?? ExampleTargetGroup + "main/0123456789abcdef", commentedOut: off);
        yaml.Key(1, "canary_target_group", canary?.CanaryTargetGroup ?? ExampleTargetGroup + "canary/fedcba9876543210", commentedOut: off);
    }

    private static void WriteSecrets(YamlText yaml, ValueList<SecretEntry> secrets)
    {
        yaml.Blank();
        yaml.Comment("Secrets Manager secrets the release may rotate; AWSCURRENT moves back before the service restarts.");
        var off = secrets.Count == 0;
        yaml.Key(0, "secrets", null, commentedOut: off);
        foreach (var id in off ? ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:claude-proxy/api-key"] : secrets.Select(s => s.Id))
        {
            yaml.Item(1, "id", id, commentedOut: off);
        }
    }

    private static void WriteCdn(YamlText yaml, CdnSection? cdn)
    {
        yaml.Blank();
        yaml.Comment("CloudFront distribution invalidated after the rollback.");
        var off = cdn is null;
        yaml.Key(0, "cdn", null, commentedOut: off);
        yaml.Key(1, "distribution_id", cdn?.DistributionId ?? "E123ABC", commentedOut: off);
        yaml.Raw(1, "paths", YamlText.FlowList(cdn?.Paths ?? CdnSection.DefaultPaths), "each starts with /", commentedOut: off);
    }

    private static void WriteInfra(YamlText yaml, InfraSection? infra)
    {
        yaml.Blank();
        yaml.Comment("Terraform rolled back with the release; apply needs --live and CONFIRM=true.");
        var off = infra is null;
        var shown = infra ?? InfraSection.Default;
        yaml.Key(0, "infra", null, commentedOut: off);
        yaml.Key(1, "repository", shown.Repository, "a git repository", commentedOut: off);
        yaml.Key(1, "directory", shown.Directory, "inside the repository", commentedOut: off);
        yaml.Raw(1, "max_destroys", shown.MaxDestroys.ToString(CultureInfo.InvariantCulture), "more needs --allow-destroy", commentedOut: off);
    }

    private static void WriteSmoke(YamlText yaml, SmokeSection? smoke)
    {
        yaml.Blank();
        yaml.Comment("Smoke tests after the rollback, as the playbook's smoke_test.sh.");
        var off = smoke is null;
        yaml.Key(0, "smoke", null, commentedOut: off);
        yaml.Key(1, "url", smoke?.Url ?? "http://my-alb-123.eu-west-1.elb.amazonaws.com", commentedOut: off);
        if (smoke?.ApiKeySecret is { } secret)
        {
            yaml.Key(1, "api_key_secret", secret, "a Secrets Manager secret");
        }
        else
        {
            yaml.Optional(1, "api_key_env", smoke?.ApiKeyEnv, "SMOKE_API_KEY", "or api_key_secret: NAME-OR-ARN", commentedOut: off);
        }

        yaml.Raw(1, "retries", (smoke?.Retries ?? PlaybookDefaults.SmokeRetries).ToString(CultureInfo.InvariantCulture), commentedOut: off);
        yaml.Key(1, "timeout", ConfigDuration.Format(smoke?.Timeout ?? PlaybookDefaults.SmokeTimeout), "per request", commentedOut: off);
        yaml.Optional(1, "checks_file", smoke?.ChecksFile, "smoke-checks.yaml", "default: GET /health and POST /api/enqueue", commentedOut: off);
    }

    private static void WriteVerify(YamlText yaml, VerifySection? verify)
    {
        yaml.Blank();
        yaml.Comment("Error-rate verification: the main target group's 5XX rate over the window, and alarms that must be OK.");
        var off = verify is null;
        yaml.Key(0, "verify", null, commentedOut: off);
        yaml.Optional(1, "load_balancer", verify?.LoadBalancer, "app/claude-proxy/0123456789abcdef", "CloudWatch dimension", commentedOut: off);
        yaml.Optional(1, "target_group", verify?.TargetGroup, "targetgroup/main/0123456789abcdef", commentedOut: off);
        yaml.Key(1, "window", ConfigDuration.Format(verify?.Window ?? PlaybookDefaults.VerifyWindow), commentedOut: off);
        yaml.Raw(1, "max_5xx_percent", YamlText.Number(verify?.Max5xxPercent ?? PlaybookDefaults.Max5xxPercent), commentedOut: off);
        yaml.Key(1, "deadline", ConfigDuration.Format(verify?.Deadline ?? PlaybookDefaults.VerifyDeadline), "wait this long for the rate to normalize", commentedOut: off);
        var alarms = verify?.Alarms ?? ValueList<string>.Empty;
        yaml.Raw(1, "alarms", YamlText.FlowList(alarms.Count == 0 ? ValueList.Of("claude-proxy-5xx") : alarms), "must be OK",
            commentedOut: off || alarms.Count == 0);
    }

    private static void WriteIncident(YamlText yaml, IncidentSection incident)
    {
        yaml.Section("The postmortem: owner when --owner is not given, and its deadline.", "incident");
        yaml.Optional(1, "on_call", incident.OnCall, "alice");
        yaml.Key(1, "postmortem_due", ConfigDuration.Format(incident.PostmortemDue), "after the incident opens");
        yaml.Key(1, "severity", incident.Severity);
        yaml.Key(1, "drafts_dir", incident.DraftsDir, "postmortem drafts (.md) and invitations (.ics)");
        yaml.Optional(1, "webhook_env", incident.WebhookEnv, "INCIDENT_WEBHOOK", "variable holding a JSON webhook URL");
        var github = incident.GitHub;
        var shownGitHub = github ?? new GitHubTrackerSection("acme/claude-proxy", PlaybookDefaults.GitHubTokenVariable, ValueList.Of("incident"), null, PlaybookDefaults.GitHubApiUrl);
        yaml.Key(1, "github", null, commentedOut: github is null);
        yaml.Key(2, "repository", shownGitHub.Repository, commentedOut: github is null);
        yaml.Key(2, "token_env", shownGitHub.TokenEnv, "variable holding the token", commentedOut: github is null);
        yaml.Raw(2, "labels", YamlText.FlowList(shownGitHub.Labels), commentedOut: github is null);
        yaml.Optional(2, "assignee", shownGitHub.Assignee, "octocat", "GitHub login", commentedOut: github is null);
        yaml.Key(2, "api_url", shownGitHub.ApiUrl, commentedOut: github is null);
        var jira = incident.Jira;
        var shownJira = jira ?? new JiraTrackerSection("https://example.atlassian.net", "OPS", "Task", "JIRA_EMAIL", "JIRA_API_TOKEN", null);
        yaml.Key(1, "jira", null, commentedOut: jira is null);
        yaml.Key(2, "url", shownJira.Url, commentedOut: jira is null);
        yaml.Key(2, "project", shownJira.Project, commentedOut: jira is null);
        yaml.Key(2, "issue_type", shownJira.IssueType, commentedOut: jira is null);
        yaml.Key(2, "email_env", shownJira.EmailEnv, commentedOut: jira is null);
        yaml.Key(2, "token_env", shownJira.TokenEnv, commentedOut: jira is null);
        yaml.Optional(2, "assignee", shownJira.Assignee, "5b10a2844c20165700ede21g", "account id", commentedOut: jira is null);
    }

    private static void WriteFreeze(YamlText yaml, FreezeSection freeze)
    {
        yaml.Section("The release freeze, published to SSM for pipelines ('rewind freeze check').", "freeze");
        yaml.Key(1, "ssm_parameter", freeze.SsmParameter, $"{PlaybookDefaults.ServicePlaceholder} becomes service.name");
    }

    private static void WriteNotify(YamlText yaml, NotifySection notify)
    {
        yaml.Section("Who is told: each audience needs slack_webhook_env or webhook_env (variables holding the URLs).", "notify");
        WriteTarget(yaml, "team", notify.Team, new NotifyTarget("SLACK_RELEASES_WEBHOOK", null, PlaybookDefaults.ReleasesChannel, true));
        WriteTarget(yaml, "support", notify.Support, new NotifyTarget(null, "SUPPORT_WEBHOOK", null, true));
        WriteTarget(yaml, "customers", notify.Customers, new NotifyTarget(null, "STATUS_PAGE_WEBHOOK", null, false));
    }

    private static void WriteTarget(YamlText yaml, string audience, NotifyTarget? target, NotifyTarget example)
    {
        var off = target is null;
        var shown = target ?? example;
        yaml.Key(1, audience, null, commentedOut: off);
        var upper = audience.ToUpperInvariant();
        yaml.Optional(2, "slack_webhook_env", shown.SlackWebhookEnv, $"SLACK_{upper}_WEBHOOK", commentedOut: off);
        yaml.Optional(2, "webhook_env", shown.WebhookEnv, $"{upper}_WEBHOOK", commentedOut: off);
        yaml.Optional(2, "channel", shown.Channel, $"#{audience}", "Slack channel shown in messages", commentedOut: off);
        yaml.Raw(2, "enabled", shown.Enabled ? "true" : "false", commentedOut: off);
    }

    private static void WriteLedger(YamlText yaml, LedgerSection ledger)
    {
        yaml.Section("Where releases, runs and the journal are kept: sqlite (this machine) or dynamodb (a team).", "ledger");
        yaml.Key(1, "backend", ledger.Backend == LedgerBackend.DynamoDb ? "dynamodb" : "sqlite");
        yaml.Optional(1, "path", ledger.Path, "~/.local/state/rewind/ledger.db", "sqlite; default $XDG_STATE_HOME/rewind/ledger.db");
        yaml.Optional(1, "table", ledger.Table, PlaybookDefaults.LedgerTable, "dynamodb");
    }

    /// <summary>Builds YAML line by line; a commented-out line keeps the indentation it would have.</summary>
    private sealed class YamlText
    {
        private readonly StringBuilder _text = new();

        public static string FlowList(IEnumerable<string> items) => $"[{string.Join(", ", items.Select(Scalar))}]";

        public static string Number(double value)
        {
            var text = value.ToString("R", CultureInfo.InvariantCulture);
            return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
        }

        /// <summary>A plain scalar when that reads back the same, else a double-quoted one.</summary>
        public static string Scalar(string value)
        {
            var plain = value.Length > 0
                && (char.IsAsciiLetterOrDigit(value[0]) || value[0] is '/' or '_' or '.' or '~')
                && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '.' or '-' or ':' or '@' or '~' or '=' or '+')
                && !value.EndsWith(':')
                && !YamlWords.Contains(value.ToLowerInvariant())
                && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
            if (plain)
            {
                return value;
            }

            var quoted = new StringBuilder("\"");
            foreach (var c in value)
            {
                quoted.Append(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                    _ => c.ToString(),
                });
            }

            return quoted.Append('"').ToString();
        }

        public void Blank() => _text.Append('\n');

        public void Comment(string comment) => _text.Append("# ").Append(comment).Append('\n');

        public void Section(string comment, string key, bool commentedOut = false)
        {
            Blank();
            Comment(comment);
            Key(0, key, null, commentedOut: commentedOut);
        }

        /// <summary>A key with a string value (quoted when needed), or a bare key opening a mapping when the value is null.</summary>
        public void Key(int depth, string key, string? value, string? comment = null, bool commentedOut = false) =>
            Raw(depth, key, value is null ? null : Scalar(value), comment, commentedOut);

        /// <summary>A key that is written when set, and shown commented out with an example otherwise.</summary>
        public void Optional(int depth, string key, string? value, string example, string? comment = null, bool commentedOut = false) =>
            Key(depth, key, value ?? example, comment, commentedOut || value is null);

        public void Item(int depth, string key, string value, bool commentedOut) =>
            Line(depth, $"- {key}: {Scalar(value)}", null, commentedOut);

        public void Raw(int depth, string key, string? rawValue, string? comment = null, bool commentedOut = false) =>
            Line(depth, rawValue is null ? $"{key}:" : $"{key}: {rawValue}", comment, commentedOut);

        public override string ToString() => _text.ToString().TrimStart('\n');

        private void Line(int depth, string content, string? comment, bool commentedOut)
        {
            var line = (commentedOut && depth == 0 ? "# " : string.Empty)
                + new string(' ', depth * 2)
                + (commentedOut && depth > 0 ? "# " : string.Empty)
                + content;
            if (comment is not null)
            {
                line = line.PadRight(CommentColumn - 1) + " # " + comment;
            }

            _text.Append(line).Append('\n');
        }
    }
}
