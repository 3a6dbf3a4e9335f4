using Xunit;

namespace Rewind.IntegrationTests.Cli;

/// <summary>Bad setup gets one clear stderr line naming the problem and the fix, the documented exit code, no stack trace.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly RewindProcess _rewind = new();

    private static readonly Dictionary<string, string> Keys = new()
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE",
        ["AWS_SECRET_ACCESS_KEY"] = "secret",
        ["AWS_REGION"] = "us-east-1",
    };

    [Fact]
    public async Task No_credentials_anywhere_says_how_to_provide_them() =>
        AssertOneLine(await RunAsync(["doctor", "--region", "us-east-1"], new()), 2,
            "no AWS credentials found", "AWS_ACCESS_KEY_ID");

    [Fact]
    public async Task An_unknown_profile_is_named_with_the_way_to_list_profiles() =>
        AssertOneLine(await RunAsync(["doctor", "--profile", "nope"], Keys), 2,
            "AWS profile 'nope' was not found", "aws configure list-profiles");

    [Theory]
    [InlineData("notaurl")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData("http://")]
    public async Task A_malformed_endpoint_url_is_refused_before_any_call(string url) =>
        AssertOneLine(await RunAsync(["doctor", "--endpoint-url", url], Keys), 2,
            "--endpoint-url", "give an absolute URL");

    [Fact]
    public async Task A_malformed_AWS_ENDPOINT_URL_is_named_as_such() =>
        AssertOneLine(await RunAsync(["doctor"], new(Keys) { ["AWS_ENDPOINT_URL"] = "localhost:4566" }), 2,
            "AWS_ENDPOINT_URL 'localhost:4566' is not an http(s) URL", "give an absolute URL");

    [Fact]
    public async Task A_region_that_is_not_a_region_name_is_refused() =>
        AssertOneLine(await RunAsync(["doctor", "--region", "useast1"], Keys), 2,
            "--region 'useast1' is not an AWS region name", "us-east-1");

    [Fact]
    public async Task No_region_anywhere_says_where_to_set_one()
    {
        var keys = new Dictionary<string, string>(Keys);
        keys.Remove("AWS_REGION");
        AssertOneLine(await RunAsync(["doctor"], keys), 2, "no AWS region is set", "--region");
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_reported_as_unavailable_with_the_fix() =>
        AssertOneLine(await RunAsync(["doctor", "--endpoint-url", "http://127.0.0.1:9"], Keys), 5,
            "connection refused", "check --endpoint-url");

    [Fact]
    public async Task An_unknown_option_is_bad_input_with_a_pointer_to_help() =>
        AssertOneLine(await RunAsync(["doctor", "--bogus"], Keys), 2, "--bogus", "--help");

    private Task<RewindResult> RunAsync(string[] args, Dictionary<string, string> environment) =>
        _rewind.RunAsync(args, environment, TestContext.Current.CancellationToken);

    private static void AssertOneLine(RewindResult result, int exitCode, string problem, string fix)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("rewind: ", line, StringComparison.Ordinal);
        Assert.Contains(problem, line, StringComparison.Ordinal);
        Assert.Contains(fix, line, StringComparison.Ordinal);
        Assert.DoesNotContain(" at Rewind.", result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _rewind.Dispose();
}
