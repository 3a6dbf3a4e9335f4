using Xunit;

namespace Rewind.Cli.Tests;

/// <summary>Bad flags and bad configuration: one line on stderr naming the problem and the fix, exit 2, nothing changed.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-cli-");

    private string Config(string yaml)
    {
        var path = Path.Combine(_folder.FullName, $"rewind-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private const string Canary = """
        canary:
          listener_arn: arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb/0123456789abcdef/0123456789abcdef
          main_target_group: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/main/0123456789abcdef
          canary_target_group: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/canary/0123456789abcdef
        aws:
          region: us-east-1
          endpoint_url: http://127.0.0.1:9
        """;

    public static TheoryData<string, string> Cases => new()
    {
        { "canary --percent 101", "101 is outside 0–100" },
        { "canary --percent -1", "-1 is outside 0–100" },
        { "canary --percent abc", "abc" },
        { "canary", "--percent" },
        { "run --skip nosuchstep", "there is no step 'nosuchstep'" },
        { "plan --only ecs --only bogus", "there is no step 'bogus'" },
        { "run --live --output yaml", "yaml" },
        { "history --limit many", "many" },
        { "ledger verify a b", "b" },
        { "ledger init --backend postgres", "postgres" },
        { "ledger init --table t", "--table goes with --backend dynamodb" },
        { "resume a b", "b" },
        { "cdn --dist-id E1 --paths nope", "does not start with '/'" },
        { "cdn --dist-id E1 --paths /a*b", "has a '*' before its end" },
        { "secret --skip x", "--skip" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_flag_is_refused_with_one_line_and_exit_2(string args, string named)
    {
        var result = await RunAsync([.. args.Split(' '), "--config", Config(Canary + "\nledger:\n  path: " + Path.Combine(_folder.FullName, "ledger.db") + "\n")]);

        AssertBadInput(result, named);
    }

    [Theory]
    [InlineData("servce:\n  cluster: x\n", "unknown top-level key 'servce' (did you mean 'service'?)")]
    [InlineData("service:\n  cluster: [a, b]\n", "service.cluster must be a string")]
    [InlineData("service:\n  deploy_timeout: 10 minutes\n", "use a duration such as 90s, 10m or 1h")]
    [InlineData("canary:\n  listner_arn: x\n", "did you mean 'listener_arn'")]
    [InlineData("service: [\n", "rewind-")]
    [InlineData("ledger:\n  backend: dynamodb\n", "ledger.table is required")]
    [InlineData("cdn:\n  distribution_id: E1\n  paths: [\"no-slash\"]\n", "/")]
    public async Task A_bad_configuration_is_refused_before_anything_runs(string yaml, string named)
    {
        var path = Config(yaml);
        var before = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);

        var result = await RunAsync(["plan", "--config", path]);

        AssertBadInput(result, named);
        Assert.Equal(before, await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_missing_configuration_file_says_how_to_write_one() =>
        AssertBadInput(await RunAsync(["plan", "--config", Path.Combine(_folder.FullName, "none.yaml")]), "rewind init");

    [Fact]
    public async Task Init_does_not_overwrite_an_existing_file_without_force()
    {
        var path = Config("service:\n  cluster: keep-me\n");

        var result = await RunAsync(["init", "--config", path, "--cluster", "other"]);

        AssertBadInput(result, "--force");
        Assert.Contains("keep-me", await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_writes_a_file_that_every_command_loads()
    {
        var path = Path.Combine(_folder.FullName, "new.yaml");

        var written = await RunAsync(["init", "--config", path, "--cluster", "prod", "--service", "web", "--family", "web-task", "--distribution-id", "E2ABC"]);
        var loaded = await RunAsync(["ledger", "verify", "--config", path]);

        Assert.Equal(0, written.ExitCode);
        var yaml = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        Assert.Contains("cluster: prod", yaml, StringComparison.Ordinal);
        Assert.Contains("E2ABC", yaml, StringComparison.Ordinal);
        Assert.NotEqual(ExitCodes.BadInput, loaded.ExitCode);
    }

    [Fact]
    public async Task Canary_without_a_canary_section_says_what_to_add()
    {
        var result = await RunAsync(["canary", "--percent", "0", "--config", Config("aws:\n  region: us-east-1\nledger:\n  path: " + Path.Combine(_folder.FullName, "l.db") + "\n")]);

        AssertBadInput(result, "canary");
    }

    private static Task<CliResult> RunAsync(string[] args) =>
        CliRunner.RunAsync(args, settings => throw new InvalidOperationException("bad input must be refused before any AWS call"), TestContext.Current.CancellationToken);

    private static void AssertBadInput(CliResult result, string named)
    {
        Assert.True(result.ExitCode == ExitCodes.BadInput, $"exit {result.ExitCode}\n{result.Stderr}");
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("rewind: ", line, StringComparison.Ordinal);
        Assert.Contains(named, line, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
