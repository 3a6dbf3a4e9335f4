using Rewind.Core.Configuration;
using Xunit;
using static Rewind.Core.Tests.Configuration.ConfigFixtures;

namespace Rewind.Core.Tests.Configuration;

public sealed class ConfigEnvironmentTests
{
    private static readonly Func<string, string?> PlaybookVariables = Environment(
        ("CLUSTER_NAME", "claude-proxy-staging"),
        ("SERVICE_NAME_API", "api-service-blue"),
        ("TASK_FAMILY", "claude-proxy-api-staging"));

    [Fact]
    public void Given_the_playbook_variables_and_no_file_values_when_parsed_then_they_replace_the_playbook_defaults()
    {
        var config = Parse(string.Empty, PlaybookVariables);

        Assert.Equal("claude-proxy-staging", config.Service.Cluster);
        Assert.Equal("api-service-blue", config.Service.EcsService);
        Assert.Equal("claude-proxy-api-staging", config.Service.Family);
        Assert.Equal("claude-proxy-api-staging", config.Service.Name);
    }

    [Fact]
    public void Given_the_playbook_variables_and_values_in_the_file_when_parsed_then_the_file_wins_key_by_key()
    {
        var config = Parse("service:\n  cluster: claude-proxy\n  family: claude-proxy-api\n", PlaybookVariables);

        Assert.Equal("claude-proxy", config.Service.Cluster);
        Assert.Equal("claude-proxy-api", config.Service.Family);
        Assert.Equal("api-service-blue", config.Service.EcsService);
    }

    [Fact]
    public void Given_an_empty_playbook_variable_when_parsed_then_it_counts_as_unset_like_the_scripts_default_expansion()
    {
        var config = Parse(string.Empty, Environment(("CLUSTER_NAME", string.Empty)));

        Assert.Equal("claude-proxy", config.Service.Cluster);
    }

    [Fact]
    public void Given_a_playbook_variable_that_is_not_a_valid_name_when_parsed_then_the_error_names_the_variable()
    {
        var error = ParseError(string.Empty, Environment(("CLUSTER_NAME", "claude proxy")));

        Assert.Equal(
            "rewind.yaml: CLUSTER_NAME='claude proxy' from the environment is not a valid service.cluster: fix the variable, or set service.cluster in the file",
            error.Message);
    }

    [Fact]
    public void Given_other_variables_when_parsed_then_only_the_three_playbook_variables_are_read()
    {
        var read = new List<string>();
        Parse("ledger:\n  path: ~/ledger.db\n", name =>
        {
            read.Add(name);
            return name == "HOME" ? Home : "ignored";
        });

        Assert.Equal(["CLUSTER_NAME", "SERVICE_NAME_API", "TASK_FAMILY", "HOME"], read);
    }
}
