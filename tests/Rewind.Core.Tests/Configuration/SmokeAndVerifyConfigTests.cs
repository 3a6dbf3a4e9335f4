using Rewind.Core.Configuration;
using Xunit;
using static Rewind.Core.Tests.Configuration.ConfigFixtures;

namespace Rewind.Core.Tests.Configuration;

/// <summary>smoke.checks, smoke.checks_file (read strictly), smoke.backoff, verify.deadline and the baseline tolerance.</summary>
public sealed class SmokeAndVerifyConfigTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-checks-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void Given_no_checks_then_the_playbooks_two_checks_are_used()
    {
        var smoke = Parse("smoke:\n  url: http://alb\n").Smoke!;

        Assert.Equal(["health", "enqueue"], smoke.Checks.Select(c => c.Name));
        Assert.True(smoke.Checks[1].UsesApiKey);
        Assert.Equal(["$.request_id", "$.queued", "$.error"], smoke.Checks[1].JsonPaths);
        Assert.Equal(TimeSpan.FromSeconds(1), smoke.Backoff);
    }

    [Fact]
    public void Given_inline_checks_then_every_field_is_read()
    {
        var smoke = Parse("""
            smoke:
              url: http://alb
              backoff: 0s
              checks:
                - name: version
                  method: post
                  path: /version?full=1
                  headers: {X-API-Key: "{api_key}", Accept: application/json}
                  body: '{"a":1}'
                  status: [200, 3xx]
                  contains: v2
                  regex: ^\{
                  json_path: $.items[0].id
                  latency_budget: 250ms
            """).Smoke!;

        var check = Assert.Single(smoke.Checks);
        Assert.Equal(new SmokeCheck(
            "version", "POST", "/version?full=1",
            new([new SmokeHeader("X-API-Key", "{api_key}"), new SmokeHeader("Accept", "application/json")]),
            """{"a":1}""", new(["200", "3xx"]), "v2", @"^\{", new(["$.items[0].id"]), TimeSpan.FromMilliseconds(250)), check);
        Assert.True(check.Accepts(302));
        Assert.False(check.Accepts(201));
        Assert.Equal(TimeSpan.Zero, smoke.Backoff);
    }

    [Fact]
    public void Given_a_checks_file_next_to_the_configuration_then_it_is_read_relative_to_it()
    {
        File.WriteAllText(Path.Combine(_folder.FullName, "checks.yaml"), "- name: health\n  path: /health\n  status: 204\n");
        var config = Path.Combine(_folder.FullName, "rewind.yaml");
        File.WriteAllText(config, "smoke:\n  url: http://alb\n  checks_file: checks.yaml\n");

        var smoke = RewindConfigLoader.Load(config, _ => null).Smoke!;

        Assert.Equal("checks.yaml", smoke.ChecksFile);
        Assert.Equal(["204"], Assert.Single(smoke.Checks).Status);
    }

    [Theory]
    [InlineData("- name: health\n  path: /health\n  bodyy: x\n", "checks.yaml:3:3: unknown key 'bodyy' in checks[0] (did you mean 'body'?)")]
    [InlineData("- name: health\n  path: health\n", "checks.yaml:2:9: checks[0].path 'health' must start with '/' and contain no spaces, such as /health")]
    [InlineData("- name: a\n  path: /a\n  status: 600\n", "checks.yaml:3:11: checks[0].status '600' is not a status code: write codes such as 200 or classes such as 2xx")]
    [InlineData("- name: a\n  path: /a\n  regex: '('\n", "checks.yaml:3:10: checks[0].regex does not compile")]
    [InlineData("- name: a\n  path: /a\n  json_path: status\n", "checks.yaml:3:14: checks[0].json_path 'status' is not a JSON path: write $.field, $.a.b or $.items[0].id")]
    [InlineData("- name: a\n  path: /a\n- name: a\n  path: /b\n", "checks.yaml:3:3: checks[1].name 'a' is used twice: give each check its own name")]
    [InlineData("name: a\n", "checks.yaml:1:1: checks must be a list of checks")]
    [InlineData("- name: a\n  path: /a\n  latency_budget: fast\n", "checks.yaml:3:19: checks[0].latency_budget 'fast' is not a duration: use 500ms, 2s or 1m")]
    public void Given_a_bad_checks_file_then_the_error_names_the_file_line_field_and_fix(string yaml, string expected)
    {
        var path = Path.Combine(_folder.FullName, "checks.yaml");
        File.WriteAllText(path, yaml);

        var error = Assert.Throws<ConfigException>(() => SmokeCheckReader.Load(path));

        Assert.StartsWith(expected.Replace("checks.yaml", path, StringComparison.Ordinal), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_missing_checks_file_then_it_says_so()
    {
        var error = Assert.Throws<ConfigException>(() => SmokeCheckReader.Load(Path.Combine(_folder.FullName, "none.yaml")));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_both_checks_and_checks_file_then_one_must_go()
    {
        var error = ParseError("smoke:\n  url: http://alb\n  checks_file: c.yaml\n  checks:\n    - {name: a, path: /a}\n");

        Assert.Equal("rewind.yaml: smoke needs checks or checks_file, not both", error.Message);
    }

    [Fact]
    public void Given_an_unknown_field_in_an_inline_check_then_it_is_named_with_its_position()
    {
        var error = ParseError("smoke:\n  url: http://alb\n  checks:\n    - name: a\n      path: /a\n      expect: 200\n");

        Assert.Equal("rewind.yaml:6:7: unknown key 'expect' in smoke.checks[0]: use one of name, method, path, headers, body, status, contains, regex, json_path, latency_budget", error.Message);
    }

    [Fact]
    public void Given_verify_deadline_and_tolerance_then_they_are_read_with_defaults_otherwise()
    {
        var set = Parse("verify:\n  alarms: [a]\n  deadline: 3m\n  baseline_tolerance_percent: 0.25\n").Verify!;
        var unset = Parse("verify:\n  alarms: [a]\n").Verify!;

        Assert.Equal(TimeSpan.FromMinutes(3), set.Deadline);
        Assert.Equal(0.25, set.BaselineTolerancePercent);
        Assert.Equal(TimeSpan.FromMinutes(10), unset.Deadline);
        Assert.Equal(0.5, unset.BaselineTolerancePercent);
    }
}
