using Rewind.Core.Configuration;
using Xunit;
using static Rewind.Core.Tests.Configuration.ConfigFixtures;

namespace Rewind.Core.Tests.Configuration;

public sealed class ConfigDefaultsTests
{
    [Fact]
    public void Given_the_default_config_then_it_names_the_playbooks_cluster_service_and_family()
    {
        var config = RewindConfig.Default;

        Assert.Equal(new ServiceSection("claude-proxy-api", "claude-proxy", "api-service", "claude-proxy-api", TimeSpan.FromMinutes(10)), config.Service);
        Assert.Equal(TimeSpan.FromHours(48), config.Incident.PostmortemDue);
        Assert.Equal("/rewind/claude-proxy-api/freeze", config.FreezeParameterName);
        Assert.Equal(LedgerBackend.Sqlite, config.Ledger.Backend);
        Assert.Null(config.Ledger.Path);
        Assert.Null(config.Canary);
        Assert.Null(config.Cdn);
        Assert.Null(config.Infra);
        Assert.Empty(config.Secrets);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing configured yet\n")]
    [InlineData("service:\n")]
    [InlineData("service: {}\naws: {}\nincident: {}\nfreeze: {}\nnotify: {}\nledger: {}\n")]
    public void Given_an_empty_file_or_empty_sections_when_parsed_then_the_playbook_defaults_apply(string yaml)
    {
        var config = Parse(yaml);

        Assert.Equal(RewindConfig.Default, config);
    }

    [Fact]
    public void Given_no_service_section_when_parsed_then_the_playbook_service_is_used_beside_the_other_sections()
    {
        var config = Parse("aws:\n  region: eu-west-1\n");

        Assert.Equal(ServiceSection.Default, config.Service);
        Assert.Equal("eu-west-1", config.Aws.Region);
    }

    [Fact]
    public void Given_only_a_family_when_parsed_then_the_service_name_follows_the_family()
    {
        var config = Parse("service:\n  family: billing-api\n");

        Assert.Equal("billing-api", config.Service.Name);
        Assert.Equal("/rewind/billing-api/freeze", config.FreezeParameterName);
    }

    [Fact]
    public void Given_optional_sections_written_empty_when_parsed_then_they_are_set_with_their_defaults()
    {
        var config = Parse("infra: {}\n");

        Assert.Equal(new InfraSection(".", "infra/terraform", 0), config.Infra);
    }

    [Fact]
    public void Given_a_notify_team_without_channel_or_enabled_when_parsed_then_it_posts_to_releases_and_is_enabled()
    {
        var config = Parse("notify:\n  team:\n    slack_webhook_env: SLACK_RELEASES_WEBHOOK\n");

        Assert.Equal(new NotifyTarget("SLACK_RELEASES_WEBHOOK", null, "#releases", true), config.Notify.Team);
        Assert.Null(config.Notify.Support);
    }

    [Fact]
    public void Given_a_cdn_without_paths_when_parsed_then_everything_is_invalidated()
    {
        var config = Parse("cdn:\n  distribution_id: E123ABC\n");

        Assert.Equal(["/*"], config.Cdn!.Paths);
    }
}
