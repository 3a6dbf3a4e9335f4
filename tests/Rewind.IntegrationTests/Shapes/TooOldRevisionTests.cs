using Xunit;

namespace Rewind.IntegrationTests.Shapes;

/// <summary>
/// Issue 17, must-show 4 (the last item): a service revision too old to describe. Real ECS cannot describe revisions
/// created before 2024-10-25 (DescribeServiceRevisions answers them as failures); the emulator does the same for the
/// task definitions named in <c>tooOldTaskDefinitions</c>. When the good revision's history is such a revision,
/// <c>rewind plan</c> falls back to the next source (no ledger release here: the next lower ACTIVE revision, :3 below
/// the running :4) with the describe failure in the target's reason; exit 0 and nothing changed at the emulator.
/// </summary>
[Collection("shape-emulator")]
public sealed class TooOldRevisionTests(ShapeEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(ServiceShape.Rolling)]
    [InlineData(ServiceShape.BlueGreen)]
    public async Task Given_the_good_revisions_history_too_old_to_describe_when_planned_then_the_next_lower_ACTIVE_revision_is_the_target_with_the_reason(ServiceShape shape)
    {
        await using var world = await ShapeConfig.SeedAsync(emulator, shape, FourthDeployment.Completed, Ct);
        string[] plan = ["plan", "--config", world.Path, "--output", "json", "--only", .. world.Steps];

        var described = await world.RewindAsync(plan, null, Ct);
        Assert.True(described.ExitCode == 0, described.ToString());
        var (label, reason) = Target(described.Stdout);
        Assert.Equal($"{world.World.Family}:2", label);
        Assert.StartsWith("last successful ECS deployment of another revision", reason, StringComparison.Ordinal);

        await using (await ShapeConfig.TooOldAsync(emulator, [world.World.Good], Ct))
        {
            var result = await world.RewindAsync(plan, null, Ct);

            Assert.True(result.ExitCode == 0, result.ToString());
            (label, reason) = Target(result.Stdout);
            Assert.Equal($"{world.World.Family}:3", label);
            Assert.Matches(
                $@"^next lower ACTIVE revision below the running {world.World.Family}:4 \(no known-good release in the ledger; no other ACTIVE revision in ECS's deployment history: "
                + @"service revision \d+ could not be described \(MISSING; revisions created before 2024-10-25 cannot be\)\)$",
                reason);
        }
        var calls = await world.CallsAsync(Ct);
        Assert.True(calls.MutatingTotal == 0, calls.ToString());
        Assert.True(calls.Count("ecs:DescribeServiceRevisions") >= 2, calls.ToString());
        Assert.Empty(await world.Ledger.Runs.ListRunsAsync(null, 10, Ct));
    }

    /// <summary>The plan document's target: its label and reason.</summary>
    private static (string? Label, string? Reason) Target(string json)
    {
        var target = System.Text.Json.Nodes.JsonNode.Parse(json)?["plan"]?["target"];
        Assert.True(target is not null, json);
        return (target["label"]?.GetValue<string>(), target["reason"]?.GetValue<string>());
    }
}
