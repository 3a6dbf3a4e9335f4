using Rewind.Aws;
using Rewind.Aws.SecretsManager;
using Rewind.Cli;
using Rewind.Cli.Demo;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Clients.Support;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>
/// The plan is the truth on resume: a run killed after its first journaled call, rewind.yaml then pointed at other
/// existing resources (a second seeded world: its cluster and service, its listener and target groups, its secret),
/// and <c>rewind resume</c> finishes what the plan named, saying what changed; <c>--replan</c> acts on the new
/// configuration instead; and a plan stored in 418e7ad's format (flat parameters, no schema version) still resumes.
/// </summary>
[Collection("rollout-emulator")]
public sealed class ConfigDriftResumeTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_a_crashed_run_and_rewind_yaml_pointed_at_other_resources_when_resumed_then_only_what_the_plan_named_changes_and_stderr_lists_the_differences()
    {
        await using var other = await PlaybookHarness.SeedAsync(emulator, "cdro", Ct);
        await using var planned = await PlaybookHarness.SeedAsync(emulator, "cdrp", Ct);
        var config = await CrashFirstCallAsync(planned);
        var run = Assert.Single(await planned.Ledger.Runs.ListRunsAsync(planned.Names.Family, 10, Ct));
        var target = EngineJson.DeserializePlan(run.PlanJson).Target!.TaskDefinitionArn;
        var untouched = await StateAsync(other);
        await WriteConfigAsync(config, planned, other.World);

        var resumed = await RewindAsync(["resume", run.Id, "--takeover", "--yes", "--config", config]);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"rewind: rewind.yaml changed since {run.Id} was planned: service.ecs_service is now {other.Names.Service}; the plan names {planned.Names.Service}", Lines(resumed));
        Assert.Contains($"rewind: rewind.yaml changed since {run.Id} was planned: canary.listener_arn is now {other.World.ListenerArn}; the plan names the listener {planned.World.ListenerArn}", Lines(resumed));
        Assert.Contains($"rewind: rewind.yaml changed since {run.Id} was planned: secrets[].id is now {other.World.SecretArn}; the plan names {planned.World.SecretArn}", Lines(resumed));
        Assert.Contains($"rewind: resuming the stored plan (what was shown and approved); 'rewind resume {run.Id} --replan' plans again from rewind.yaml instead", Lines(resumed));
        Assert.Equal(RunStatus.Succeeded, (await planned.Ledger.Runs.GetRunAsync(run.Id, Ct))!.Status);
        Assert.Equal(new LayerState(target, "100/0", planned.World.PreviousSecretVersionId), await StateAsync(planned));
        Assert.Equal(untouched, await StateAsync(other));
        var calls = await planned.CallsAsync(Ct);
        Assert.Equal((1, 1, 1), (calls.Count("elasticloadbalancing:ModifyListener"), calls.Count("secretsmanager:UpdateSecretVersionStage"), calls.Count("ecs:UpdateService")));
    }

    [Fact]
    public async Task Given_a_crashed_run_and_rewind_yaml_pointed_at_other_resources_when_resumed_with_replan_then_a_new_run_acts_on_the_new_configuration()
    {
        await using var other = await PlaybookHarness.SeedAsync(emulator, "cdqo", Ct);
        await using var planned = await PlaybookHarness.SeedAsync(emulator, "cdqp", Ct);
        var config = await CrashFirstCallAsync(planned);
        var run = Assert.Single(await planned.Ledger.Runs.ListRunsAsync(planned.Names.Family, 10, Ct));
        var target = EngineJson.DeserializePlan(run.PlanJson).Target!.TaskDefinitionArn;
        var before = await StateAsync(planned);
        await WriteConfigAsync(config, planned, other.World);

        var replanned = await RewindAsync(["resume", run.Id, "--replan", "--takeover", "--yes", "--config", config]);

        Assert.True(replanned.ExitCode == 0, replanned.ToString());
        Assert.Contains(Lines(replanned), l => l.StartsWith($"rewind: {run.Id} is superseded (--replan)", StringComparison.Ordinal));
        Assert.Equal(RunStatus.Failed, (await planned.Ledger.Runs.GetRunAsync(run.Id, Ct))!.Status);
        var runs = await planned.Ledger.Runs.ListRunsAsync(planned.Names.Family, 10, Ct);
        Assert.Equal(2, runs.Count);
        Assert.Equal(RunStatus.Succeeded, runs.Single(r => r.Id != run.Id).Status);
        Assert.Equal(new LayerState(target, "100/0", other.World.PreviousSecretVersionId), await StateAsync(other));
        Assert.Equal(before, await StateAsync(planned)); // the crashed run's canary change stays; nothing else moved
    }

    [Fact]
    public async Task Given_a_run_whose_plan_was_stored_in_the_418e7ad_format_when_resumed_then_it_completes()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "cdv1", Ct);
        var config = Path.Combine(Path.GetDirectoryName(world.Ledger.Location)!, "rewind.yaml");
        await WriteConfigAsync(config, world, world.World);
        var seeded = world.World;
        var target = seeded.TaskDefinitionArns[2];
        var running = seeded.TaskDefinitionArns[3];
        var runId = LedgerIds.NewRunId(DateTimeOffset.UtcNow);
        // Exactly as 418e7ad's EngineJson wrote it: flat parameters, no schemaVersion, no detail.
        var stored = $$$"""
            {
              "service": "{{{world.Names.Family}}}",
              "target": {
                "kind": "revision",
                "label": "{{{world.Names.Family}}}:3",
                "reason": "next lower ACTIVE revision below the running {{{world.Names.Family}}}:4",
                "releaseId": null,
                "taskDefinitionArn": "{{{target}}}",
                "snapshot": {}
              },
              "createdAt": "2026-11-27T09:15:00+00:00",
              "steps": [
                {
                  "step": "canary",
                  "stage": "Traffic",
                  "summary": "set the listener's weights to main 100 / canary 0",
                  "changes": [ "listener {{{seeded.ListenerArn}}}: main 90 / canary 10 → main 100 / canary 0" ],
                  "nothingToDo": false,
                  "expectedSeconds": 1,
                  "deadlineSeconds": 60,
                  "parameters": { "arn": "{{{seeded.ListenerArn}}}", "kind": "listener", "main": "100", "canary": "0", "previous": "90/10" }
                },
                {
                  "step": "secrets",
                  "stage": "Secrets",
                  "summary": "move AWSCURRENT back on 1 secret(s)",
                  "changes": [ "secret api-key: AWSCURRENT {{{seeded.CurrentSecretVersionId}}} → {{{seeded.PreviousSecretVersionId}}} (AWSPREVIOUS)" ],
                  "nothingToDo": false,
                  "expectedSeconds": 1,
                  "deadlineSeconds": 60,
                  "parameters": { "secret.0": "{{{seeded.SecretArn}}}", "target.0": "{{{seeded.PreviousSecretVersionId}}}" }
                },
                {
                  "step": "ecs",
                  "stage": "Service",
                  "summary": "update {{{world.Names.Service}}} in {{{world.Names.Cluster}}} to {{{world.Names.Family}}}:3 with a new deployment, then wait for it to complete",
                  "changes": [ "service {{{world.Names.Cluster}}}/{{{world.Names.Service}}}: {{{world.Names.Family}}}:4 → {{{world.Names.Family}}}:3 (2 tasks)" ],
                  "nothingToDo": false,
                  "expectedSeconds": 60,
                  "deadlineSeconds": 60,
                  "parameters": { "cluster": "{{{world.Names.Cluster}}}", "service": "{{{world.Names.Service}}}", "taskDefinition": "{{{target}}}", "previousTaskDefinition": "{{{running}}}" }
                }
              ],
              "expectedSeconds": 62
            }
            """;
        await world.Ledger.Runs.CreateRunAsync(new Run(runId, world.Names.Family, DateTimeOffset.UtcNow, RunStatus.Running, null, stored), Ct);

        var resumed = await RewindAsync(["resume", runId, "--yes", "--config", config]);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.DoesNotContain(Lines(resumed), l => l.Contains("changed since", StringComparison.Ordinal));
        Assert.Equal(RunStatus.Succeeded, (await world.Ledger.Runs.GetRunAsync(runId, Ct))!.Status);
        Assert.Equal(new LayerState(target, "100/0", seeded.PreviousSecretVersionId), await StateAsync(world));
        Assert.True((await LedgerVerifier.VerifyAsync(world.Ledger, runId, Ct)).IsIntact);
    }

    /// <summary>What the three layers of a world show: the PRIMARY deployment's task definition, the weights, AWSCURRENT.</summary>
    private sealed record LayerState(string? TaskDefinition, string Weights, string? SecretVersion);

    private static async Task<LayerState> StateAsync(PlaybookHarness world)
    {
        var service = Assert.Single((await world.Ecs.DescribeServicesAsync(world.Names.Cluster, [world.Names.Service], Ct)).Services);
        var action = Assert.Single((await world.ListenerAsync(Ct)).DefaultActions);
        var secret = await new SecretsManagerClient(world.Transport).DescribeSecretAsync(world.World.SecretArn, Ct);
        return new LayerState(
            service.PrimaryDeployment?.TaskDefinition,
            string.Join("/", action.ForwardConfig!.TargetGroups.Select(g => g.Weight)),
            secret?.VersionWithStage(SecretVersionSelector.CurrentStage));
    }

    /// <summary>
    /// <c>rewind run --live --only canary secrets ecs</c> over <paramref name="world"/>, killed right after the canary's
    /// ModifyListener is journaled as answered; returns the rewind.yaml it ran with.
    /// </summary>
    private async Task<string> CrashFirstCallAsync(PlaybookHarness world)
    {
        var config = Path.Combine(Path.GetDirectoryName(world.Ledger.Location)!, "rewind.yaml");
        await WriteConfigAsync(config, world, world.World);
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        KillingLedger? killing = null;
        using (var stdout = new StringWriter())
        using (var stderr = new StringWriter())
        {
            await RewindApp.RunAsync(["run", "--live", "--yes", "--only", "canary", "secrets", "ecs", "--config", config], stdout, stderr, kill.Token,
                _ => new AwsClients(ClientFactory.Session(emulator)),
                ledger => killing = new KillingLedger(ledger, new JournalPoint("canary", JournalKind.CallSucceeded, "ModifyListener", 0), KillMode.AfterEntry, kill));
        }
        Assert.True(killing!.Killed, "the run was not killed after its first journaled call");
        await killing.QuietAsync(TimeSpan.FromMilliseconds(150), Ct);
        var calls = await world.CallsAsync(Ct);
        Assert.Equal((1, 0, 0), (calls.Count("elasticloadbalancing:ModifyListener"), calls.Count("secretsmanager:UpdateSecretVersionStage"), calls.Count("ecs:UpdateService")));
        return config;
    }

    /// <summary>rewind.yaml for the service of <paramref name="owner"/> (its name and ledger) pointed at the resources of <paramref name="resources"/>.</summary>
    private static Task WriteConfigAsync(string path, PlaybookHarness owner, SeededWorld resources) =>
        File.WriteAllTextAsync(path, $"""
            service:
              name: {owner.Names.Family}
              cluster: {resources.Names.Cluster}
              ecs_service: {resources.Names.Service}
              family: {owner.Names.Family}
              deploy_timeout: 60s
            aws:
              region: us-east-1
            canary:
              listener_arn: {resources.ListenerArn}
              main_target_group: {resources.MainTargetGroupArn}
              canary_target_group: {resources.CanaryTargetGroupArn}
            secrets:
              - id: {resources.SecretArn}
            ledger:
              path: {owner.Ledger.Location}
            """, Ct);

    private static string[] Lines(CliOutcome outcome) => outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private async Task<CliOutcome> RewindAsync(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await RewindApp.RunAsync(args, stdout, stderr, Ct, _ => new AwsClients(ClientFactory.Session(emulator)));
        return new CliOutcome(code, stdout.ToString(), stderr.ToString());
    }
}
