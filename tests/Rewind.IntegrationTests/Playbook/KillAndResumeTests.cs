using System.Text.Json.Nodes;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Cli;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>
/// The real thing: <c>rewind run --live</c> as its own process, killed with SIGKILL right after a journaled mutating
/// call, then <c>rewind resume</c> as another process. Each mutating AWS call must reach the emulator exactly once.
/// </summary>
[Collection("rollout-emulator")]
public sealed class KillAndResumeTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("canary", JournalKind.CallSent, "kcs")]
    [InlineData("ecs", JournalKind.CallSent, "kes")]
    [InlineData("ecs", JournalKind.CallSucceeded, "kek")]
    public async Task A_run_killed_after_a_journaled_call_is_finished_by_resume_with_each_call_made_once(string step, JournalKind kind, string prefix)
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, prefix, Ct);
        using var rewind = new RewindProcess();
        var config = Path.Combine(Path.GetDirectoryName(world.Ledger.Location)!, "rewind.yaml");
        await File.WriteAllTextAsync(config, $"""
            service:
              name: {world.Names.Family}
              cluster: {world.Names.Cluster}
              ecs_service: {world.Names.Service}
              family: {world.Names.Family}
            aws:
              region: us-east-1
              endpoint_url: {emulator.Endpoint}
            canary:
              listener_arn: {world.World.ListenerArn}
              main_target_group: {world.World.MainTargetGroupArn}
              canary_target_group: {world.World.CanaryTargetGroupArn}
            ledger:
              path: {world.Ledger.Location}
            incident:
              drafts_dir: {Path.Combine(Path.GetDirectoryName(world.Ledger.Location)!, "postmortems")}
            """, Ct);
        var keys = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = emulator.AccessKeyId, ["AWS_SECRET_ACCESS_KEY"] = emulator.SecretAccessKey };

        using (var run = rewind.Start(["run", "--live", "--yes", "--config", config], keys))
        {
            var drained = Task.WhenAll(run.StandardOutput.ReadToEndAsync(Ct), run.StandardError.ReadToEndAsync(Ct));
            var runId = await WaitForEntryAsync(world, step, kind);
            run.Kill(entireProcessTree: true);
            await run.WaitForExitAsync(Ct);
            await drained;
            Assert.Equal(RunStatus.Running, (await world.Ledger.Runs.GetRunAsync(runId, Ct))!.Status);
        }

        var resumed = await rewind.RunAsync(["resume", "--config", config], keys, Ct);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("no longer running on this host", resumed.Stderr, StringComparison.Ordinal);
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("ecs:UpdateService"));
        Assert.Equal(1, calls.Count("elasticloadbalancing:ModifyListener"));
        var service = await world.ServiceAsync(Ct);
        Assert.EndsWith(":3", service.PrimaryDeployment!.TaskDefinition, StringComparison.Ordinal);
        Assert.True((await LedgerVerifier.VerifyAsync(world.Ledger, null, Ct)).IsIntact);
    }

    /// <summary>Polls the ledger until the run journals <paramref name="kind"/> for a call of <paramref name="step"/>.</summary>
    private static async Task<string> WaitForEntryAsync(PlaybookHarness world, string step, JournalKind kind)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            foreach (var run in await world.Ledger.Runs.ListRunsAsync(null, 5, deadline.Token))
            {
                var journal = await world.Ledger.Runs.ReadJournalAsync(run.Id, deadline.Token);
                if (journal.Any(e => e.Step == step && e.Kind == kind && JsonNode.Parse(e.Detail)?["call"] is not null))
                    return run.Id;
            }
            await Task.Delay(10, deadline.Token);
        }
    }
}
