using Rewind.Core.Configuration;
using Xunit;

namespace Rewind.Core.Tests.Configuration;

/// <summary>Configuration texts and helpers shared by the configuration tests.</summary>
internal static class ConfigFixtures
{
    public const string Source = "rewind.yaml";

    public const string Home = "/home/oncall";

    /// <summary>Every section and key set, as a team running the playbook would write it.</summary>
    public const string FullExample = """
        # rewind.yaml
        service:
          name: claude-proxy-api
          cluster: claude-proxy-prod
          ecs_service: api-service
          family: claude-proxy-api
          deploy_timeout: 15m
        aws:
          profile: prod
          region: eu-west-1
          endpoint_url: http://127.0.0.1:5000
        canary:
          listener_arn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/claude-proxy/0123456789abcdef/0123456789abcdef
          main_target_group: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/main/0123456789abcdef
          canary_target_group: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/canary/fedcba9876543210
        secrets:
          - id: claude-proxy/api-key
          - id: arn:aws:secretsmanager:eu-west-1:123456789012:secret:claude-proxy/db-AbCdEf
        cdn:
          distribution_id: E123ABC
          paths: ["/*", "/api/*"]
        infra:
          repository: ~/src/claude-proxy
          directory: infra/terraform
          max_destroys: 1
        smoke:
          url: http://my-alb-123.eu-west-1.elb.amazonaws.com
          api_key_env: SMOKE_API_KEY
          retries: 5
          timeout: 1m30s
        verify:
          load_balancer: app/claude-proxy/0123456789abcdef
          target_group: targetgroup/main/0123456789abcdef
          window: 5m
          max_5xx_percent: 0.5
          alarms: [claude-proxy-5xx, "api latency: p99"]
        incident:
          on_call: alice
          postmortem_due: 24h
        freeze:
          ssm_parameter: /platform/{service}/release-freeze
        notify:
          team: { slack_webhook_env: SLACK_RELEASES_WEBHOOK, channel: "#releases" }
          support: { webhook_env: SUPPORT_WEBHOOK }
          customers: { webhook_env: STATUS_PAGE_WEBHOOK, enabled: false }
        ledger:
          backend: sqlite
          path: ~/.local/state/rewind/ledger.db
        """;

    public const string ListenerArn =
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/claude-proxy/0123456789abcdef/0123456789abcdef";

    public const string MainTargetGroup =
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/main/0123456789abcdef";

    public const string CanaryTargetGroup =
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/canary/fedcba9876543210";

    /// <summary>Only HOME is set, so <c>~</c> expands and no playbook variable interferes.</summary>
    public static Func<string, string?> Environment(params (string Name, string Value)[] variables)
    {
        var all = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        all.TryAdd("HOME", Home);
        return name => all.TryGetValue(name, out var value) ? value : null;
    }

    public static RewindConfig Parse(string yaml, Func<string, string?>? environment = null) =>
        RewindConfigLoader.Parse(yaml, Source, environment ?? Environment());

    public static ConfigException ParseError(string yaml, Func<string, string?>? environment = null) =>
        Assert.Throws<ConfigException>(() => Parse(yaml, environment));

    /// <summary>The repository root, found from the test binary's directory (for docs/rewind.schema.json).</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Rewind.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Rewind.slnx above {AppContext.BaseDirectory}");
    }
}
