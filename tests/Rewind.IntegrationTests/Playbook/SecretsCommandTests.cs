using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Aws.SecretsManager;
using Rewind.Cli;
using Rewind.Core;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Clients.SecretsManager;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.Playbook.Secrets;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>
/// Issue 5's secret rotation rollback on the emulator: the recorded version wins over AWSPREVIOUS, several secrets in
/// one step, <c>--restart</c> after the move, <c>--versions</c>, and no secret value anywhere Rewind writes.
/// </summary>
[Collection("rollout-emulator")]
public sealed class SecretsCommandTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_secret_with_three_versions_goes_back_to_the_version_the_target_release_recorded_not_to_AWSPREVIOUS()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "s3v", Ct);
        var (arn, first) = await Seeder(world).CreateSecretAsync($"s3v-{Guid.NewGuid():N}", "value-one", Ct);
        var second = await Seeder(world).PutSecretValueAsync(arn, "value-two", Ct);
        var third = await Seeder(world).PutSecretValueAsync(arn, "value-three", Ct);
        var target = new RollbackTarget("release", "release 1.0", "--to", "rel-1", world.World.LastGoodTaskDefinitionArn)
        {
            Snapshot = new Dictionary<string, string> { ["secret:" + arn] = first },
        };
        var secrets = new SecretsManagerClient(world.Transport);

        var (plan, outcome) = await world.RunAsync(target, [new SecretsStep(secrets, [arn])], Ct);

        Assert.Contains($"{third} → {first} (recorded in the target release)", Assert.Single(Assert.Single(plan.Steps).Changes), StringComparison.Ordinal);
        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var described = await secrets.DescribeSecretAsync(arn, Ct);
        Assert.Equal(first, described!.VersionWithStage("AWSCURRENT"));
        Assert.NotEqual(second, described.VersionWithStage("AWSCURRENT"));
    }

    [Fact]
    public async Task A_secret_with_one_version_has_no_AWSPREVIOUS_and_is_refused_before_any_change()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "s1v", Ct);
        var (arn, _) = await Seeder(world).CreateSecretAsync($"s1v-{Guid.NewGuid():N}", "only-value", Ct);
        await world.ResetCallsAsync(Ct);

        var error = await Assert.ThrowsAsync<RewindException>(() => world.PlanAsync(null, [new SecretsStep(new SecretsManagerClient(world.Transport), [arn])], Ct));

        Assert.Equal(FailureKind.BadInput, error.Kind);
        Assert.Contains("has no AWSPREVIOUS version and the target release recorded none", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await world.CallsAsync(Ct)).MutatingTotal);
    }

    [Fact]
    public async Task Several_secrets_of_one_service_all_move_back_in_one_step()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "smany", Ct);
        var (other, before) = await Seeder(world).CreateSecretAsync($"smany-{Guid.NewGuid():N}", "db-password-1", Ct);
        await Seeder(world).PutSecretValueAsync(other, "db-password-2", Ct);
        await world.ResetCallsAsync(Ct);
        var secrets = new SecretsManagerClient(world.Transport);

        var (_, outcome) = await world.RunAsync(null, [new SecretsStep(secrets, [world.World.SecretArn, other])], Ct);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(world.World.PreviousSecretVersionId, (await secrets.DescribeSecretAsync(world.World.SecretArn, Ct))!.VersionWithStage("AWSCURRENT"));
        Assert.Equal(before, (await secrets.DescribeSecretAsync(other, Ct))!.VersionWithStage("AWSCURRENT"));
        Assert.Equal(2, (await world.CallsAsync(Ct)).Count("secretsmanager:UpdateSecretVersionStage"));
        Assert.Equal(2, Assert.IsType<Rewind.Core.Evidence.SecretsRestored>(Assert.Single(outcome.Steps).Result.Evidence).Secrets.Count);
    }

    [Fact]
    public async Task Secret_restart_moves_the_secret_first_then_waits_for_the_new_deployment_of_the_running_revision()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "srst", Ct);
        var before = await world.ServiceAsync(Ct);
        var config = Config(world, world.World.SecretArn);

        var result = await RunAsync(["secret", "--restart", "--live", "--yes", "--config", config, "--output", "json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var journal = await world.Ledger.Runs.ReadJournalAsync((await world.LatestRunAsync(Ct)).Id, Ct);
        var secretsDone = journal.Single(e => e.Step == "secrets" && e.Kind == JournalKind.Completed).Seq;
        var restartSent = journal.Single(e => e.Step == "ecs" && e.Kind == JournalKind.CallSent).Seq;
        Assert.True(secretsDone < restartSent, "the secret must be back before the tasks restart");
        var evidence = JsonNode.Parse(journal.Single(e => e.Step == "ecs" && e.Kind == JournalKind.Completed).Detail)!["evidence"]!;
        var started = JsonNode.Parse(journal.Single(e => e.Step == "ecs" && e.Kind == JournalKind.CallSucceeded).Detail)!["deployment"]!.GetValue<string>();
        Assert.Equal(started, evidence["deployment"]!.GetValue<string>());
        Assert.NotEqual(before.PrimaryDeployment!.Id, started);
        Assert.Equal("COMPLETED", evidence["rolloutState"]!.GetValue<string>());
        var after = await world.ServiceAsync(Ct);
        Assert.Equal(before.PrimaryDeployment.TaskDefinition, after.PrimaryDeployment!.TaskDefinition);
        Assert.Equal(1, (await world.CallsAsync(Ct)).Count("ecs:UpdateService"));
    }

    [Fact]
    public async Task Secret_restart_killed_after_its_UpdateService_went_out_but_before_it_was_recorded_resumes_without_a_second_deployment()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "srstk", Ct);
        var config = Config(world, world.World.SecretArn);
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        KillingLedger? killing = null;
        using (var stdout = new StringWriter())
        using (var stderr = new StringWriter())
        {
            await RewindApp.RunAsync(["secret", "--restart", "--live", "--yes", "--config", config], stdout, stderr, kill.Token,
                _ => new AwsClients(ClientFactory.Session(emulator)),
                ledger => killing = new KillingLedger(ledger, new JournalPoint("ecs", JournalKind.CallSent, "UpdateService", 0), KillMode.AfterRequestSent, kill));
        }
        Assert.True(killing!.Killed, "the run was not killed between the UpdateService it sent and its record");
        await killing.QuietAsync(TimeSpan.FromMilliseconds(150), Ct);
        Assert.Equal(1, (await world.CallsAsync(Ct)).Count("ecs:UpdateService"));

        var resumed = await RunAsync(["resume", "--takeover", "--yes", "--config", config]);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(1, (await world.CallsAsync(Ct)).Count("ecs:UpdateService"));
        Assert.Equal(RunStatus.Succeeded, (await world.LatestRunAsync(Ct)).Status);
    }

    [Fact]
    public async Task Secret_versions_lists_ids_and_stages_without_reading_a_value_or_changing_anything()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "svers", Ct);
        await world.ResetCallsAsync(Ct);

        var result = await RunAsync(["secret", "--versions", "--secret-id", world.World.SecretArn, "--config", Config(world, null), "--output", "json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.Stdout);
        var versions = Assert.Single(document.RootElement.GetProperty("secrets").EnumerateArray()).GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(world.World.CurrentSecretVersionId, versions[0].GetProperty("versionId").GetString());
        Assert.Contains("AWSCURRENT", versions[0].GetProperty("stages").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(world.World.PreviousSecretVersionId, versions[1].GetProperty("versionId").GetString());
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(0, calls.MutatingTotal);
        Assert.Equal(0, calls.Count("secretsmanager:GetSecretValue"));
    }

    [Fact]
    public async Task No_secret_value_appears_in_stdout_stderr_the_ledger_the_reports_or_the_postmortem_draft()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "sscan", Ct);
        var marker = $"s3cr3t-{Guid.NewGuid():N}";
        var (arn, _) = await Seeder(world).CreateSecretAsync($"sscan-{Guid.NewGuid():N}", marker + "-old", Ct);
        await Seeder(world).PutSecretValueAsync(arn, marker + "-new", Ct);
        var config = Config(world, arn);

        var outputs = new[]
        {
            await RunAsync(["plan", "--config", config, "--output", "json"]),
            await RunAsync(["run", "--live", "--yes", "--config", config, "--verbose"]),
            await RunAsync(["secret", "--versions", "--config", config]),
            await RunAsync(["history", "--config", config, "--output", "json"]),
            await RunAsync(["report", "--format", "md", "--config", config]),
            await RunAsync(["report", "--format", "html", "--config", config]),
            await RunAsync(["report", "--format", "json", "--config", config]),
        };

        Assert.All(outputs, o => Assert.True(o.ExitCode == 0, o.ToString()));
        Assert.All(outputs, o => Assert.DoesNotContain(marker, o.Stdout + o.Stderr, StringComparison.Ordinal));
        Assert.Contains(arn, outputs[0].Stdout, StringComparison.Ordinal);
        Assert.Contains("## Timeline", outputs[4].Stdout, StringComparison.Ordinal);
        await world.Ledger.DisposeAsync();
        var folder = Path.GetDirectoryName(world.Ledger.Location)!;
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(folder, "postmortems")));
        foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(marker, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file, Ct)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_run_made_from_flags_resumes_although_the_configuration_names_no_secret()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "sres", Ct);
        var plan = await world.PlanAsync(null, [new SecretsStep(new SecretsManagerClient(world.Transport), [world.World.SecretArn])], Ct);
        var now = DateTimeOffset.UtcNow;
        await world.Ledger.Runs.CreateRunAsync(new Run(LedgerIds.NewRunId(now), plan.Service, now, RunStatus.Cancelled, null, EngineJson.Serialize(plan)), Ct);
        await world.ResetCallsAsync(Ct);

        var result = await RunAsync(["resume", "--config", Config(world, null)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var described = await new SecretsManagerClient(world.Transport).DescribeSecretAsync(world.World.SecretArn, Ct);
        Assert.Equal(world.World.PreviousSecretVersionId, described!.VersionWithStage("AWSCURRENT"));
        Assert.Equal(1, (await world.CallsAsync(Ct)).Count("secretsmanager:UpdateSecretVersionStage"));
    }

    private static SecretsSeeder Seeder(PlaybookHarness world) => new(world.Transport);

    /// <summary>A rewind.yaml for the seeded world with one configured secret (or none).</summary>
    private static string Config(PlaybookHarness world, string? secret)
    {
        var path = Path.Combine(Path.GetDirectoryName(world.Ledger.Location)!, $"rewind-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $"""
            service:
              name: {world.Names.Service}
              cluster: {world.Names.Cluster}
              ecs_service: {world.Names.Service}
              family: {world.Names.Family}
              deploy_timeout: 60s
            aws:
              region: us-east-1
            ledger:
              path: {world.Ledger.Location}
            incident:
              drafts_dir: {Path.Combine(Path.GetDirectoryName(world.Ledger.Location)!, "postmortems")}
            {(secret is null ? "" : $"secrets:\n  - id: {secret}")}
            """);
        return path;
    }

    private Task<CliOutcome> RunAsync(string[] args) => EmulatorCli.RunAsync(emulator, args);
}
