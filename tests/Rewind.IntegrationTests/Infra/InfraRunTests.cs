using Rewind.Aws;
using Rewind.Cli;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Cli;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Playbook;
using Rewind.Playbook.Infra;
using Xunit;

namespace Rewind.IntegrationTests.Infra;

/// <summary>
/// The infrastructure step inside <c>rewind run</c> on the emulator: after the service, before the edge; without
/// CONFIRM=true it stops the run awaiting approval, and <c>CONFIRM=true rewind resume</c> applies it and goes on.
/// </summary>
[Collection("rollout-emulator")]
public sealed class InfraRunTests(RolloutEmulatorFixture emulator) : IDisposable
{
    private readonly RewindProcess _rewind = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_stops_at_infra_awaiting_approval_and_resume_with_CONFIRM_applies_it_then_the_cdn_in_playbook_order()
    {
        Assert.SkipWhen(TerraformRepository.Missing is not null, $"the Terraform tests need {TerraformRepository.Missing}");
        Assert.True(Environment.GetEnvironmentVariable("CONFIRM") != "true", "this test needs CONFIRM unset in the test process");
        await using var world = await PlaybookHarness.SeedAsync(emulator, "infrun", Ct);
        using var repo = await TerraformRepository.CreateAsync(Ct);
        var config = Config(world, repo);

        var record = await InProcessAsync(["record", "--version", "bad", "--config", config]);
        var run = await InProcessAsync(["run", "--live", "--yes", "--config", config]);

        Assert.True(record.ExitCode == 0, record.ToString());
        var release = Assert.Single(await world.Ledger.Releases.ListReleasesAsync(world.Names.Service, 10, Ct));
        Assert.Equal(repo.SecondCommit, release.TerraformRevision);
        Assert.True(run.ExitCode == ExitCodes.Blocked, run.ToString());
        var stopped = await world.LatestRunAsync(Ct);
        Assert.Equal(RunStatus.Failed, stopped.Status);
        // Terraform's own output while planning reaches the command's stderr writer, not the process's.
        Assert.Contains("[infra] Terraform has been successfully initialized!", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"rewind: step infra awaits approval: terraform apply (0 to add, 1 to change, 1 to destroy) awaits approval: review the plan, then run 'CONFIRM=true rewind resume {stopped.Id}'", run.Stderr, StringComparison.Ordinal);
        var first = await world.Ledger.Runs.ReadJournalAsync(stopped.Id, Ct);
        Assert.Contains(first, e => e.Step == "infra" && e.Kind == JournalKind.CallFailed && e.Detail.Contains("\"AwaitingApproval\"", StringComparison.Ordinal));
        Assert.DoesNotContain(first, e => e.Step == "infra" && e.Kind == JournalKind.CallSent);
        Assert.Contains("terraform_data.b", repo.StateResources().Keys);
        Assert.Equal(0, (await world.CallsAsync(Ct)).Count("cloudfront:CreateInvalidation"));

        var resumed = await _rewind.RunAsync(
            ["resume", stopped.Id, "--config", config, "--endpoint-url", emulator.Endpoint.ToString()],
            new Dictionary<string, string>
            {
                ["CONFIRM"] = "true",
                ["AWS_ACCESS_KEY_ID"] = emulator.AccessKeyId,
                ["AWS_SECRET_ACCESS_KEY"] = emulator.SecretAccessKey,
            },
            Ct);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(RunStatus.Succeeded, (await world.LatestRunAsync(Ct)).Status);
        var journal = await world.Ledger.Runs.ReadJournalAsync(stopped.Id, Ct);
        Assert.Equal(
            ["canary", "secrets", "ecs", "infra", "infra", "cdn", "incident", "freeze"],
            journal.Where(e => e.Kind == JournalKind.Started).Select(e => e.Step));
        Assert.Single(journal, e => e.Step == "infra" && e.Kind == JournalKind.CallSucceeded && e.Detail.Contains(InfraStep.Apply, StringComparison.Ordinal));
        Assert.Contains(journal, e => e.Step == "infra" && e.Kind == JournalKind.Completed && e.Detail.Contains("\"planAfter\":\"no changes\"", StringComparison.Ordinal));
        Assert.Equal(new Dictionary<string, string> { ["terraform_data.a"] = "one" }, repo.StateResources());
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("ecs:UpdateService"));
        Assert.Equal(1, calls.Count("secretsmanager:UpdateSecretVersionStage"));
        Assert.Equal(1, calls.Count("cloudfront:CreateInvalidation"));
    }

    /// <summary>The seeded world with every step configured: canary, secret, ECS, Terraform (one destroy allowed), CDN.</summary>
    [Fact]
    public async Task Plan_with_an_infra_section_shows_the_terraform_summary_and_leaves_no_file_or_folder_behind()
    {
        Assert.SkipWhen(TerraformRepository.Missing is not null, $"the Terraform tests need {TerraformRepository.Missing}");
        await using var world = await PlaybookHarness.SeedAsync(emulator, "infdry", Ct);
        using var repo = await TerraformRepository.CreateAsync(Ct);
        var config = Config(world, repo);
        var ledgerFolder = Path.GetDirectoryName(world.Ledger.Location)!;
        string[] Everything() => [.. Directory.EnumerateFileSystemEntries(ledgerFolder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
        var before = Everything();

        var plan = await InProcessAsync(["plan", "--config", config]);

        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Contains("terraform", plan.Stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, Everything());
    }

    /// <summary>The seeded world with canary, secret, ECS, Terraform (one destroy allowed) and CDN.</summary>
    internal static string Config(PlaybookHarness world, TerraformRepository repo) => repo.Config(
        maxDestroys: 1,
        ledger: world.Ledger.Location,
        service: $"""
            service:
              name: {world.Names.Service}
              cluster: {world.Names.Cluster}
              ecs_service: {world.Names.Service}
              family: {world.Names.Family}
              deploy_timeout: 60s
            """,
        extra: $"""
            aws:
              region: us-east-1
            canary:
              listener_arn: {world.World.ListenerArn}
              main_target_group: {world.World.MainTargetGroupArn}
              canary_target_group: {world.World.CanaryTargetGroupArn}
            secrets:
              - id: {world.World.SecretArn}
            cdn:
              distribution_id: {world.World.DistributionId}
            """);

    private async Task<RewindResult> InProcessAsync(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await RewindApp.RunAsync(args, stdout, stderr, Ct, _ => new AwsClients(ClientFactory.Session(emulator)));
        return new RewindResult(code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose() => _rewind.Dispose();
}
