using Rewind.Aws;
using Rewind.Aws.Errors;
using Rewind.Aws.SecretsManager;
using Rewind.Core;
using Rewind.Core.Evidence;
using Rewind.Playbook.Smoke;
using Xunit;

namespace Rewind.Playbook.Tests.Smoke;

/// <summary>The smoke report's counts, verdicts, evidence and summary; and the API key that never shows itself.</summary>
public sealed class SmokeReportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly SmokeCheckOutcome Passed = new("health", 200, 12, 1, true, null, false);
    private static readonly SmokeCheckOutcome Failed = new("enqueue", 500, 30, 3, false, "status 500, expected 2xx", false);
    private static readonly SmokeCheckOutcome Refused = new("enqueue", null, 1, 2, false, "connection refused", true);

    [Fact]
    public void Given_every_check_passed_when_reported_then_the_counts_and_summary_say_so()
    {
        var report = new SmokeReport("http://alb/", [Passed, Passed with { Check = "ready" }], "logs/run-1.log");

        Assert.Equal((2, 0, true, false), (report.Passed, report.Failed, report.AllPassed, report.Unreachable));
        Assert.Equal("2/2 checks passed against http://alb/", report.Summary());
    }

    [Fact]
    public void Given_a_failed_check_when_reported_then_the_summary_names_each_failure()
    {
        var report = new SmokeReport("http://alb/", [Passed, Failed, Refused with { Check = "ready" }], "logs/run-1.log");

        Assert.Equal((1, 2, false, false), (report.Passed, report.Failed, report.AllPassed, report.Unreachable));
        Assert.Equal("1/3 checks passed against http://alb/; enqueue: status 500, expected 2xx; ready: connection refused", report.Summary());
    }

    [Fact]
    public void Given_every_check_unreachable_when_reported_then_the_url_is_unreachable_and_an_empty_report_is_not()
    {
        Assert.True(new SmokeReport("u", [Refused, Refused], "l").Unreachable);
        Assert.False(new SmokeReport("u", [Refused, Failed], "l").Unreachable);
        Assert.False(new SmokeReport("u", [], "l").Unreachable);
        Assert.True(new SmokeReport("u", [], "l").AllPassed);
    }

    [Fact]
    public void Given_results_when_turned_into_evidence_then_every_result_and_the_log_are_in_it()
    {
        var evidence = new SmokeReport("http://alb/", [Passed, Failed], "logs/run-1.log").Evidence();

        Assert.Equal(("http://alb/", 2, 1, 1, "logs/run-1.log"), (evidence.Url, evidence.Checks, evidence.Passed, evidence.Failed, evidence.Log));
        Assert.Equal([new SmokeCheckResult("health", 200, 12, 1, true, null), new SmokeCheckResult("enqueue", 500, 30, 3, false, "status 500, expected 2xx")], evidence.Results);
    }

    [Fact]
    public void Given_a_key_in_a_variable_when_read_then_it_is_trimmed_named_by_its_source_and_never_shown()
    {
        var key = ApiKey.FromEnvironment("SMOKE_API_KEY", name => name == "SMOKE_API_KEY" ? "  k-1  " : null)!;

        Assert.Equal(("env:SMOKE_API_KEY", "***"), (key.Source, key.ToString()));
        Assert.Equal("a *** b ***", key.Redact("a k-1 b k-1"));
        Assert.Equal("", key.Redact(""));
        Assert.Null(key.Redact(null!));
        Assert.Null(ApiKey.FromEnvironment("SMOKE_API_KEY", _ => null));
        Assert.Null(ApiKey.FromEnvironment("SMOKE_API_KEY", _ => ""));
        Assert.Throws<ArgumentNullException>(() => ApiKey.FromEnvironment("X", null!));
    }

    [Fact]
    public void Given_a_key_on_the_command_line_when_read_then_its_source_is_the_flag()
    {
        var key = ApiKey.FromFlag("k-2");

        Assert.Equal("--api-key", key.Source);
        Assert.Equal("***", key.Redact("k-2"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("k\n1")]
    [InlineData("k\u00e91")]
    [InlineData("k\u007f1")]
    public void Given_a_key_a_header_cannot_carry_when_read_then_it_is_bad_input_naming_where_it_came_from(string value)
    {
        var flag = Assert.Throws<RewindException>(() => ApiKey.FromFlag(value));
        Assert.Equal(
            ("the smoke API key from --api-key is empty or has characters a header cannot carry", "store the key as plain printable ASCII", FailureKind.BadInput),
            (flag.Message, flag.Hint, flag.Kind));
    }

    [Fact]
    public void Given_a_variable_of_spaces_when_read_then_the_empty_key_is_refused_naming_the_variable()
    {
        var e = Assert.Throws<RewindException>(() => ApiKey.FromEnvironment("SMOKE_API_KEY", _ => "   "));

        Assert.Equal("the smoke API key from $SMOKE_API_KEY is empty or has characters a header cannot carry", e.Message);
    }

    [Fact]
    public void Given_the_edges_of_printable_ASCII_when_read_then_they_are_accepted()
    {
        Assert.Equal("***", ApiKey.FromFlag("!~").Redact("!~"));
        Assert.Equal("--api-key", ApiKey.FromFlag(" ~").Source);
    }

    [Theory]
    [InlineData("ResourceNotFoundException")]
    [InlineData("InvalidRequestException")]
    public async Task Given_a_secret_that_cannot_be_read_when_the_key_is_fetched_then_it_is_bad_input(string code)
    {
        var e = await Assert.ThrowsAsync<RewindException>(() => ApiKey.FromSecretAsync(new Refusing(code), "smoke/key", Ct));

        Assert.Equal(($"the smoke API key secret smoke/key cannot be read ({code})", "check smoke.api_key_secret (aws secretsmanager list-secrets)", FailureKind.BadInput), (e.Message, e.Hint, e.Kind));
    }

    [Fact]
    public async Task Given_access_denied_when_the_key_is_fetched_then_the_AWS_failure_is_not_hidden()
    {
        await Assert.ThrowsAsync<AwsServiceException>(() => ApiKey.FromSecretAsync(new Refusing("AccessDeniedException"), "smoke/key", Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => ApiKey.FromSecretAsync(null!, "smoke/key", Ct));
    }

    private sealed class Refusing(string code) : ISecretsManagerClient
    {
        public Task<SecretDescription?> DescribeSecretAsync(string secretId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<SecretVersion>> ListSecretVersionIdsAsync(string secretId, bool includeDeprecated, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<SecretIdentity> UpdateSecretVersionStageAsync(SecretStageMove move, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<SecretVersionValue> GetSecretValueAsync(string secretId, SecretVersionSelector version, CancellationToken cancellationToken) =>
            throw new AwsServiceException(AwsService.SecretsManager, "GetSecretValue", code, "no", 400, "req-1");
    }
}
