using Rewind.Core.Configuration;
using Xunit;
using static Rewind.Core.Tests.Configuration.ConfigFixtures;

namespace Rewind.Core.Tests.Configuration;

public sealed class ConfigWriterTests
{
    [Fact]
    public void Given_the_default_config_when_written_and_parsed_then_it_is_equal()
    {
        var yaml = RewindConfigWriter.Write(RewindConfig.Default);

        Assert.Equal(RewindConfig.Default, Parse(yaml));
    }

    [Fact]
    public void Given_the_full_example_when_written_and_parsed_then_it_is_equal()
    {
        var config = Parse(FullExample);

        var again = Parse(RewindConfigWriter.Write(config));

        Assert.Equal(config, again);
    }

    [Fact]
    public void Given_a_written_file_when_parsed_with_the_playbook_variables_set_then_the_written_service_still_wins()
    {
        var yaml = RewindConfigWriter.Write(RewindConfig.Default);

        var config = Parse(yaml, Environment(("CLUSTER_NAME", "other"), ("SERVICE_NAME_API", "other"), ("TASK_FAMILY", "other")));

        Assert.Equal(ServiceSection.Default, config.Service);
    }

    [Fact]
    public void Given_values_that_need_quoting_when_written_and_parsed_then_they_come_back_unchanged()
    {
        var config = RewindConfig.Default with
        {
            Service = ServiceSection.Default with { Cluster = "123", EcsService = "true", Name = "null" },
            Canary = new CanarySection(
                null,
                "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/claude-proxy/0123456789abcdef/0123456789abcdef/00112233aabbccdd",
                MainTargetGroup,
                CanaryTargetGroup),
            Verify = new VerifySection(null, null, TimeSpan.FromSeconds(150), 0.25, ValueList.Of("5xx # high", "latency: p99", "it's \"bad\"")),
            Incident = new IncidentSection("Alice O'Brien", TimeSpan.FromHours(36)),
            Notify = new NotifySection(null, new NotifyTarget("SLACK_SUPPORT", "SUPPORT_HOOK", "@support-lead", false), null),
            Ledger = new LedgerSection(LedgerBackend.DynamoDb, null, "rewind.ledger"),
        };

        var again = Parse(RewindConfigWriter.Write(config));

        Assert.Equal(config, again);
    }

    [Fact]
    public void Given_the_default_config_when_written_then_every_section_is_present_and_unused_ones_are_commented_examples()
    {
        var lines = RewindConfigWriter.Write(RewindConfig.Default).Split('\n');

        foreach (var section in RewindConfigLoader.KnownKeys[string.Empty])
        {
            Assert.Contains(lines, line => line == $"{section}:" || line == $"# {section}:");
        }

        Assert.Contains("# canary:", lines);
        Assert.Contains(lines, line => line.StartsWith("  # listener_arn: arn:aws:elasticloadbalancing:", StringComparison.Ordinal));
        Assert.Contains("service:", lines);
        Assert.Contains(lines, line => line.StartsWith("#", StringComparison.Ordinal) && line.Contains("docs/configuration.md", StringComparison.Ordinal));
    }

    [Fact]
    public void Given_a_written_default_file_when_its_canary_example_is_uncommented_then_it_parses_as_a_valid_canary()
    {
        var yaml = RewindConfigWriter.Write(RewindConfig.Default);
        var lines = yaml.Split('\n').ToList();
        var start = lines.IndexOf("# canary:");
        lines[start] = "canary:";
        for (var i = start + 1; lines[i].StartsWith("  # ", StringComparison.Ordinal); i++)
        {
            lines[i] = "  " + lines[i][4..];
        }

        var config = Parse(string.Join('\n', lines));

        Assert.NotNull(config.Canary);
        Assert.StartsWith("arn:aws:elasticloadbalancing:", config.Canary.ListenerArn, StringComparison.Ordinal);
    }
}
