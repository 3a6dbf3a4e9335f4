using System.Collections.Frozen;
using Rewind.Core.Rules;

namespace Rewind.Core.Configuration;

/// <summary>Reads <c>rewind.yaml</c> into a <see cref="RewindConfig"/>, without reflection, or fails with one clear line.</summary>
public static class RewindConfigLoader
{
    /// <summary>The file <c>rewind init</c> writes and every command reads when <c>--config</c> is not given.</summary>
    public const string DefaultFileName = "rewind.yaml";

    /// <summary>
    /// The keys each section accepts, by section path (<see cref="ConfigKeys.KnownKeys"/>, derived from the one table of
    /// keys; the JSON Schema and the docs are checked against that table in the tests).
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> KnownKeys => ConfigKeys.KnownKeys;

    /// <summary>
    /// Reads and parses the file at <paramref name="path"/> as one service: the file's only service, or bad input naming
    /// them when it has several (<see cref="LoadFleet"/> reads them all). A missing file says how to create one.
    /// </summary>
    public static RewindConfig Load(string path, Func<string, string?> environment) => LoadFleet(path, environment).OnlyService;

    /// <summary>
    /// Reads and parses the file at <paramref name="path"/>; a missing file says how to create one. A relative path in it
    /// (<c>infra.repository</c>, <c>smoke.checks_file</c>, <c>incident.drafts_dir</c>, <c>ledger.path</c>) is relative to the file's folder.
    /// </summary>
    public static RewindFleet LoadFleet(string path, Func<string, string?> environment)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(environment);
        string yaml;
        try
        {
            if (Directory.Exists(path))
            {
                throw new ConfigException(path, null, null, null, "is a directory: pass the configuration file itself with --config PATH");
            }

            yaml = ConfigFileText.Read(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw ConfigException.NotFound(path, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, null, null, null, $"cannot be read ({e.Message.TrimEnd('.')}): check its permissions", e);
        }

        return Parse(yaml, new ConfigSource(path, environment, Path.GetDirectoryName(Path.GetFullPath(path))));
    }

    /// <summary>
    /// Parses configuration text as one service (see <see cref="Load"/>); <paramref name="sourceName"/> names it in errors,
    /// <paramref name="environment"/> supplies the variables. Text has no folder, so its relative paths stay relative to
    /// the working directory (as the playbook's defaults are).
    /// </summary>
    public static RewindConfig Parse(string yaml, string sourceName, Func<string, string?> environment) =>
        ParseFleet(yaml, sourceName, environment).OnlyService;

    /// <summary>Parses configuration text into every service it describes (see <see cref="Parse(string, string, Func{string, string?})"/>).</summary>
    public static RewindFleet ParseFleet(string yaml, string sourceName, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        ArgumentNullException.ThrowIfNull(environment);
        return Parse(yaml, new ConfigSource(sourceName, environment));
    }

    private static RewindFleet Parse(string yaml, ConfigSource source)
    {
        var root = ConfigSection.Open(source, string.Empty, string.Empty, ConfigDocument.Read(yaml, source.Name));
        var fleet = root.Contains("services");
        if (fleet && root.Contains("service"))
        {
            throw root.KeyError("service", "service and services cannot both be set: make service an item of services (with a name), or remove services");
        }

        if (fleet && ConfigKeys.PerServiceSections.FirstOrDefault(root.Contains) is { } perService)
        {
            throw root.KeyError(perService,
                $"{perService} is per service when services is set: move it into the services it belongs to, as services[N].{perService}");
        }

        // The service is read first: its defaults read CLUSTER_NAME, SERVICE_NAME_API and TASK_FAMILY, as the playbook does.
        var service = fleet ? ServiceSection.Default : ReadService(Section(source, root, "service"));
        var shared = new RewindConfig(
            service,
            ReadAws(Section(source, root, "aws")),
            Canary: null,
            ValueList<SecretEntry>.Empty,
            root.Contains("cdn") ? ReadCdn(Section(source, root, "cdn")) : null,
            root.Contains("infra") ? ReadInfra(Section(source, root, "infra")) : null,
            Smoke: null,
            Verify: null,
            ReadIncident(source, Section(source, root, "incident")),
            ReadFreeze(Section(source, root, "freeze")),
            ReadNotify(source, Section(source, root, "notify")),
            ReadLedger(Section(source, root, "ledger")));
        return fleet
            ? FleetReader.Read(source, root, shared)
            : new RewindFleet(source.Name, ValueList.Of(new FleetService(WithServiceSections(source, root, shared), ValueList<string>.Empty)));
    }

    /// <summary>The service's own sections (canary, secrets, smoke, verify) read from <paramref name="section"/> into the shared view.</summary>
    private static RewindConfig WithServiceSections(ConfigSource source, ConfigSection section, RewindConfig shared) => shared with
    {
        Canary = section.Contains("canary") ? ReadCanary(Section(source, section, "canary")) : null,
        Secrets = ReadSecrets(source, section),
        Smoke = section.Contains("smoke") ? ReadSmoke(source, Section(source, section, "smoke")) : null,
        Verify = section.Contains("verify") ? ReadVerify(Section(source, section, "verify")) : null,
    };

    /// <summary>One item of <c>services</c> (its section already opened): the service, its AWS access and its own sections.</summary>
    internal static RewindConfig ReadServiceItem(ConfigSource source, ConfigSection item, RewindConfig shared)
    {
        // A service's own role does not take the shared role's external id; its own external_id may go with either.
        var role = RoleArn(item);
        var aws = shared.Aws with
        {
            Profile = Profile(item, "profile") ?? shared.Aws.Profile,
            Region = Region(item, "region") ?? shared.Aws.Region,
            RoleArn = role ?? shared.Aws.RoleArn,
            ExternalId = ExternalId(item, sharedRole: shared.Aws.RoleArn is not null) ?? (role is null ? shared.Aws.ExternalId : null),
        };
        return WithServiceSections(source, item, shared) with { Service = ReadService(item), Aws = aws };
    }

    internal static ConfigSection Section(ConfigSource source, ConfigSection parent, string key) =>
        ConfigSection.Open(source, parent.KeyPath(key), parent.SchemaKeyPath(key), parent.Value(key));

    private static ServiceSection ReadService(ConfigSection section)
    {
        var cluster = section.String("cluster") is { } c
            ? CheckEcsName(section, "cluster", c, isArn: ConfigRules.EcsClusterArn().IsMatch(c), "cluster")
            : FromEnvironment(section, "cluster", PlaybookDefaults.ClusterVariable, PlaybookDefaults.Cluster, ConfigRules.EcsName().IsMatch);
        var ecsService = section.String("ecs_service") is { } s
            ? CheckEcsName(section, "ecs_service", s, isArn: ConfigRules.EcsServiceArn().IsMatch(s), "service")
            : FromEnvironment(section, "ecs_service", PlaybookDefaults.EcsServiceVariable, PlaybookDefaults.EcsService, ConfigRules.EcsName().IsMatch);
        var family = section.String("family") is { } f
            ? CheckEcsName(section, "family", f, isArn: false, "task definition family")
            : FromEnvironment(section, "family", PlaybookDefaults.FamilyVariable, PlaybookDefaults.Family, ConfigRules.EcsName().IsMatch);
        var name = section.String("name") ?? family;
        if (!ConfigRules.ServiceName().IsMatch(name))
        {
            throw section.Has("name")
                ? section.Error("name", $"{section.KeyPath("name")} '{name}' must be a name without spaces: letters, digits, '-', '_' and '.'")
                : section.Error("family", $"{section.KeyPath("family")} '{name}' cannot name the service: set {section.KeyPath("name")} (letters, digits, '-', '_' and '.')");
        }

        return new ServiceSection(
            name,
            cluster,
            ecsService,
            family,
            section.Duration("deploy_timeout", TimeSpan.FromSeconds(1)) ?? PlaybookDefaults.DeployTimeout,
            CodeDeployName(section, "codedeploy_application", "application"),
            CodeDeployName(section, "codedeploy_group", "deployment group"));
    }

    /// <summary>A CodeDeploy application or deployment group name: 1 to 100 characters, as CodeDeploy takes them.</summary>
    private static string? CodeDeployName(ConfigSection section, string key, string what) =>
        section.String(key) switch
        {
            null => null,
            { Length: >= 1 and <= 100 } name when name.Trim() == name => name,
            var name => throw section.Error(key, $"{section.KeyPath(key)} '{name}' is not a CodeDeploy {what} name: 1 to 100 characters without leading or trailing spaces"),
        };

    private static string CheckEcsName(ConfigSection section, string key, string value, bool isArn, string what)
    {
        if (isArn || ConfigRules.EcsName().IsMatch(value))
        {
            return value;
        }

        throw section.Error(key,
            $"{section.KeyPath(key)} '{value}' is not an ECS {what} name: use letters, digits, '-' and '_' (up to 255){(key == "family" ? string.Empty : ", or its ARN")}");
    }

    // The playbook's scripts read CLUSTER_NAME, SERVICE_NAME_API and TASK_FAMILY instead of their built-in defaults;
    // here they do the same, and a value written in the file wins over both.
    private static string FromEnvironment(ConfigSection section, string key, string variable, string playbookDefault, Func<string, bool> isValid)
    {
        if (section.Variable(variable) is { } value)
        {
            return isValid(value)
                ? value
                : throw section.Error(key,
                    $"{variable}='{value}' from the environment is not a valid service.{key}: fix the variable, or set service.{key} in the file");
        }

        return playbookDefault;
    }

    private static AwsSection ReadAws(ConfigSection section)
    {
        var endpoint = section.String("endpoint_url");
        if (UrlCredentials.In(endpoint))
        {
            throw section.Error("endpoint_url", $"{UrlCredentials.Problem("aws.endpoint_url")}: AWS credentials go in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or a profile (aws.profile), never in the URL");
        }

        if (endpoint is not null && !ConfigRules.IsHttpUrl(endpoint))
        {
            throw section.Error("endpoint_url", $"aws.endpoint_url '{endpoint}' is not an http or https URL: write it in full, such as http://127.0.0.1:5000");
        }

        return new AwsSection(Profile(section, "profile"), Region(section, "region"), endpoint)
        {
            RoleArn = RoleArn(section),
            ExternalId = ExternalId(section, sharedRole: false),
        };
    }

    private static string? Profile(ConfigSection section, string key)
    {
        var profile = section.String(key);
        return profile is not null && ConfigRules.HasWhitespace(profile)
            ? throw section.Error(key, $"{section.KeyPath(key)} '{profile}' must be a profile name without spaces, as in ~/.aws/config")
            : profile;
    }

    private static string? Region(ConfigSection section, string key)
    {
        var region = section.String(key);
        return region is not null && !ConfigRules.Region().IsMatch(region)
            ? throw section.Error(key, $"{section.KeyPath(key)} '{region}' is not an AWS region: use a code such as eu-west-1")
            : region;
    }

    private static string? RoleArn(ConfigSection section)
    {
        var role = section.String("role_arn");
        return role is not null && !ConfigRules.RoleArn().IsMatch(role)
            ? throw section.Error("role_arn", $"{section.KeyPath("role_arn")} '{role}' is not an IAM role ARN: write arn:aws:iam::ACCOUNT:role/NAME")
            : role;
    }

    private static string? ExternalId(ConfigSection section, bool sharedRole)
    {
        var id = section.String("external_id");
        if (id is null)
        {
            return null;
        }

        if (!section.Has("role_arn") && !sharedRole)
        {
            throw section.KeyError("external_id", $"{section.KeyPath("external_id")} is only used with role_arn: set {section.KeyPath("role_arn")}, or remove it");
        }

        return ConfigRules.ExternalId().IsMatch(id)
            ? id
            : throw section.Error("external_id", $"{section.KeyPath("external_id")} is not an STS external id: 2 to 1224 letters, digits and +=,.@:/_-");
    }

    private static CanarySection ReadCanary(ConfigSection section)
    {
        var listener = section.String("listener_arn");
        var rule = section.String("rule_arn");
        if (listener is not null && rule is not null)
        {
            throw section.Whole("canary needs listener_arn or rule_arn, not both");
        }

        if (listener is null && rule is null)
        {
            throw section.Whole("canary needs listener_arn or rule_arn: the listener whose default action splits traffic, or the rule that does");
        }

        if (listener is not null && !ConfigRules.ListenerArn().IsMatch(listener))
        {
            throw section.Error("listener_arn",
                $"canary.listener_arn '{listener}' is not a load balancer listener ARN: copy it from 'aws elbv2 describe-listeners' (arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener/app/NAME/ID/ID)");
        }

        if (rule is not null && !ConfigRules.RuleArn().IsMatch(rule))
        {
            throw section.Error("rule_arn",
                $"canary.rule_arn '{rule}' is not a listener rule ARN: copy it from 'aws elbv2 describe-rules' (arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener-rule/app/NAME/ID/ID/ID)");
        }

        var main = TargetGroupArn(section, "main_target_group");
        var canary = TargetGroupArn(section, "canary_target_group");
        if (string.Equals(main, canary, StringComparison.Ordinal))
        {
            throw section.Error("canary_target_group", "canary.canary_target_group is the same as canary.main_target_group: the canary needs its own target group");
        }

        return new CanarySection(listener, rule, main, canary);
    }

    private static string TargetGroupArn(ConfigSection section, string key)
    {
        var value = section.String(key) ?? throw section.Whole($"canary.{key} is required when canary is set");
        return ConfigRules.TargetGroupArn().IsMatch(value)
            ? value
            : throw section.Error(key,
                $"canary.{key} '{value}' is not a target group ARN: copy it from 'aws elbv2 describe-target-groups' (arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID)");
    }

    private static ValueList<SecretEntry> ReadSecrets(ConfigSource source, ConfigSection parent)
    {
        if (parent.Value("secrets") is not { } node)
        {
            return ValueList<SecretEntry>.Empty;
        }

        var list = parent.KeyPath("secrets");
        if (node is not ConfigSequence sequence)
        {
            throw source.At(node, list, $"{list} must be a list such as '- id: NAME-OR-ARN', not {node.Kind}");
        }

        var secrets = new List<SecretEntry>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var item = sequence.Items[i];
            if (item is not ConfigMapping)
            {
                throw source.At(item, $"{list}[{i}]", $"{list}[{i}] must be a mapping such as '- id: NAME-OR-ARN', not {item.Kind}");
            }

            var section = ConfigSection.Open(source, $"{list}[{i}]", parent.SchemaKeyPath("secrets[]"), item);
            var id = section.String("id") ?? throw source.At(item, $"{list}[{i}].id", $"{list}[{i}].id is required: the secret's name or ARN");
            var valid = id.StartsWith("arn:", StringComparison.Ordinal) ? ConfigRules.SecretArn().IsMatch(id) : ConfigRules.SecretName().IsMatch(id);
            if (!valid)
            {
                throw section.Error("id", $"{list}[{i}].id '{id}' is not a Secrets Manager secret name or ARN: copy it from 'aws secretsmanager list-secrets'");
            }

            if (secrets.Contains(new SecretEntry(id)))
            {
                throw section.Error("id", $"{list}[{i}].id '{id}' is listed twice: keep one");
            }

            secrets.Add(new SecretEntry(id));
        }

        return new ValueList<SecretEntry>(secrets);
    }

    private static CdnSection ReadCdn(ConfigSection section)
    {
        var id = section.String("distribution_id") ?? throw section.Whole("cdn.distribution_id is required when cdn is set: the CloudFront distribution id, such as E123ABC");
        if (!ConfigRules.DistributionId().IsMatch(id))
        {
            throw section.Error("distribution_id",
                $"cdn.distribution_id '{id}' is not a CloudFront distribution id: copy it from 'aws cloudfront list-distributions' (capital letters and digits, such as E123ABC)");
        }

        var paths = section.StringList("paths", "[\"/*\"]", (path, node, key) =>
            InvalidationPaths.Problem(path) is { } problem ? throw section.At(node, key, $"{key} '{path}' {problem}") : path);
        if (paths is { Count: 0 })
        {
            throw section.Error("paths", "cdn.paths is empty: list at least one path, such as [\"/*\"]");
        }

        return new CdnSection(id, paths ?? CdnSection.DefaultPaths);
    }

    private static InfraSection ReadInfra(ConfigSection section)
    {
        var repository = section.FilePath("repository", PlaybookDefaults.InfraRepository);
        var directory = section.String("directory") ?? PlaybookDefaults.InfraDirectory;
        var segments = directory.Split('/', '\\');
        if (Path.IsPathRooted(directory) || directory.StartsWith('~') || segments.Contains(".."))
        {
            throw section.Error("directory", $"infra.directory '{directory}' must be a path inside infra.repository, such as infra/terraform (not absolute, no '..')");
        }

        return new InfraSection(repository, directory, section.Integer("max_destroys", 0, 10_000) ?? PlaybookDefaults.MaxDestroys);
    }

    private static SmokeSection ReadSmoke(ConfigSource source, ConfigSection section)
    {
        var url = section.String("url") ?? throw section.Whole("smoke.url is required when smoke is set: the service's base URL, such as http://my-alb-123.eu-west-1.elb.amazonaws.com");
        if (UrlCredentials.In(url))
        {
            throw section.Error("url", $"{UrlCredentials.Problem("smoke.url")}: put the token in a header (smoke.checks[].headers) or the API key in the variable smoke.api_key_env names, and write the URL without user:password@");
        }

        if (!ConfigRules.IsHttpUrl(url))
        {
            throw section.Error("url", $"smoke.url '{url}' is not an http or https URL: write it in full, such as http://my-alb-123.eu-west-1.elb.amazonaws.com");
        }

        var keyEnv = EnvironmentVariableName(section, "api_key_env");
        var keySecret = section.String("api_key_secret");
        if (keyEnv is not null && keySecret is not null)
        {
            throw section.Whole("smoke needs api_key_env or api_key_secret, not both");
        }

        if (keySecret is not null
            && !(keySecret.StartsWith("arn:", StringComparison.Ordinal) ? ConfigRules.SecretArn() : ConfigRules.SecretName()).IsMatch(keySecret))
        {
            throw section.Error("api_key_secret", $"smoke.api_key_secret '{keySecret}' is not a Secrets Manager secret name or ARN: copy it from 'aws secretsmanager list-secrets'");
        }

        if (section.Has("checks") && section.Has("checks_file"))
        {
            throw section.Whole("smoke needs checks or checks_file, not both");
        }

        var checksFile = section.String("checks_file");
        var checks = section.Value("checks") is { } inline
            ? SmokeCheckReader.Read(source, inline, section.KeyPath("checks"))
            : checksFile is not null
                ? SmokeCheckReader.Load(section.FilePath("checks_file")!)
                : SmokeCheck.Defaults;
        return new SmokeSection(
            url,
            keyEnv,
            keySecret,
            section.Integer("retries", 0, 100) ?? PlaybookDefaults.SmokeRetries,
            section.Duration("timeout", TimeSpan.FromSeconds(1)) ?? PlaybookDefaults.SmokeTimeout)
        {
            Checks = checks,
            ChecksFile = checksFile,
            Backoff = section.Duration("backoff", TimeSpan.Zero) ?? PlaybookDefaults.SmokeBackoff,
        };
    }

    private static VerifySection ReadVerify(ConfigSection section)
    {
        var loadBalancer = Dimension(section, "load_balancer", ConfigRules.LoadBalancerDimension(), ConfigRules.LoadBalancerArn(),
            "is not a load balancer: write the CloudWatch dimension app/NAME/ID or the load balancer's ARN");
        var targetGroup = Dimension(section, "target_group", ConfigRules.TargetGroupDimension(), ConfigRules.TargetGroupArn(),
            "is not a target group: write the CloudWatch dimension targetgroup/NAME/ID or the target group's ARN");
        var alarms = section.StringList("alarms", "[my-service-5xx]", (alarm, _, _) => alarm) ?? ValueList<string>.Empty;
        if (loadBalancer is not null && targetGroup is null)
        {
            throw section.Whole("verify.target_group is required with verify.load_balancer: the main target group's dimension, targetgroup/NAME/ID");
        }

        if (targetGroup is not null && loadBalancer is null)
        {
            throw section.Whole("verify.load_balancer is required with verify.target_group: the load balancer's dimension, app/NAME/ID");
        }

        if (loadBalancer is null && alarms.Count == 0)
        {
            throw section.Whole("verify needs load_balancer and target_group, or alarms: say what to measure");
        }

        return new VerifySection(
            loadBalancer,
            targetGroup,
            section.Duration("window", TimeSpan.FromMinutes(1)) ?? PlaybookDefaults.VerifyWindow,
            section.Number("max_5xx_percent", 0, 100) ?? PlaybookDefaults.Max5xxPercent,
            alarms)
        {
            Deadline = section.Duration("deadline", TimeSpan.Zero) ?? PlaybookDefaults.VerifyDeadline,
            BaselineTolerancePercent = section.Number("baseline_tolerance_percent", 0, 100) ?? PlaybookDefaults.BaselineTolerancePercent,
        };
    }

    // Accepts the dimension as CloudWatch spells it, or the resource's ARN (what people copy from the console).
    private static string? Dimension(ConfigSection section, string key, System.Text.RegularExpressions.Regex dimension, System.Text.RegularExpressions.Regex arn, string problem)
    {
        if (section.String(key) is not { } value)
        {
            return null;
        }

        if (dimension.IsMatch(value))
        {
            return value;
        }

        var match = arn.Match(value);
        return match.Success ? match.Groups["dimension"].Value : throw section.Error(key, $"verify.{key} '{value}' {problem}");
    }

    private static IncidentSection ReadIncident(ConfigSource source, ConfigSection section)
    {
        var severity = section.String("severity") ?? PlaybookDefaults.Severity;
        if (ConfigRules.HasWhitespace(severity))
        {
            throw section.Error("severity", $"incident.severity '{severity}' must be one word, such as SEV2");
        }

        return new IncidentSection(
            section.String("on_call"),
            section.Duration("postmortem_due", TimeSpan.FromMinutes(1)) ?? PlaybookDefaults.PostmortemDue,
            severity,
            section.Contains("github") ? ReadGitHub(Section(source, section, "github")) : null,
            section.Contains("jira") ? ReadJira(Section(source, section, "jira")) : null,
            EnvironmentVariableName(section, "webhook_env"),
            section.FilePath("drafts_dir", PlaybookDefaults.DraftsDir));
    }

    private static GitHubTrackerSection ReadGitHub(ConfigSection section)
    {
        var repository = section.String("repository")
            ?? throw section.Whole("incident.github needs repository: the issues' repository as owner/name");
        if (repository.Split('/') is not [{ Length: > 0 }, { Length: > 0 }] || ConfigRules.HasWhitespace(repository))
        {
            throw section.Error("repository", $"incident.github.repository '{repository}' is not owner/name, such as acme/claude-proxy");
        }

        var apiUrl = section.String("api_url") ?? PlaybookDefaults.GitHubApiUrl;
        if (UrlCredentials.In(apiUrl))
        {
            throw section.Error("api_url", $"{UrlCredentials.Problem("incident.github.api_url")}: the token goes in the variable incident.github.token_env names, never in the URL");
        }

        if (!ConfigRules.IsHttpUrl(apiUrl))
        {
            throw section.Error("api_url", $"incident.github.api_url '{apiUrl}' is not an http(s) URL: use https://api.github.com or https://HOST/api/v3");
        }

        var labels = section.StringList("labels", "[incident, postmortem]", (label, node, path) =>
            label.Contains(',', StringComparison.Ordinal) ? throw section.At(node, path, $"{path} '{label}' must not contain a comma") : label);
        return new GitHubTrackerSection(
            repository,
            EnvironmentVariableName(section, "token_env") ?? PlaybookDefaults.GitHubTokenVariable,
            labels ?? ValueList<string>.Empty,
            section.String("assignee"),
            apiUrl.TrimEnd('/'));
    }

    private static JiraTrackerSection ReadJira(ConfigSection section)
    {
        var url = section.String("url") ?? throw section.Whole("incident.jira needs url: the site, such as https://example.atlassian.net");
        if (UrlCredentials.In(url))
        {
            throw section.Error("url", $"{UrlCredentials.Problem("incident.jira.url")}: the e-mail and token go in the variables incident.jira.email_env and token_env name, never in the URL");
        }

        if (!ConfigRules.IsHttpUrl(url))
        {
            throw section.Error("url", $"incident.jira.url '{url}' is not an http(s) URL such as https://example.atlassian.net");
        }

        var project = section.String("project") ?? throw section.Whole("incident.jira needs project: the project key, such as OPS");
        if (ConfigRules.HasWhitespace(project))
        {
            throw section.Error("project", $"incident.jira.project '{project}' must be a project key without spaces, such as OPS");
        }

        return new JiraTrackerSection(
            url.TrimEnd('/'),
            project,
            section.String("issue_type") ?? "Task",
            EnvironmentVariableName(section, "email_env") ?? throw section.Whole("incident.jira needs email_env: the environment variable holding the account's e-mail"),
            EnvironmentVariableName(section, "token_env") ?? throw section.Whole("incident.jira needs token_env: the environment variable holding the API token"),
            section.String("assignee"));
    }

    private static FreezeSection ReadFreeze(ConfigSection section)
    {
        var parameter = section.String("ssm_parameter") ?? PlaybookDefaults.FreezeParameter;
        if (!ConfigRules.SsmParameter().IsMatch(parameter))
        {
            throw section.Error("ssm_parameter",
                $"freeze.ssm_parameter '{parameter}' is not an SSM parameter path: start with '/', use letters, digits, '_', '.', '-', '/' and {PlaybookDefaults.ServicePlaceholder}");
        }

        return new FreezeSection(parameter);
    }

    private static NotifySection ReadNotify(ConfigSource source, ConfigSection section)
    {
        NotifyTarget? Target(string audience)
        {
            if (!section.Contains(audience))
            {
                return null;
            }

            var target = Section(source, section, audience);
            var slack = EnvironmentVariableName(target, "slack_webhook_env");
            var webhook = EnvironmentVariableName(target, "webhook_env");
            if (slack is null && webhook is null)
            {
                throw target.Whole($"notify.{audience} needs slack_webhook_env or webhook_env: the environment variable holding the webhook URL");
            }

            var channel = target.String("channel");
            if (channel is not null && ConfigRules.HasWhitespace(channel))
            {
                throw target.Error("channel", $"notify.{audience}.channel '{channel}' must be a channel name without spaces, such as #releases");
            }

            return new NotifyTarget(
                slack,
                webhook,
                channel ?? (audience == "team" ? PlaybookDefaults.ReleasesChannel : null),
                target.Boolean("enabled") ?? true);
        }

        return new NotifySection(Target("team"), Target("support"), Target("customers"));
    }

    private static LedgerSection ReadLedger(ConfigSection section)
    {
        var backend = section.String("backend") switch
        {
            null or "sqlite" => LedgerBackend.Sqlite,
            "dynamodb" => LedgerBackend.DynamoDb,
            var other => throw section.Error("backend", $"ledger.backend '{other}' is not a ledger backend: use sqlite or dynamodb"),
        };
        var path = section.String("path");
        var table = section.String("table");
        if (backend == LedgerBackend.Sqlite && table is not null)
        {
            throw section.KeyError("table", "ledger.table is only used with backend dynamodb: remove it, or set ledger.backend: dynamodb");
        }

        if (backend == LedgerBackend.DynamoDb && path is not null)
        {
            throw section.KeyError("path", "ledger.path is only used with backend sqlite: remove it, or set ledger.backend: sqlite");
        }

        if (backend == LedgerBackend.DynamoDb && table is null)
        {
            throw section.Whole($"ledger.table is required when ledger.backend is dynamodb: the table name, such as {PlaybookDefaults.LedgerTable}");
        }

        if (table is not null && !ConfigRules.DynamoDbTable().IsMatch(table))
        {
            throw section.Error("table", $"ledger.table '{table}' is not a DynamoDB table name: 3 to 255 letters, digits, '_', '.' and '-'");
        }

        return new LedgerSection(backend, path is null ? null : section.FilePath("path"), table);
    }

    private static string? EnvironmentVariableName(ConfigSection section, string key)
    {
        var name = section.String(key);
        return name is null || ConfigRules.EnvironmentVariable().IsMatch(name)
            ? name
            : throw section.Error(key, $"{section.KeyPath(key)} '{name}' is not an environment variable name: letters, digits and '_', such as SMOKE_API_KEY");
    }
}
