using System.Text.Json.Serialization;
using CsCheck;
using Rewind.Core.Engine;
using Xunit;

namespace Rewind.Core.Tests.Properties;

/// <summary>A typed step plan, as a step would define one (its own record, its own source-generated context).</summary>
public sealed record SamplePlan(string Cluster, string Service, int DesiredCount, double Weight, IReadOnlyList<string> Paths, DateTimeOffset Since, string? Note);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SamplePlan))]
internal sealed partial class SamplePlanJson : JsonSerializerContext;

/// <summary>What the ledger stores of a plan is what a resumed run executes.</summary>
public sealed class PlanRoundTripProperties
{
    private static readonly Gen<SamplePlan> Details = Gen.Select(
        Gen.Select(Gens.Text, Gens.Text, Gen.Int, Gens.Number), Gens.Text.List[0, 4], Gens.Time, Gens.MaybeText,
        (a, paths, since, note) => new SamplePlan(a.Item1, a.Item2, a.Item3, a.Item4, paths, since, note));

    private static readonly Gen<StepPlan> Steps = Gen.Select(
        Gen.Select(Gens.Word, Gen.Enum<StepStage>(), Gens.Text, Gens.Text.List[0, 3]), Gen.Bool, Gen.Double[0, 3600], Gen.Double[0, 86400], Details,
        (s, nothing, expected, deadline, detail) => StepPlan.Of(s.Item1, s.Item2, s.Item3, s.Item4, nothing, expected, deadline, detail, SamplePlanJson.Default.SamplePlan));

    private static readonly Gen<RollbackTarget?> Targets = Gen.Select(
        Gen.OneOf("release", "revision"), Gens.Text, Gens.Text, Gens.MaybeText, Gens.Text, Gen.Dictionary(Gens.Word, Gens.Text)[0, 3],
        (kind, label, reason, release, arn, snapshot) => new RollbackTarget(kind, label, reason, release, arn) { Snapshot = snapshot }).Null();

    [Fact]
    public void Given_any_plan_with_typed_step_details_then_it_round_trips_through_the_stored_json_unchanged()
    {
        Gen.Select(Gens.Word, Targets, Gens.Time, Steps.List[0, 6], Gens.MaybeText, Gens.Text.List[0, 3].Null()).Sample((service, target, created, steps, undoes, notes) =>
        {
            var plan = new RollbackPlan(service, target, created, steps) { Undoes = undoes, Notes = notes };
            var stored = EngineJson.Serialize(plan);

            var back = EngineJson.DeserializePlan(stored);

            Assert.Equal(stored, EngineJson.Serialize(back));
            Assert.Equal(RollbackPlan.CurrentSchemaVersion, back.SchemaVersion);
            Assert.Equal(plan.ExpectedSeconds, back.ExpectedSeconds);
            Assert.Equal(undoes, back.Undoes);
            Assert.Equal(notes, back.Notes);
            foreach (var (original, read) in plan.Steps.Zip(back.Steps))
            {
                var wanted = original.Read(SamplePlanJson.Default.SamplePlan);
                var got = read.Read(SamplePlanJson.Default.SamplePlan);
                Assert.Equal(wanted with { Paths = [] }, got with { Paths = [] });
                Assert.Equal(wanted.Paths, got.Paths);
            }
        });
    }

    [Fact]
    public void Given_a_stored_plan_without_a_schema_version_then_it_reads_as_version_1()
    {
        var stored = EngineJson.Serialize(new RollbackPlan("claude-proxy-api", null, DateTimeOffset.UnixEpoch, []));

        var withoutVersion = System.Text.Json.Nodes.JsonNode.Parse(stored)!.AsObject();
        Assert.True(withoutVersion.Remove("schemaVersion"));

        var back = EngineJson.DeserializePlan(withoutVersion.ToJsonString());

        Assert.Equal(1, back.SchemaVersion);
    }

    [Fact]
    public void Given_a_plan_stored_before_undo_existed_then_it_reads_as_undoing_nothing()
    {
        var stored = EngineJson.Serialize(new RollbackPlan("claude-proxy-api", null, DateTimeOffset.UnixEpoch, []));

        Assert.DoesNotContain("undoes", stored, StringComparison.Ordinal);
        var back = EngineJson.DeserializePlan(stored);

        Assert.Null(back.Undoes);
        Assert.Null(back.Notes);
        Assert.Equal("run-1", EngineJson.DeserializePlan(EngineJson.Serialize(back with { Undoes = "run-1" })).Undoes);
    }
}
