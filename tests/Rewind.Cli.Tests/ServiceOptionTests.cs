using Rewind.Aws;
using Xunit;

namespace Rewind.Cli.Tests;

/// <summary>The global --service option: which service of rewind.yaml's services a command works on.</summary>
public sealed class ServiceOptionTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-service-");

    private string TwoServices() => Write($"""
        aws:
          region: eu-west-1
          endpoint_url: http://127.0.0.1:9
        services:
          - name: claude-proxy-api
            ecs_service: api-service
          - name: claude-proxy-worker
            ecs_service: worker-service
            family: claude-proxy-worker
            region: us-east-1
        ledger:
          path: {Path.Combine(_folder.FullName, "ledger.db")}
        """);

    private string Write(string yaml)
    {
        var path = Path.Combine(_folder.FullName, $"rewind-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Theory]
    [InlineData("plan")]
    [InlineData("status")]
    [InlineData("freeze status")]
    public async Task Several_services_and_no_service_option_is_refused_listing_the_names(string command)
    {
        var result = await RunAsync([.. command.Split(' '), "--config", TwoServices()], NoAws);

        AssertBadInput(result, "has 2 services (claude-proxy-api, claude-proxy-worker): pass --service NAME");
    }

    [Fact]
    public async Task A_service_not_in_the_file_is_refused_with_the_closest_name()
    {
        var result = await RunAsync(["plan", "--service", "claude-proxy-wroker", "--config", TwoServices()], NoAws);

        AssertBadInput(result, "has no service 'claude-proxy-wroker' (did you mean 'claude-proxy-worker'?)");
    }

    [Theory]
    [InlineData("claude-proxy-worker", "us-east-1")]
    [InlineData("claude-proxy-api", "eu-west-1")]
    public async Task The_service_option_selects_the_service_whose_aws_access_the_command_uses(string service, string region)
    {
        AwsSettings? used = null;

        await RunAsync(["status", "--config", TwoServices(), "--service", service], settings =>
        {
            used = settings;
            throw new OperationCanceledException("stop at the first AWS call");
        });

        Assert.NotNull(used);
        Assert.Equal(region, used.ConfiguredRegion);
    }

    [Fact]
    public async Task A_file_with_one_service_needs_no_service_option_and_accepts_its_name()
    {
        var path = Write($"service:\n  name: api\naws:\n  region: eu-west-1\nledger:\n  path: {Path.Combine(_folder.FullName, "one.db")}\n");

        var named = await RunAsync(["ledger", "init", "--config", path, "--service", "api"], NoAws);
        var unnamed = await RunAsync(["history", "--config", path], NoAws);
        var wrong = await RunAsync(["history", "--config", path, "--service", "apj"], NoAws);

        Assert.True(named.ExitCode == 0, named.Stderr);
        Assert.True(unnamed.ExitCode == 0, unnamed.Stderr);
        AssertBadInput(wrong, "has no service 'apj' (did you mean 'api'?)");
    }

    [Fact]
    public async Task Shared_sections_work_with_several_services_and_history_shows_every_service_or_the_one_named()
    {
        var path = TwoServices();

        var init = await RunAsync(["ledger", "init", "--config", path], NoAws);
        var all = await RunAsync(["history", "--config", path, "--output", "json"], NoAws);
        var one = await RunAsync(["history", "--config", path, "--service", "claude-proxy-worker", "--output", "json"], NoAws);
        var bad = await RunAsync(["history", "--config", path, "--service", "nope"], NoAws);

        Assert.True(init.ExitCode == 0, init.Stderr);
        Assert.True(all.ExitCode == 0, all.Stderr);
        Assert.True(one.ExitCode == 0, one.Stderr);
        Assert.Equal(ExitCodes.BadInput, bad.ExitCode);
    }

    private static AwsClients NoAws(AwsSettings settings) => throw new InvalidOperationException("bad input must be refused before any AWS call");

    private static Task<CliResult> RunAsync(string[] args, Func<AwsSettings, AwsClients> aws) =>
        CliRunner.RunAsync(args, aws, TestContext.Current.CancellationToken);

    private static void AssertBadInput(CliResult result, string named)
    {
        Assert.True(result.ExitCode == ExitCodes.BadInput, $"exit {result.ExitCode}\n{result.Stderr}");
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("rewind: ", line, StringComparison.Ordinal);
        Assert.Contains(named, line, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
