using System.Text.Json.Nodes;
using Rewind.Aws.SecretsManager;
using Rewind.Cli;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Announce;
using Rewind.IntegrationTests.Cli;
using Rewind.IntegrationTests.Playbook;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.IntegrationTests.Undo;

/// <summary>
/// <c>rewind undo RUN</c> on the emulator, after a live rollback of the demo world (v4 deployed, weights 90/10, the API
/// key rotated): the undo brings the task definition, the listener's weights and AWSCURRENT back to what the rollback
/// replaced, journaled; the dry run changes nothing; a layer moved since, or the rollback's freeze, refuses it.
/// </summary>
[Collection("rollout-emulator")]
public sealed class UndoCommandTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_a_live_rollback_when_undone_live_under_its_freeze_with_an_override_then_every_layer_is_back_on_what_it_replaced_and_journaled()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "undo", Ct);
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok"));
        var (config, rollback) = await RollBackAsync(world, world.WriteConfig($"""
            secrets:
              - id: {world.World.SecretArn}
            cdn:
              distribution_id: {world.World.DistributionId}
            notify:
              team: {"{"} slack_webhook_env: {AnnounceCli.Variable("team", slack.Url)} {"}"}
            """));
        await world.ResetCallsAsync(Ct);
        var told = slack.Requests.Count;

        var undo = await RewindAsync(["undo", rollback, "--live", "--yes", "--override-freeze", "--reason", "false alarm", "--config", config]);

        Assert.True(undo.ExitCode == 0, undo.ToString());
        Assert.Equal(world.World.DeployedTaskDefinitionArn, (await world.ServiceAsync(Ct)).PrimaryDeployment!.TaskDefinition);
        Assert.Equal((DemoWeightsMain, DemoWeightsCanary), await WeightsAsync(world));
        Assert.Equal(world.World.CurrentSecretVersionId, await CurrentSecretVersionAsync(world));
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("ecs:UpdateService"));
        Assert.Equal(1, calls.Count("elasticloadbalancing:ModifyListener"));
        Assert.Equal(1, calls.Count("secretsmanager:UpdateSecretVersionStage"));
        Assert.Equal(1, calls.Count("cloudfront:CreateInvalidation"));
        Assert.Equal(0, calls.Count("ssm:PutParameter"));

        var run = (await world.Ledger.Runs.ListRunsAsync(world.Names.Family, 1, Ct)).Single();
        Assert.NotEqual(rollback, run.Id);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        var plan = EngineJson.DeserializePlan(run.PlanJson);
        Assert.Equal(rollback, plan.Undoes);
        Assert.Equal(["undo-override", "canary", "secrets", "ecs", "cdn", "notify"], plan.Steps.Select(s => s.Step));
        // One announcement of its own, "undo of RUN", to the team the rollback told; no "started" of a rollback.
        var message = Assert.Single(slack.Requests.Skip(told));
        Assert.Contains($"undo of {rollback}: {world.Names.Family} goes back to what {rollback} replaced: {world.Names.Family}:4", message.Body, StringComparison.Ordinal);
        Assert.Contains("(false alarm)", message.Body, StringComparison.Ordinal);
        var journal = await world.Ledger.Runs.ReadJournalAsync(run.Id, Ct);
        // The override is journaled, with its evidence, before the first change of the undo.
        var overridden = Assert.Single(journal, e => e.Step == "undo-override" && e.Kind == JournalKind.Completed);
        var firstChange = journal.First(e => e.Kind == JournalKind.CallSent && e.Step != "undo-override");
        Assert.True(overridden.Seq < firstChange.Seq, $"override at {overridden.Seq}, first change at {firstChange.Seq}");
        var evidence = JsonNode.Parse(overridden.Detail)!["evidence"]!;
        Assert.Equal(("undoFreezeOverridden", rollback, "false alarm"), (evidence["type"]!.GetValue<string>(), evidence["undoes"]!.GetValue<string>(), evidence["reason"]!.GetValue<string>()));
        Assert.True((await LedgerVerifier.VerifyAsync(world.Ledger, null, Ct)).IsIntact);

        var history = await RewindAsync(["history", "--config", config]);
        Assert.Contains($"undo of {rollback}", history.Stdout.ReplaceLineEndings(" "), StringComparison.Ordinal);
        var json = await RewindAsync(["history", "--output", "json", "--config", config]);
        var runs = JsonNode.Parse(json.Stdout)!["runs"]!.AsArray();
        Assert.Equal(rollback, runs.Single(r => r!["id"]!.GetValue<string>() == run.Id)!["undoes"]!.GetValue<string>());
    }

    [Fact(Skip = "races in CI: when Ctrl-C lands just after the undo's UpdateService was sent, the next run ended with the service on the undone :4, not :3; to investigate (issue 18 note)")]
    public async Task Given_an_undo_interrupted_half_way_when_run_live_again_then_it_plans_afresh_and_rolls_back_every_layer_again()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "undorerun", Ct);
        var (config, rollback) = await RollBackAsync(world);
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var undo = AnnounceCli.RunAsync(emulator, ["undo", rollback, "--live", "--yes", "--override-freeze", "--reason", "false alarm", "--config", config], interrupt.Token);
        var undoId = await WaitForCallAsync(world, rollback, "ecs", JournalKind.CallSent);
        await interrupt.CancelAsync();
        Assert.Equal(ExitCodes.Cancelled, (await undo).ExitCode);
        // What kill -9 leaves behind: the undo still marked running, as an in-flight rollback would be continued.
        await world.Ledger.Runs.SetRunStatusAsync(undoId, RunStatus.Running, Ct);
        await world.ResetCallsAsync(Ct);

        // Neither the undo nor the run it undid is continued, nor taken as "already there"; and the secret's AWSPREVIOUS
        // (the version the undone rollback moved away from, moved back by the undo) is not blocked.
        var again = await RewindAsync(["run", "--live", "--yes", "--config", config]);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.DoesNotContain("continuing", again.Stderr, StringComparison.Ordinal);
        var runs = (await world.Ledger.Runs.ListRunsAsync(world.Names.Family, 10, Ct)).Select(r => r.Id).ToList();
        Assert.Equal(3, runs.Count);
        Assert.DoesNotContain(runs[0], new[] { rollback, undoId });
        Assert.Equal(world.World.LastGoodTaskDefinitionArn, (await world.ServiceAsync(Ct)).PrimaryDeployment!.TaskDefinition);
        Assert.Equal((100, 0), await WeightsAsync(world));
        Assert.Equal(world.World.PreviousSecretVersionId, await CurrentSecretVersionAsync(world));
        // Once if the interrupted undo's UpdateService landed, none if Ctrl-C came first.
        Assert.InRange((await world.CallsAsync(Ct)).Count("ecs:UpdateService"), 0, 1);
    }

    [Fact]
    public async Task Given_a_live_rollback_when_undo_runs_dry_then_it_shows_the_inverted_plan_and_changes_nothing()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "undodry", Ct);
        var (config, rollback) = await RollBackAsync(world);
        await world.ResetCallsAsync(Ct);

        var dry = await RewindAsync(["undo", rollback, "--output", "json", "--config", config]);

        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Equal(0, (await world.CallsAsync(Ct)).MutatingTotal);
        var plan = JsonNode.Parse(dry.Stdout)!["plan"]!;
        Assert.Equal(rollback, plan["undoes"]!.GetValue<string>());
        var ecs = plan["steps"]!.AsArray().Single(s => s!["step"]!.GetValue<string>() == "ecs")!;
        Assert.Equal(world.World.DeployedTaskDefinitionArn, ecs["detail"]!["targetTaskDefinition"]!.GetValue<string>());
        Assert.Contains("incident: not reopened", plan["notes"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal([rollback], (await world.Ledger.Runs.ListRunsAsync(world.Names.Family, 10, Ct)).Select(r => r.Id));
        Assert.Equal(world.World.LastGoodTaskDefinitionArn, (await world.ServiceAsync(Ct)).PrimaryDeployment!.TaskDefinition);
    }

    [Fact]
    public async Task Given_a_deploy_after_the_rollback_when_undone_then_it_is_refused_naming_the_running_revision_and_nothing_changes()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "undomoved", Ct);
        var (config, rollback) = await RollBackAsync(world);
        var later = await world.EcsSeeder.RegisterTaskDefinitionAsync(world.Names.Family, $"{world.Names.ImageRepository(Emulator.EmulatorFixture.Region)}:v5", Ct);
        await world.Ecs.UpdateServiceAsync(new Aws.Ecs.ServiceUpdate(world.Names.Cluster, world.Names.Service, later, ForceNewDeployment: true), Ct);
        await world.ResetCallsAsync(Ct);

        var undo = await RewindAsync(["undo", rollback, "--live", "--yes", "--override-freeze", "--reason", "false alarm", "--config", config]);

        Assert.Equal(ExitCodes.BadInput, undo.ExitCode);
        var line = Assert.Single(undo.ErrorLines);
        Assert.StartsWith($"rewind: {world.Names.Service} now runs {world.Names.Family}:5, not {world.Names.Family}:3 that {rollback} left; undo would overwrite it", line, StringComparison.Ordinal);
        Assert.Equal(0, (await world.CallsAsync(Ct)).MutatingTotal);
        Assert.Equal([rollback], (await world.Ledger.Runs.ListRunsAsync(world.Names.Family, 10, Ct)).Select(r => r.Id));
    }

    [Fact]
    public async Task Given_the_rollbacks_freeze_in_force_when_undone_without_override_then_it_is_blocked_and_nothing_changes()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "undofrz", Ct);
        var (config, rollback) = await RollBackAsync(world);
        await world.ResetCallsAsync(Ct);

        var undo = await RewindAsync(["undo", rollback, "--live", "--yes", "--config", config]);

        Assert.Equal(ExitCodes.Blocked, undo.ExitCode);
        var line = Assert.Single(undo.ErrorLines);
        Assert.Contains($"{rollback}'s freeze", line, StringComparison.Ordinal);
        Assert.Contains("--override-freeze --reason", line, StringComparison.Ordinal);
        Assert.Equal(0, (await world.CallsAsync(Ct)).MutatingTotal);
        Assert.Equal([rollback], (await world.Ledger.Runs.ListRunsAsync(world.Names.Family, 10, Ct)).Select(r => r.Id));
    }

    [Fact]
    public async Task Given_an_undo_killed_after_its_UpdateService_was_journaled_when_resumed_then_it_finishes_with_each_change_made_once()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "undokill", Ct);
        using var rewind = new RewindProcess();
        var config = world.WriteConfig($"""
            secrets:
              - id: {world.World.SecretArn}
            cdn:
              distribution_id: {world.World.DistributionId}
            """);
        // The process outside this test's emulator session finds the emulator through the file.
        await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(config, Ct)).Replace("  region: us-east-1", $"  region: us-east-1\n  endpoint_url: {emulator.Endpoint}", StringComparison.Ordinal), Ct);
        var (_, rollback) = await RollBackAsync(world, config);
        await world.ResetCallsAsync(Ct);
        var keys = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = emulator.AccessKeyId, ["AWS_SECRET_ACCESS_KEY"] = emulator.SecretAccessKey };

        string undoId;
        using (var undo = rewind.Start(["undo", rollback, "--live", "--yes", "--override-freeze", "--reason", "false alarm", "--config", config], keys))
        {
            var drained = Task.WhenAll(undo.StandardOutput.ReadToEndAsync(Ct), undo.StandardError.ReadToEndAsync(Ct));
            undoId = await WaitForCallAsync(world, rollback, "ecs", JournalKind.CallSucceeded);
            undo.Kill(entireProcessTree: true);
            await undo.WaitForExitAsync(Ct);
            await drained;
        }
        Assert.Equal(RunStatus.Running, (await world.Ledger.Runs.GetRunAsync(undoId, Ct))!.Status);

        var resumed = await rewind.RunAsync(["resume", undoId, "--config", config], keys, Ct);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(RunStatus.Succeeded, (await world.Ledger.Runs.GetRunAsync(undoId, Ct))!.Status);
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("ecs:UpdateService"));
        Assert.Equal(1, calls.Count("elasticloadbalancing:ModifyListener"));
        Assert.Equal(1, calls.Count("secretsmanager:UpdateSecretVersionStage"));
        Assert.Equal(1, calls.Count("cloudfront:CreateInvalidation"));
        var journal = await world.Ledger.Runs.ReadJournalAsync(undoId, Ct);
        Assert.Single(journal, e => e.Step == "undo-override" && e.Kind == JournalKind.CallSent);
        Assert.Equal(world.World.DeployedTaskDefinitionArn, (await world.ServiceAsync(Ct)).PrimaryDeployment!.TaskDefinition);
        Assert.Equal((DemoWeightsMain, DemoWeightsCanary), await WeightsAsync(world));
        Assert.Equal(world.World.CurrentSecretVersionId, await CurrentSecretVersionAsync(world));
        Assert.True((await LedgerVerifier.VerifyAsync(world.Ledger, null, Ct)).IsIntact);

        var replan = await rewind.RunAsync(["resume", undoId, "--replan", "--config", config], keys, Ct);
        Assert.Equal(ExitCodes.BadInput, replan.ExitCode);
    }

    /// <summary>Polls the ledger until a run other than <paramref name="other"/> journals <paramref name="kind"/> for a call of <paramref name="step"/>.</summary>
    private static async Task<string> WaitForCallAsync(PlaybookHarness world, string other, string step, JournalKind kind)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            foreach (var run in (await world.Ledger.Runs.ListRunsAsync(null, 5, deadline.Token)).Where(r => r.Id != other))
            {
                var journal = await world.Ledger.Runs.ReadJournalAsync(run.Id, deadline.Token);
                if (journal.Any(e => e.Step == step && e.Kind == kind && JsonNode.Parse(e.Detail)?["call"] is not null))
                    return run.Id;
            }
            await Task.Delay(10, deadline.Token);
        }
    }

    private const int DemoWeightsMain = Rewind.Cli.Demo.DemoWorld.MainWeight;
    private const int DemoWeightsCanary = Rewind.Cli.Demo.DemoWorld.CanaryWeight;

    /// <summary>The world's rollback, live (canary, secrets, ecs, cdn, incident, freeze): the configuration and the run's id.</summary>
    private async Task<(string Config, string RunId)> RollBackAsync(PlaybookHarness world, string? config = null)
    {
        config ??= world.WriteConfig($"""
            secrets:
              - id: {world.World.SecretArn}
            cdn:
              distribution_id: {world.World.DistributionId}
            """);
        var rollback = await RewindAsync(["run", "--live", "--yes", "--config", config]);
        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        Assert.Equal(world.World.LastGoodTaskDefinitionArn, (await world.ServiceAsync(Ct)).PrimaryDeployment!.TaskDefinition);
        return (config, (await world.Ledger.Runs.ListRunsAsync(world.Names.Family, 1, Ct)).Single().Id);
    }

    private Task<Announce.CliOutcome> RewindAsync(string[] args) => AnnounceCli.RunAsync(emulator, args, Ct);

    private static async Task<(int Main, int Canary)> WeightsAsync(PlaybookHarness world)
    {
        var forward = (await world.ListenerAsync(Ct)).DefaultActions.Single(a => a.IsForward).ForwardConfig!.TargetGroups;
        return (forward.Single(g => g.TargetGroupArn == world.World.MainTargetGroupArn).Weight ?? 1, forward.Single(g => g.TargetGroupArn == world.World.CanaryTargetGroupArn).Weight ?? 1);
    }

    private static async Task<string?> CurrentSecretVersionAsync(PlaybookHarness world) =>
        (await new SecretsManagerClient(world.Transport).DescribeSecretAsync(world.World.SecretArn, Ct))!.VersionWithStage("AWSCURRENT");
}
