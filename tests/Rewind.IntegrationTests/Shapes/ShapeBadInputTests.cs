using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Aws.Protocols;
using Rewind.Cli;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Playbook;
using Xunit;

namespace Rewind.IntegrationTests.Shapes;

/// <summary>
/// Issue 17, must-show 4: the shapes Rewind must refuse, each with one line on stderr (what is wrong, what to do),
/// exit 2 and not one mutating call at the emulator: an EXTERNAL controller, a CODE_DEPLOY service whose deployment
/// group is not found, and <c>rewind canary --percent</c> on the production rule ECS owns.
/// </summary>
[Collection("shape-emulator")]
public sealed class ShapeBadInputTests(ShapeEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_an_EXTERNAL_controller_when_rewind_runs_then_it_refuses_in_one_line_and_changes_nothing()
    {
        await using var world = await ShapeConfig.SeedAsync(emulator, ServiceShape.External, FourthDeployment.Completed, Ct);

        var run = await world.RunLiveAsync(Ct, ["--to", "2"]);

        var line = await AssertRefusedAsync(world, run);
        Assert.Contains("EXTERNAL", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_CODE_DEPLOY_service_and_a_configured_deployment_group_that_does_not_exist_when_rewind_runs_then_it_refuses_in_one_line_and_changes_nothing()
    {
        await using var world = await ShapeConfig.SeedAsync(emulator, ServiceShape.CodeDeploy, FourthDeployment.Completed, Ct, serviceYaml: "  codedeploy_group: no-such-group");

        var run = await world.RunLiveAsync(Ct, ["--to", "2"]);

        var line = await AssertRefusedAsync(world, run);
        Assert.Contains("CodeDeploy deployment group no-such-group (service.codedeploy_group) was not found", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_CODE_DEPLOY_service_that_no_deployment_group_deploys_when_rewind_runs_then_it_refuses_in_one_line_and_changes_nothing()
    {
        // A second CODE_DEPLOY service in the world's cluster, with a load balancer, that no deployment group names.
        await using var world = await ShapeConfig.SeedAsync(emulator, ServiceShape.CodeDeploy, FourthDeployment.Completed, Ct, ecsService: "orphan");
        await new JsonProtocol(world.World.Transport, AwsService.Ecs, "AmazonEC2ContainerServiceV20141113", "1.1").InvokeAsync("CreateService", new JsonObject
        {
            ["cluster"] = world.World.Cluster,
            ["serviceName"] = "orphan",
            ["taskDefinition"] = world.World.Bad,
            ["desiredCount"] = 1,
            ["launchType"] = "FARGATE",
            ["deploymentController"] = new JsonObject { ["type"] = "CODE_DEPLOY" },
            ["loadBalancers"] = new JsonArray(new JsonObject { ["targetGroupArn"] = world.World.BlueTargetGroupArn, ["containerName"] = "api", ["containerPort"] = 8080 }),
        }, Ct);
        await EmulatorCalls.ResetAsync(emulator.Endpoint, Ct);

        var run = await world.RunLiveAsync(Ct, ["--to", "2"]);

        var line = await AssertRefusedAsync(world, run);
        Assert.Contains("deployment group", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ServiceShape.BlueGreen)]
    [InlineData(ServiceShape.Linear)]
    [InlineData(ServiceShape.Canary)]
    public async Task Given_the_production_rule_ECS_owns_when_rewind_canary_sets_a_percent_then_it_refuses_in_one_line_and_changes_nothing(ServiceShape shape)
    {
        await using var world = await ShapeConfig.SeedAsync(emulator, shape, FourthDeployment.Completed, Ct);
        var before = await world.World.ProductionWeightsAsync(Ct);

        var run = await world.RewindAsync(["canary", "--percent", "50", "--live", "--yes", "--config", world.Path], null, Ct);

        var line = await AssertRefusedAsync(world, run);
        Assert.Contains("ECS owns this rule", line, StringComparison.Ordinal);
        Assert.Equal(before, await world.World.ProductionWeightsAsync(Ct));
    }

    private static async Task<string> AssertRefusedAsync(ShapeConfig world, CliOutcome run)
    {
        Assert.True(run.ExitCode == ExitCodes.BadInput, run.ToString());
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var calls = await world.CallsAsync(Ct);
        Assert.True(calls.MutatingTotal == 0, calls.ToString());
        Assert.Empty(await world.Ledger.Runs.ListRunsAsync(null, 10, Ct));
        return line;
    }
}
