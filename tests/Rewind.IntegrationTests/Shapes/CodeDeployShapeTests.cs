using Rewind.Core.Ledger;
using Xunit;

namespace Rewind.IntegrationTests.Shapes;

/// <summary>
/// Issue 17, must-show 1 and 2 for the CODE_DEPLOY row: <c>rewind run --live</c> stops a CodeDeploy deployment in
/// flight with auto-rollback, or creates one with an AppSpec naming :2 when :4 completed, never an UpdateService (ECS
/// refuses a task definition on such a service); a rollback deployment that fails is a failure with CodeDeploy's reason.
/// With no ledger release and no --to, the target comes from CodeDeploy's own deployments (ECS keeps no service
/// deployments for a CODE_DEPLOY service): :2, never the next lower ACTIVE (:3 after :4, :1 while :4 is in flight).
/// A --to that the in-flight deployment's rollback does not reach: StopDeployment without auto-rollback, then one
/// CreateDeployment of the target.
/// </summary>
[Collection("shape-emulator")]
public sealed class CodeDeployShapeTests(ShapeEmulatorFixture emulator)
{
    /// <summary>Long enough for rewind to read and stop :4's deployment while it is still in flight (it ends after three stages).</summary>
    public static readonly TimeSpan InFlightStage = TimeSpan.FromSeconds(1.5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_a_CodeDeploy_deployment_of_4_in_flight_when_rewind_runs_then_one_StopDeployment_and_its_rollback_deployment_Succeeded_return_the_service_to_2()
    {
        await using var stages = await LongStagesAsync(emulator);
        await using var world = await ShapeConfig.SeedAsync(emulator, ServiceShape.CodeDeploy, FourthDeployment.InProgress, Ct);

        var run = await world.RunLiveAsync(Ct);

        Assert.True(run.ExitCode == 0, run.ToString());
        var target = (await world.RecordAsync(Ct)).Plan!.Target!;
        Assert.Equal(world.World.Good, target.TaskDefinitionArn);
        Assert.True(
            target.Reason == $"the revision CodeDeploy deployment {world.World.CodeDeployDeploymentId} of {world.World.CodeDeployApplication}/{world.World.CodeDeployDeploymentGroup} replaces with {world.World.Family}:4 (in flight); the service still runs it",
            target.Reason);
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("codedeploy:StopDeployment"));
        Assert.Equal(0, calls.Count("codedeploy:CreateDeployment"));
        Assert.Equal(0, calls.Count("ecs:UpdateService"));
        Assert.Equal(1, calls.MutatingTotal);
        Assert.Equal("Stopped", await world.World.CodeDeployStatusAsync(world.World.CodeDeployDeploymentId!, Ct));
        var evidence = await world.EcsEvidenceAsync(Ct);
        Assert.Equal(("CodeDeploy", "Succeeded"), (evidence.Path, evidence.ServiceDeploymentStatus));
        Assert.NotEqual(world.World.CodeDeployDeploymentId, evidence.ServiceDeployment);
        Assert.Equal("Succeeded", await world.World.CodeDeployStatusAsync(evidence.ServiceDeployment!, Ct));
        Assert.Equal(world.World.Good, (await world.ServiceAsync(Ct)).TaskDefinition);
        Assert.Equal(100, (await world.World.CodeDeployListenerWeightsAsync(Ct))[world.World.BlueTargetGroupArn!]);
        Assert.True(evidence.TaskDefinition == world.World.Good, $"{evidence}");
        var item = await world.ServiceRevertedAsync(Ct);
        Assert.True(item.Ticked, $"{item.Missing} ({item.EvidenceLine()})");
    }

    [Fact]
    public async Task Given_a_CodeDeploy_deployment_of_4_completed_when_rewind_runs_then_one_CreateDeployment_with_an_AppSpec_naming_2_Succeeded()
    {
        await using var world = await ShapeConfig.SeedAsync(emulator, ServiceShape.CodeDeploy, FourthDeployment.Completed, Ct);
        Assert.Equal(100, (await world.World.CodeDeployListenerWeightsAsync(Ct))[world.World.GreenTargetGroupArn!]);

        var run = await world.RunLiveAsync(Ct);

        Assert.True(run.ExitCode == 0, run.ToString());
        var target = (await world.RecordAsync(Ct)).Plan!.Target!;
        Assert.Equal(world.World.Good, target.TaskDefinitionArn);
        Assert.StartsWith($"the revision that Succeeded CodeDeploy deployment {world.World.CodeDeployDeploymentId} of {world.World.CodeDeployApplication}/{world.World.CodeDeployDeploymentGroup} replaced", target.Reason, StringComparison.Ordinal);
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("codedeploy:CreateDeployment"));
        Assert.Equal(0, calls.Count("codedeploy:StopDeployment"));
        Assert.Equal(0, calls.Count("ecs:UpdateService"));
        Assert.Equal(1, calls.MutatingTotal);
        var evidence = await world.EcsEvidenceAsync(Ct);
        Assert.Equal(("CodeDeploy", "Succeeded"), (evidence.Path, evidence.ServiceDeploymentStatus));
        var sent = (await world.RecordAsync(Ct)).Journal.Single(e => e.Step == "ecs" && e.Kind == JournalKind.CallSent);
        Assert.True(System.Text.Json.Nodes.JsonNode.Parse(sent.Detail)!["taskDefinition"]?.GetValue<string>() == world.World.Good, sent.Detail);
        Assert.Equal("Succeeded", await world.World.CodeDeployStatusAsync(evidence.ServiceDeployment!, Ct));
        Assert.Equal(world.World.Good, (await world.ServiceAsync(Ct)).TaskDefinition);
        Assert.Equal(100, (await world.World.CodeDeployListenerWeightsAsync(Ct))[world.World.BlueTargetGroupArn!]);
        var item = await world.ServiceRevertedAsync(Ct);
        Assert.True(item.Ticked, $"{item.Missing} ({item.EvidenceLine()})");
    }

    [Fact]
    public async Task Given_a_CodeDeploy_rollback_deployment_that_fails_when_rewind_runs_then_the_run_fails_with_CodeDeploys_reason()
    {
        await using var stages = await LongStagesAsync(emulator);
        await using var world = await ShapeConfig.SeedAsync(emulator, ServiceShape.CodeDeploy, FourthDeployment.InProgress, Ct);
        await ShapeConfig.ConfigureEmulatorAsync(emulator, """{"failNextRollback": true}""", Ct);

        var run = await world.RunLiveAsync(Ct);

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Equal(1, (await world.CallsAsync(Ct)).Count("codedeploy:StopDeployment"));
        Assert.Equal(0, (await world.CallsAsync(Ct)).Count("ecs:UpdateService"));
        Assert.Equal(RunStatus.Failed, (await world.RunAsync(Ct)).Status);
        var end = (await world.RecordAsync(Ct)).EndOf("ecs")!;
        Assert.False(end.Succeeded, end.Summary);
        Assert.Contains("Failed", end.Summary, StringComparison.Ordinal);
        Assert.Contains("The rollback deployment failed (failNextRollback).", end.Summary, StringComparison.Ordinal);
        Assert.False((await world.ServiceRevertedAsync(Ct)).Ticked);
    }

    [Fact]
    public async Task Given_a_CodeDeploy_deployment_of_4_in_flight_over_2_and_to_1_when_rewind_runs_then_one_StopDeployment_without_rollback_then_one_CreateDeployment_return_the_service_to_1()
    {
        await using var stages = await LongStagesAsync(emulator);
        await using var world = await ShapeConfig.SeedAsync(emulator, ServiceShape.CodeDeploy, FourthDeployment.InProgress, Ct);
        var first = world.World.Revisions[0];

        var run = await world.RunLiveAsync(Ct, ["--to", "1"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var record = await world.RecordAsync(Ct);
        Assert.Equal(first, record.Plan!.Target!.TaskDefinitionArn);
        var ecsPlan = record.Plan.Steps.Single(s => s.Step == "ecs").Summary;
        Assert.True(
            ecsPlan.Contains($"CodeDeploy deployment {world.World.CodeDeployDeploymentId} of {world.World.Family}:4 in {world.World.CodeDeployApplication}/{world.World.CodeDeployDeploymentGroup} is InProgress; " +
                $"stopping it with auto-rollback returns to {world.World.Family}:2, not the target {world.World.Family}:1: StopDeployment without auto-rollback, then CreateDeployment to {world.World.Family}:1", StringComparison.Ordinal),
            ecsPlan);
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("codedeploy:StopDeployment"));
        Assert.Equal(1, calls.Count("codedeploy:CreateDeployment"));
        Assert.Equal(0, calls.Count("ecs:UpdateService"));
        Assert.Equal(2, calls.MutatingTotal);
        var stop = record.Journal.Single(e => e.Step == "ecs" && e.Kind == JournalKind.CallSent && e.Detail.Contains("\"StopDeployment\"", StringComparison.Ordinal));
        Assert.True(System.Text.Json.Nodes.JsonNode.Parse(stop.Detail)!["autoRollbackEnabled"]?.GetValue<bool>() == false, stop.Detail);
        Assert.Equal("Stopped", await world.World.CodeDeployStatusAsync(world.World.CodeDeployDeploymentId!, Ct));
        var evidence = await world.EcsEvidenceAsync(Ct);
        Assert.Equal(("CodeDeploy", "Succeeded"), (evidence.Path, evidence.ServiceDeploymentStatus));
        Assert.NotEqual(world.World.CodeDeployDeploymentId, evidence.ServiceDeployment);
        Assert.Equal(first, (await world.ServiceAsync(Ct)).TaskDefinition);
        Assert.True(evidence.TaskDefinition == first, $"{evidence}");
        var item = await world.ServiceRevertedAsync(Ct);
        Assert.True(item.Ticked, $"{item.Missing} ({item.EvidenceLine()})");
    }

    /// <summary>CodeDeploy stages of <see cref="InFlightStage"/> until disposed.</summary>
    internal static Task<IAsyncDisposable> LongStagesAsync(ShapeEmulatorFixture emulator) =>
        ShapeConfig.SecondsAsync(emulator, "stageSeconds", InFlightStage, ShapeEmulatorFixture.StageTime, Ct);
}
