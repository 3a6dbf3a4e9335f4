using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Aws.Protocols;
using Rewind.Aws.SecretsManager;
using Rewind.Cli.Demo;
using Rewind.Core.Engine;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.Playbook.Secrets;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>The secret rotation rollback on the emulator: AWSCURRENT moves back, is read back, and no value is ever read.</summary>
[Collection("rollout-emulator")]
public sealed class SecretsRollbackTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_rotated_secret_gets_AWSCURRENT_back_on_its_previous_version_without_reading_the_value()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "srot", Ct);
        var secrets = new SecretsManagerClient(world.Transport);
        var step = new SecretsStep(secrets, [world.World.SecretArn]);

        var (plan, outcome) = await world.RunAsync(null, [step], Ct);

        var stepPlan = Assert.Single(plan.Steps);
        Assert.False(stepPlan.NothingToDo);
        Assert.Contains($"{world.World.CurrentSecretVersionId} → {world.World.PreviousSecretVersionId}", Assert.Single(stepPlan.Changes), StringComparison.Ordinal);
        Assert.Equal(Core.Ledger.RunStatus.Succeeded, outcome.Status);
        var described = await secrets.DescribeSecretAsync(world.World.SecretArn, Ct);
        Assert.Equal(world.World.PreviousSecretVersionId, described!.VersionWithStage("AWSCURRENT"));
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("secretsmanager:UpdateSecretVersionStage"));
        Assert.Equal(0, calls.Count("secretsmanager:GetSecretValue"));
    }

    [Fact]
    public async Task Given_the_secret_rolled_back_when_a_task_reads_it_without_a_stage_then_it_gets_the_good_value_as_from_AWS()
    {
        // The service's tasks call GetSecretValue with the secret id alone; Rewind's own reads always name a stage.
        await using var world = await PlaybookHarness.SeedAsync(emulator, "sread", Ct);
        var (_, outcome) = await world.RunAsync(null, [new SecretsStep(new SecretsManagerClient(world.Transport), [world.World.SecretArn])], Ct);
        Assert.Equal(Core.Ledger.RunStatus.Succeeded, outcome.Status);

        var read = await new JsonProtocol(world.Transport, AwsService.SecretsManager, "secretsmanager", "1.1")
            .InvokeAsync("GetSecretValue", new JsonObject { ["SecretId"] = world.World.SecretArn }, Ct);

        Assert.Equal(
            (world.World.PreviousSecretVersionId, DemoWorld.ApiKeyBeforeRotation),
            ((string?)read["VersionId"], (string?)read["SecretString"]));
    }

    [Fact]
    public async Task A_secret_already_on_its_target_is_left_alone()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "sdone", Ct);
        var secrets = new SecretsManagerClient(world.Transport);
        await secrets.UpdateSecretVersionStageAsync(new SecretStageMove(world.World.SecretArn, "AWSCURRENT", world.World.PreviousSecretVersionId, world.World.CurrentSecretVersionId), Ct);
        await world.ResetCallsAsync(Ct);
        // After the move AWSPREVIOUS points at the newer version; the target release pins the older one.
        var target = new RollbackTarget("revision", "pinned", "test", null, world.World.LastGoodTaskDefinitionArn)
        {
            Snapshot = new Dictionary<string, string> { ["secret:" + world.World.SecretArn] = world.World.PreviousSecretVersionId },
        };

        var (plan, outcome) = await world.RunAsync(target, [new SecretsStep(secrets, [world.World.SecretArn])], Ct);

        Assert.True(Assert.Single(plan.Steps).NothingToDo);
        Assert.Equal(Core.Ledger.RunStatus.Succeeded, outcome.Status);
        Assert.Equal(0, (await world.CallsAsync(Ct)).MutatingTotal);
    }

    [Fact]
    public async Task A_secret_that_does_not_exist_is_bad_input_before_any_change()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "snone", Ct);
        var step = new SecretsStep(new SecretsManagerClient(world.Transport), ["no-such-secret"]);

        var error = await Assert.ThrowsAsync<Core.RewindException>(() => world.PlanAsync(null, [step], Ct));

        Assert.Equal(Core.FailureKind.BadInput, error.Kind);
        Assert.Contains("no-such-secret does not exist", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await world.CallsAsync(Ct)).MutatingTotal);
    }
}
