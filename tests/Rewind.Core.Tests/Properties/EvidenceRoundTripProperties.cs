using System.Text.Json;
using CsCheck;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Core.Tests.Evidence;
using Xunit;

namespace Rewind.Core.Tests.Properties;

/// <summary>Every evidence record survives the journal: what a step returns is what the checklist and the report read back.</summary>
public sealed class EvidenceRoundTripProperties
{
    [Fact]
    public void Given_any_evidence_record_of_any_type_when_journaled_as_a_step_end_then_it_reads_back_unchanged()
    {
        Gen.Select(Gens.TypedEvidence, Gen.Enum<StepStatus>(), Gens.Text).Sample((evidence, status, summary) =>
        {
            var entry = Assert.Single(EvidenceRuns.Journal([("ecs", JournalKind.Completed, new StepResult(status, summary, evidence).ToJson().ToJsonString())]));

            Assert.True(StepEnd.TryParse(entry, out var end));

            Assert.Equal(evidence.GetType(), end.Evidence!.GetType());
            Assert.Equal(Json(evidence), Json(end.Evidence));
            Assert.Equal((status.ToString(), summary), (end.Status, end.Summary));
        });
    }

    [Fact]
    public void Given_every_derived_type_then_the_generator_makes_each_of_them()
    {
        // The property above covers a type only if it is generated: a record added to StepEvidence must be added to Gens.
        var made = new HashSet<Type>();
        Gens.TypedEvidence.Sample(e => { lock (made) made.Add(e.GetType()); }, iter: 2000); // Sample runs on several threads

        var derived = typeof(StepEvidence).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(StepEvidence)) && t != typeof(UntypedEvidence));
        Assert.Equal(derived.Select(t => t.Name).Order(), made.Select(t => t.Name).Order());
    }

    [Fact]
    public void Given_flat_version_1_evidence_of_a_step_without_a_record_then_it_reads_back_as_the_same_facts()
    {
        Gen.Dictionary(Gens.Word.Select(k => "k" + k), Gens.Text)[0, 6].Sample(values =>
        {
            var evidence = new UntypedEvidence(values);
            var entry = Assert.Single(EvidenceRuns.Journal([("canary", JournalKind.Completed, new StepResult(StepStatus.Succeeded, "done", evidence).ToJson().ToJsonString())]));

            Assert.True(StepEnd.TryParse(entry, out var end));

            Assert.Equal(values.OrderBy(v => v.Key), Assert.IsType<UntypedEvidence>(end.Evidence).Values.OrderBy(v => v.Key));
        });
    }

    private static string Json(StepEvidence evidence) => JsonSerializer.Serialize(evidence, EvidenceJson.Default.StepEvidence);
}
