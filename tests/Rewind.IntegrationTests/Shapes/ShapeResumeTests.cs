using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Playbook;
using Xunit;

namespace Rewind.IntegrationTests.Shapes;

/// <summary>
/// Issue 17, must-show 3: <c>rewind run --live</c> killed around each new mutating call of the ecs step (right after its
/// call-sent entry, so the request never went out; and after the request went out and its answer came back, before
/// that was journaled), then <c>rewind resume</c>: the call reached the emulator exactly once and the run succeeded.
/// </summary>
[Collection("shape-emulator")]
public sealed class ShapeResumeTests(ShapeEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(ServiceShape.BlueGreen, FourthDeployment.InBakeTime, "ecs:StopServiceDeployment", nameof(KillMode.AfterEntry))]
    [InlineData(ServiceShape.BlueGreen, FourthDeployment.InBakeTime, "ecs:StopServiceDeployment", nameof(KillMode.AfterRequestSent))]
    [InlineData(ServiceShape.Linear, FourthDeployment.PausedAtHook, "ecs:ContinueServiceDeployment", nameof(KillMode.AfterEntry))]
    [InlineData(ServiceShape.Linear, FourthDeployment.PausedAtHook, "ecs:ContinueServiceDeployment", nameof(KillMode.AfterRequestSent))]
    [InlineData(ServiceShape.CodeDeploy, FourthDeployment.InProgress, "codedeploy:StopDeployment", nameof(KillMode.AfterEntry))]
    [InlineData(ServiceShape.CodeDeploy, FourthDeployment.InProgress, "codedeploy:StopDeployment", nameof(KillMode.AfterRequestSent))]
    [InlineData(ServiceShape.CodeDeploy, FourthDeployment.Completed, "codedeploy:CreateDeployment", nameof(KillMode.AfterEntry))]
    [InlineData(ServiceShape.CodeDeploy, FourthDeployment.Completed, "codedeploy:CreateDeployment", nameof(KillMode.AfterRequestSent))]
    public async Task A_run_killed_around_a_shape_call_is_finished_by_resume_with_that_call_made_exactly_once(ServiceShape shape, FourthDeployment fourth, string call, string mode)
    {
        var kind = Enum.Parse<KillMode>(mode);
        // A CodeDeploy deployment in flight must outlive the killed run and its resume's planning read.
        await using var stages = fourth == FourthDeployment.InProgress ? await CodeDeployShapeTests.LongStagesAsync(emulator) : null;
        await using var world = await ShapeConfig.SeedAsync(emulator, shape, fourth, Ct);
        string[] to = shape == ServiceShape.CodeDeploy ? ["--to", "2"] : [];
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        KillingLedger? killing = null;

        await world.RunLiveAsync(kill.Token, to, ledger => killing = new KillingLedger(ledger, new JournalPoint("ecs", JournalKind.CallSent, call.Split(':')[1], 0), kind, kill));

        Assert.True(killing!.Killed, $"the run was not killed at {call} ({mode})");
        await killing.QuietAsync(TimeSpan.FromMilliseconds(150), Ct);
        Assert.Equal(kind == KillMode.AfterEntry ? 0 : 1, (await world.CallsAsync(Ct)).Count(call));
        Assert.Equal(RunStatus.Running, (await world.RunAsync(Ct)).Status);

        var resumed = await world.RewindAsync(["resume", "--takeover", "--yes", "--config", world.Path], null, Ct);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var calls = await world.CallsAsync(Ct);
        Assert.True(calls.Count(call) == 1, $"{call} reached the emulator {calls.Count(call)} times: {calls}");
        Assert.Equal(1, calls.MutatingTotal);
        Assert.Equal(0, calls.Count("ecs:UpdateService"));
        Assert.Equal(RunStatus.Succeeded, (await world.RunAsync(Ct)).Status);
        Assert.Equal(world.World.Good, (await world.ServiceAsync(Ct)).TaskDefinition);
        var item = await world.ServiceRevertedAsync(Ct);
        Assert.True(item.Ticked, $"{item.Missing} ({item.EvidenceLine()})");
        Assert.True((await LedgerVerifier.VerifyAsync(world.Ledger, null, Ct)).IsIntact);
    }

    [Theory]
    [InlineData("codedeploy:StopDeployment", nameof(KillMode.AfterEntry))]
    [InlineData("codedeploy:StopDeployment", nameof(KillMode.AfterRequestSent))]
    [InlineData("codedeploy:CreateDeployment", nameof(KillMode.AfterEntry))]
    [InlineData("codedeploy:CreateDeployment", nameof(KillMode.AfterRequestSent))]
    public async Task A_CodeDeploy_stop_then_create_killed_around_either_call_is_finished_by_resume_with_each_call_made_exactly_once(string call, string mode)
    {
        var kind = Enum.Parse<KillMode>(mode);
        await using var stages = await CodeDeployShapeTests.LongStagesAsync(emulator);
        await using var world = await ShapeConfig.SeedAsync(emulator, ServiceShape.CodeDeploy, FourthDeployment.InProgress, Ct);
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        KillingLedger? killing = null;

        await world.RunLiveAsync(kill.Token, ["--to", "1"], ledger => killing = new KillingLedger(ledger, new JournalPoint("ecs", JournalKind.CallSent, call.Split(':')[1], 0), kind, kill));

        Assert.True(killing!.Killed, $"the run was not killed at {call} ({mode})");
        await killing.QuietAsync(TimeSpan.FromMilliseconds(150), Ct);
        var stopFirst = call == "codedeploy:StopDeployment";
        var before = await world.CallsAsync(Ct);
        Assert.Equal(stopFirst && kind == KillMode.AfterEntry ? 0 : 1, before.Count("codedeploy:StopDeployment"));
        Assert.Equal(!stopFirst && kind == KillMode.AfterRequestSent ? 1 : 0, before.Count("codedeploy:CreateDeployment"));

        var resumed = await world.RewindAsync(["resume", "--takeover", "--yes", "--config", world.Path], null, Ct);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var calls = await world.CallsAsync(Ct);
        Assert.True((calls.Count("codedeploy:StopDeployment"), calls.Count("codedeploy:CreateDeployment")) == (1, 1), calls.ToString());
        Assert.Equal(2, calls.MutatingTotal);
        Assert.Equal(RunStatus.Succeeded, (await world.RunAsync(Ct)).Status);
        Assert.Equal(world.World.Revisions[0], (await world.ServiceAsync(Ct)).TaskDefinition);
        var item = await world.ServiceRevertedAsync(Ct);
        Assert.True(item.Ticked, $"{item.Missing} ({item.EvidenceLine()})");
        Assert.True((await LedgerVerifier.VerifyAsync(world.Ledger, null, Ct)).IsIntact);
    }
}
