using Rewind.Core.Configuration;
using Xunit;
using static Rewind.Core.Tests.Configuration.ConfigFixtures;

namespace Rewind.Core.Tests.Configuration;

public sealed class ConfigErrorTests
{
    [Fact]
    public void Given_a_typo_in_a_canary_key_when_parsed_then_the_error_points_at_it_and_suggests_the_key()
    {
        var error = ParseError($"""
            service:
              name: claude-proxy-api
              cluster: claude-proxy
            aws:
              region: eu-west-1
            canary:
              listner_arn: {ListenerArn}
            """);

        Assert.Equal("rewind.yaml:7:3: unknown key 'listner_arn' in canary (did you mean 'listener_arn'?)", error.Message);
        Assert.Equal((7, 3, "canary.listner_arn"), (error.Line, error.Column, error.Key));
    }

    [Theory]
    [InlineData("servce:\n  name: api\n", "rewind.yaml:1:1: unknown top-level key 'servce' (did you mean 'service'?)")]
    [InlineData("Service:\n  name: api\n", "rewind.yaml:1:1: unknown top-level key 'Service' (did you mean 'service'?)")]
    [InlineData("service:\n  clustr: x\n", "rewind.yaml:2:3: unknown key 'clustr' in service (did you mean 'cluster'?)")]
    [InlineData("service:\n  deploy-timeout: 5m\n", "rewind.yaml:2:3: unknown key 'deploy-timeout' in service (did you mean 'deploy_timeout'?)")]
    [InlineData("aws:\n  endpointUrl: http://x\n", "rewind.yaml:2:3: unknown key 'endpointUrl' in aws (did you mean 'endpoint_url'?)")]
    [InlineData("notify:\n  team:\n    chanel: '#ops'\n", "rewind.yaml:3:5: unknown key 'chanel' in notify.team (did you mean 'channel'?)")]
    [InlineData("secrets:\n  - id: a\n  - ids: b\n", "rewind.yaml:3:5: unknown key 'ids' in secrets[1] (did you mean 'id'?)")]
    public void Given_a_mistyped_key_when_parsed_then_the_closest_known_key_is_suggested(string yaml, string expected)
    {
        Assert.Equal(expected, ParseError(yaml).Message);
    }

    [Fact]
    public void Given_a_key_far_from_every_known_key_when_parsed_then_the_known_keys_are_listed_instead()
    {
        var error = ParseError("ledger:\n  database: x\n");

        Assert.Equal("rewind.yaml:2:3: unknown key 'database' in ledger: use one of backend, path, table", error.Message);
    }

    [Fact]
    public void Given_a_service_key_at_the_top_level_when_parsed_then_the_error_says_which_section_it_belongs_in()
    {
        var error = ParseError("aws:\n  region: eu-west-1\ncluster: claude-proxy\n");

        Assert.Equal("rewind.yaml:3:1: unknown top-level key 'cluster': it belongs in the service section, as service.cluster", error.Message);
    }

    [Fact]
    public void Given_a_duplicate_key_when_parsed_then_the_second_one_is_reported_with_the_line_of_the_first()
    {
        var error = ParseError("service:\n  cluster: a\n  family: f\n  cluster: b\n");

        Assert.Equal("rewind.yaml:4:3: duplicate key 'cluster' in service (first at line 2): keep one", error.Message);
    }

    [Fact]
    public void Given_a_list_where_a_string_belongs_when_parsed_then_the_error_points_at_the_value()
    {
        var error = ParseError("service:\n  name: api\n  cluster: [a, b]\n");

        Assert.Equal("rewind.yaml:3:12: service.cluster must be a string, not a list", error.Message);
        Assert.Equal("service.cluster", error.Key);
    }

    [Fact]
    public void Given_a_section_that_is_not_a_mapping_when_parsed_then_the_error_shows_the_expected_shape()
    {
        var error = ParseError("canary: yes\n");

        Assert.Equal("rewind.yaml:1:9: canary must be a mapping of keys such as 'listener_arn: …', not a value", error.Message);
    }

    [Fact]
    public void Given_a_canary_with_both_a_listener_and_a_rule_when_parsed_then_it_is_refused()
    {
        var error = ParseError($"""
            canary:
              listener_arn: {ListenerArn}
              rule_arn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/claude-proxy/0123456789abcdef/0123456789abcdef/00112233aabbccdd
              main_target_group: {MainTargetGroup}
              canary_target_group: {CanaryTargetGroup}
            """);

        Assert.Equal("rewind.yaml: canary needs listener_arn or rule_arn, not both", error.Message);
        Assert.Null(error.Line);
    }

    [Fact]
    public void Given_a_canary_without_a_listener_or_rule_when_parsed_then_it_says_what_is_missing()
    {
        var error = ParseError($"canary:\n  main_target_group: {MainTargetGroup}\n");

        Assert.StartsWith("rewind.yaml: canary needs listener_arn or rule_arn: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_canary_without_its_main_target_group_when_parsed_then_it_is_required()
    {
        var error = ParseError($"canary:\n  listener_arn: {ListenerArn}\n  canary_target_group: {CanaryTargetGroup}\n");

        Assert.Equal("rewind.yaml: canary.main_target_group is required when canary is set", error.Message);
    }

    [Fact]
    public void Given_a_listener_arn_that_is_not_one_when_parsed_then_the_error_shows_where_to_find_the_real_one()
    {
        var error = ParseError($"canary:\n  listener_arn: {MainTargetGroup}\n");

        Assert.StartsWith(
            $"rewind.yaml:2:17: canary.listener_arn '{MainTargetGroup}' is not a load balancer listener ARN: copy it from 'aws elbv2 describe-listeners'",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Given_the_same_target_group_twice_when_parsed_then_the_canary_is_refused()
    {
        var error = ParseError($"canary:\n  listener_arn: {ListenerArn}\n  main_target_group: {MainTargetGroup}\n  canary_target_group: {MainTargetGroup}\n");

        Assert.Equal(
            "rewind.yaml:4:24: canary.canary_target_group is the same as canary.main_target_group: the canary needs its own target group",
            error.Message);
    }

    [Fact]
    public void Given_a_duration_in_words_when_parsed_then_the_error_shows_the_duration_format()
    {
        var error = ParseError("service:\n  deploy_timeout: 10 minutes\n");

        Assert.Equal("rewind.yaml:2:19: service.deploy_timeout '10 minutes' is not a duration: use a duration such as 90s, 10m or 1h", error.Message);
    }

    [Fact]
    public void Given_a_zero_timeout_when_parsed_then_it_is_refused()
    {
        var error = ParseError("smoke:\n  url: http://alb\n  timeout: 0s\n");

        Assert.Equal("rewind.yaml:3:12: smoke.timeout must be at least 1s, not '0s'", error.Message);
    }

    [Fact]
    public void Given_a_cdn_path_without_a_leading_slash_when_parsed_then_the_item_is_pointed_at_with_the_fix()
    {
        var error = ParseError("cdn:\n  distribution_id: E123ABC\n  paths:\n    - /index.html\n    - images/*\n");

        Assert.Equal("rewind.yaml:5:7: cdn.paths[1] 'images/*' does not start with '/': CloudFront paths are absolute: write '/images/*'", error.Message);
    }

    [Fact]
    public void Given_a_wildcard_in_the_middle_of_a_cdn_path_when_parsed_then_it_is_refused()
    {
        var error = ParseError("cdn:\n  distribution_id: E123ABC\n  paths: [\"/a*/b\"]\n");

        Assert.Equal("rewind.yaml:3:11: cdn.paths[0] '/a*/b' has a '*' before its end: CloudFront allows '*' only as the last character, as in '/images/*'", error.Message);
    }

    [Fact]
    public void Given_a_distribution_id_in_lower_case_when_parsed_then_it_is_refused()
    {
        var error = ParseError("cdn:\n  distribution_id: e123abc\n");

        Assert.StartsWith("rewind.yaml:2:20: cdn.distribution_id 'e123abc' is not a CloudFront distribution id", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("150")]
    [InlineData("-1")]
    [InlineData("one")]
    public void Given_a_5xx_percent_outside_0_to_100_when_parsed_then_it_is_refused(string percent)
    {
        var error = ParseError($"verify:\n  alarms: [api-5xx]\n  max_5xx_percent: {percent}\n");

        Assert.Equal($"rewind.yaml:3:20: verify.max_5xx_percent must be a number from 0 to 100, not '{percent}'", error.Message);
    }

    [Fact]
    public void Given_a_service_name_with_a_space_when_parsed_then_the_allowed_characters_are_named()
    {
        var error = ParseError("service:\n  name: claude proxy\n");

        Assert.Equal("rewind.yaml:2:9: service.name 'claude proxy' must be a name without spaces: letters, digits, '-', '_' and '.'", error.Message);
    }

    [Fact]
    public void Given_an_empty_quoted_cluster_when_parsed_then_it_is_refused_rather_than_defaulted()
    {
        var error = ParseError("service:\n  cluster: \"\"\n");

        Assert.Equal("rewind.yaml:2:12: service.cluster is empty: write a value or remove the key", error.Message);
    }

    [Fact]
    public void Given_an_unknown_ledger_backend_when_parsed_then_both_backends_are_named()
    {
        var error = ParseError("ledger:\n  backend: mysql\n");

        Assert.Equal("rewind.yaml:2:12: ledger.backend 'mysql' is not a ledger backend: use sqlite or dynamodb", error.Message);
    }

    [Fact]
    public void Given_a_dynamodb_ledger_without_a_table_when_parsed_then_the_table_is_required()
    {
        var error = ParseError("ledger:\n  backend: dynamodb\n");

        Assert.Equal("rewind.yaml: ledger.table is required when ledger.backend is dynamodb: the table name, such as rewind-ledger", error.Message);
    }

    [Fact]
    public void Given_a_table_with_the_sqlite_backend_when_parsed_then_the_key_is_pointed_at()
    {
        var error = ParseError("ledger:\n  table: rewind-ledger\n");

        Assert.Equal("rewind.yaml:2:3: ledger.table is only used with backend dynamodb: remove it, or set ledger.backend: dynamodb", error.Message);
    }

    [Fact]
    public void Given_both_smoke_api_key_sources_when_parsed_then_one_must_go()
    {
        var error = ParseError("smoke:\n  url: http://alb\n  api_key_env: SMOKE_API_KEY\n  api_key_secret: claude-proxy/smoke\n");

        Assert.Equal("rewind.yaml: smoke needs api_key_env or api_key_secret, not both", error.Message);
    }

    [Fact]
    public void Given_a_smoke_url_without_a_scheme_when_parsed_then_the_full_form_is_shown()
    {
        var error = ParseError("smoke:\n  url: my-alb.elb.amazonaws.com\n");

        Assert.StartsWith("rewind.yaml:2:8: smoke.url 'my-alb.elb.amazonaws.com' is not an http or https URL: write it in full", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_yes_for_a_boolean_when_parsed_then_only_true_or_false_is_accepted()
    {
        var error = ParseError("notify:\n  customers:\n    webhook_env: STATUS_PAGE_WEBHOOK\n    enabled: yes\n");

        Assert.Equal("rewind.yaml:4:14: notify.customers.enabled must be true or false, not 'yes'", error.Message);
    }

    [Fact]
    public void Given_a_notify_audience_without_a_webhook_when_parsed_then_it_says_what_to_add()
    {
        var error = ParseError("notify:\n  support:\n    channel: '#support'\n");

        Assert.Equal(
            "rewind.yaml: notify.support needs slack_webhook_env or webhook_env: the environment variable holding the webhook URL",
            error.Message);
    }

    [Fact]
    public void Given_malformed_yaml_when_parsed_then_the_parsers_position_and_message_are_on_one_line()
    {
        var error = ParseError("service:\n  name: api\n cluster: x\n");

        Assert.Equal(3, error.Line);
        Assert.StartsWith("rewind.yaml:3:", error.Message, StringComparison.Ordinal);
        Assert.Contains("malformed YAML: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain("(Line:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_two_yaml_documents_when_parsed_then_the_second_is_refused()
    {
        var error = ParseError("service:\n  name: a\n---\nservice:\n  name: b\n");

        Assert.Equal("rewind.yaml:3:1: a second YAML document ('---'): keep one configuration per file", error.Message);
    }

    [Fact]
    public void Given_a_tilde_user_path_when_parsed_then_the_full_path_is_asked_for()
    {
        var error = Assert.Throws<ConfigException>(() => RewindConfigLoader.Parse("ledger:\n  path: ~user/ledger.db\n", Source, _ => null));

        Assert.Equal("rewind.yaml:2:9: ledger.path '~user/ledger.db': only '~' and '~/' are expanded: write the full path", error.Message);
    }

    [Fact]
    public void Given_a_file_that_is_a_list_when_parsed_then_the_expected_shape_is_shown()
    {
        var error = ParseError("- service\n- aws\n");

        Assert.Equal("rewind.yaml:1:1: the file must be a mapping of keys such as 'service: …', not a list", error.Message);
    }

    [Fact]
    public void Given_an_alias_without_its_anchor_when_parsed_then_the_anchor_is_asked_for()
    {
        var error = ParseError("aws:\n  region: *region\n");

        Assert.Equal("rewind.yaml:2:11: unknown alias '*region': define it with '&region' before using it", error.Message);
    }

    [Fact]
    public void Given_verify_with_a_load_balancer_but_no_target_group_when_parsed_then_the_pair_is_required()
    {
        var error = ParseError("verify:\n  load_balancer: app/claude-proxy/0123456789abcdef\n");

        Assert.StartsWith("rewind.yaml: verify.target_group is required with verify.load_balancer", error.Message, StringComparison.Ordinal);
    }
}
