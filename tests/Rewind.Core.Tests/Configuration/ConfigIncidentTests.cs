using Rewind.Core.Configuration;
using Xunit;
using static Rewind.Core.Tests.Configuration.ConfigFixtures;

namespace Rewind.Core.Tests.Configuration;

/// <summary>The incident section's trackers: defaults, every key read, and one clear line per mistake.</summary>
public sealed class ConfigIncidentTests
{
    [Fact]
    public void Given_no_incident_section_then_severity_drafts_and_48_hours_are_the_defaults_and_no_tracker_is_set()
    {
        var incident = Parse("service:\n  name: api\n").Incident;

        Assert.Equal(new IncidentSection(null, TimeSpan.FromHours(48), "SEV2", null, null, null, "postmortems"), incident);
    }

    [Fact]
    public void Given_github_jira_and_a_webhook_when_parsed_then_every_key_is_read()
    {
        var incident = Parse("""
            incident:
              on_call: alice
              postmortem_due: 24h
              severity: SEV1
              drafts_dir: docs/postmortems
              webhook_env: INCIDENT_WEBHOOK
              github:
                repository: acme/claude-proxy
                labels: [incident, postmortem]
                assignee: octocat
                api_url: https://ghe.example.com/api/v3/
              jira:
                url: https://example.atlassian.net
                project: OPS
                email_env: JIRA_EMAIL
                token_env: JIRA_API_TOKEN
                assignee: acc-1
            """).Incident;

        Assert.Equal(("alice", TimeSpan.FromHours(24), "SEV1", "docs/postmortems", "INCIDENT_WEBHOOK"),
            (incident.OnCall, incident.PostmortemDue, incident.Severity, incident.DraftsDir, incident.WebhookEnv));
        Assert.Equal(new GitHubTrackerSection("acme/claude-proxy", "GITHUB_TOKEN", ValueList.Of("incident", "postmortem"), "octocat", "https://ghe.example.com/api/v3"), incident.GitHub);
        Assert.Equal(new JiraTrackerSection("https://example.atlassian.net", "OPS", "Task", "JIRA_EMAIL", "JIRA_API_TOKEN", "acc-1"), incident.Jira);
    }

    [Theory]
    [InlineData("incident:\n  github:\n    labels: [x]\n", "incident.github needs repository")]
    [InlineData("incident:\n  github:\n    repository: acme\n", "incident.github.repository 'acme' is not owner/name")]
    [InlineData("incident:\n  github:\n    repository: a/b\n    token_env: not a name\n", "incident.github.token_env 'not a name' is not an environment variable name")]
    [InlineData("incident:\n  github:\n    repository: a/b\n    api_url: ftp://x\n", "incident.github.api_url 'ftp://x' is not an http(s) URL")]
    [InlineData("incident:\n  github:\n    repositry: a/b\n", "unknown key 'repositry' in incident.github (did you mean 'repository'?)")]
    [InlineData("incident:\n  jira:\n    url: https://x.example\n    project: OPS\n    token_env: T\n", "incident.jira needs email_env")]
    [InlineData("incident:\n  jira:\n    project: OPS\n", "incident.jira needs url")]
    [InlineData("incident:\n  severity: sev 1\n", "incident.severity 'sev 1' must be one word")]
    [InlineData("incident:\n  webhok_env: X\n", "unknown key 'webhok_env' in incident (did you mean 'webhook_env'?)")]
    public void Given_a_mistake_in_a_tracker_when_parsed_then_one_line_names_it(string yaml, string expected)
    {
        Assert.Contains(expected, ParseError(yaml).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_trackers_when_written_and_read_again_then_the_configuration_is_the_same()
    {
        var config = RewindConfig.Default with
        {
            Incident = new IncidentSection("alice", TimeSpan.FromHours(48), "SEV1",
                new GitHubTrackerSection("acme/api", "GH_TOKEN", ValueList.Of("incident"), "octocat", "https://api.github.com"),
                new JiraTrackerSection("https://example.atlassian.net", "OPS", "Incident", "JIRA_EMAIL", "JIRA_TOKEN", null),
                "HOOK", "pm"),
        };

        Assert.Equal(config.Incident, Parse(RewindConfigWriter.Write(config)).Incident);
        Assert.Equal(RewindConfig.Default.Incident, Parse(RewindConfigWriter.Write(RewindConfig.Default)).Incident);
    }
}
