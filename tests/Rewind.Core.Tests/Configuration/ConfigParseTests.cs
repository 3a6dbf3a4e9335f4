using Rewind.Core.Configuration;
using Xunit;
using static Rewind.Core.Tests.Configuration.ConfigFixtures;

namespace Rewind.Core.Tests.Configuration;

public sealed class ConfigParseTests
{
    [Fact]
    public void Given_the_full_example_when_parsed_then_every_key_lands_in_its_field()
    {
        var config = Parse(FullExample);

        Assert.Equal(new ServiceSection("claude-proxy-api", "claude-proxy-prod", "api-service", "claude-proxy-api", TimeSpan.FromMinutes(15)), config.Service);
        Assert.Equal(new AwsSection("prod", "eu-west-1", "http://127.0.0.1:5000"), config.Aws);
        Assert.Equal(new CanarySection(ListenerArn, null, MainTargetGroup, CanaryTargetGroup), config.Canary);
        Assert.Equal(
            [new SecretEntry("claude-proxy/api-key"), new SecretEntry("arn:aws:secretsmanager:eu-west-1:123456789012:secret:claude-proxy/db-AbCdEf")],
            config.Secrets);
        Assert.Equal(new CdnSection("E123ABC", ValueList.Of("/*", "/api/*")), config.Cdn);
        Assert.Equal(new InfraSection("/home/oncall/src/claude-proxy", "infra/terraform", 1), config.Infra);
        Assert.Equal(new SmokeSection("http://my-alb-123.eu-west-1.elb.amazonaws.com", "SMOKE_API_KEY", null, 5, TimeSpan.FromSeconds(90)), config.Smoke);
        Assert.Equal(
            new VerifySection("app/claude-proxy/0123456789abcdef", "targetgroup/main/0123456789abcdef", TimeSpan.FromMinutes(5), 0.5,
                ValueList.Of("claude-proxy-5xx", "api latency: p99")),
            config.Verify);
        Assert.Equal(new IncidentSection("alice", TimeSpan.FromHours(24)), config.Incident);
        Assert.Equal("/platform/claude-proxy-api/release-freeze", config.FreezeParameterName);
        Assert.Equal(new NotifyTarget("SLACK_RELEASES_WEBHOOK", null, "#releases", true), config.Notify.Team);
        Assert.Equal(new NotifyTarget(null, "SUPPORT_WEBHOOK", null, true), config.Notify.Support);
        Assert.Equal(new NotifyTarget(null, "STATUS_PAGE_WEBHOOK", null, false), config.Notify.Customers);
        Assert.Equal(new LedgerSection(LedgerBackend.Sqlite, "/home/oncall/.local/state/rewind/ledger.db", null), config.Ledger);
    }

    [Fact]
    public void Given_a_canary_on_a_listener_rule_and_a_dynamodb_ledger_when_parsed_then_both_are_kept()
    {
        var config = Parse($"""
            canary:
              rule_arn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/claude-proxy/0123456789abcdef/0123456789abcdef/00112233aabbccdd
              main_target_group: {MainTargetGroup}
              canary_target_group: {CanaryTargetGroup}
            ledger:
              backend: dynamodb
              table: rewind-ledger
            """);

        Assert.Null(config.Canary!.ListenerArn);
        Assert.EndsWith("/00112233aabbccdd", config.Canary.RuleArn, StringComparison.Ordinal);
        Assert.Equal(new LedgerSection(LedgerBackend.DynamoDb, null, "rewind-ledger"), config.Ledger);
    }

    [Fact]
    public void Given_the_codedeploy_application_and_group_when_parsed_then_both_are_kept_and_left_out_they_are_null()
    {
        var config = Parse("service:\n  codedeploy_application: shop\n  codedeploy_group: shop-api-dg\n");

        Assert.Equal(("shop", "shop-api-dg"), (config.Service.CodeDeployApplication, config.Service.CodeDeployGroup));
        var unset = Parse("service:\n  cluster: prod\n").Service;
        Assert.Equal((null, null), (unset.CodeDeployApplication, unset.CodeDeployGroup));
    }

    [Theory]
    [InlineData("codedeploy_application", "application")]
    [InlineData("codedeploy_group", "deployment group")]
    public void Given_a_codedeploy_name_longer_than_CodeDeploy_takes_when_parsed_then_it_is_refused_naming_the_key(string key, string what)
    {
        var name = new string('a', 101);

        var error = ParseError($"service:\n  {key}: {name}\n");

        Assert.Equal(
            $"service.{key} '{name}' is not a CodeDeploy {what} name: 1 to 100 characters without leading or trailing spaces",
            error.Problem);
        var longest = Parse($"service:\n  {key}: {new string('b', 100)}\n").Service;
        Assert.Equal(new string('b', 100), key == "codedeploy_group" ? longest.CodeDeployGroup : longest.CodeDeployApplication);
    }

    [Fact]
    public void Given_verify_dimensions_written_as_arns_when_parsed_then_the_cloudwatch_dimensions_are_kept()
    {
        var config = Parse("""
            verify:
              load_balancer: arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/claude-proxy/0123456789abcdef
              target_group: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/main/0123456789abcdef
            """);

        Assert.Equal("app/claude-proxy/0123456789abcdef", config.Verify!.LoadBalancer);
        Assert.Equal("targetgroup/main/0123456789abcdef", config.Verify.TargetGroup);
        Assert.Equal(1.0, config.Verify.Max5xxPercent);
    }

    [Fact]
    public void Given_a_tilde_path_when_parsed_then_it_expands_to_HOME_and_other_paths_stay_as_written()
    {
        var config = Parse("infra:\n  repository: ../platform\nledger:\n  path: \"~\"\n");

        Assert.Equal("../platform", config.Infra!.Repository);
        Assert.Equal(Home, config.Ledger.Path);
    }

    [Fact]
    public void Given_anchors_and_aliases_when_parsed_then_the_aliased_value_is_used()
    {
        var config = Parse("""
            aws:
              region: &region eu-central-1
            notify:
              team: &hook { webhook_env: RELEASES_HOOK }
              support: *hook
            """);

        Assert.Equal("eu-central-1", config.Aws.Region);
        Assert.Equal("RELEASES_HOOK", config.Notify.Team!.WebhookEnv);
        Assert.Equal(new NotifyTarget(null, "RELEASES_HOOK", null, true), config.Notify.Support);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("2m5s", 125)]
    public void Given_a_duration_when_parsed_then_its_seconds_are_exact_and_it_formats_back_the_same(string text, int seconds)
    {
        Assert.True(ConfigDuration.TryParse(text, out var duration));

        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
        Assert.True(ConfigDuration.TryParse(ConfigDuration.Format(duration), out var again));
        Assert.Equal(duration, again);
    }

    [Theory]
    [InlineData("10 minutes")]
    [InlineData("10")]
    [InlineData("m")]
    [InlineData("5m1h")]
    [InlineData("1.5h")]
    [InlineData("-5m")]
    [InlineData("1d")]
    [InlineData("99999h")]
    public void Given_text_that_is_not_a_duration_when_parsed_then_it_is_refused(string text)
    {
        Assert.False(ConfigDuration.TryParse(text, out _));
    }

    [Fact]
    public void Given_a_duration_when_formatted_then_the_largest_units_are_used()
    {
        Assert.Equal("1m30s", ConfigDuration.Format(TimeSpan.FromSeconds(90)));
        Assert.Equal("48h", ConfigDuration.Format(TimeSpan.FromHours(48)));
        Assert.Equal("1h1s", ConfigDuration.Format(TimeSpan.FromSeconds(3601)));
    }
}
