using CsCheck;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Tests.Evidence;
using Xunit;

namespace Rewind.Core.Tests.Properties;

/// <summary>
/// The checklist over generated runs: every proving run ticks all five; no item is ticked without its step's record;
/// any one generated contradiction unticks exactly the item it contradicts.
/// </summary>
public sealed class ChecklistProperties
{
    private static readonly Gen<ServiceReverted> ProvingEcs = Gen.Select(Gen.Int[1, 20], Gen.Bool, Gen.Bool, (n, arn, awaited) => EvidenceRuns.Ecs with
    {
        Running = n,
        Desired = n,
        TaskDefinition = arn ? EvidenceRuns.TargetArn : "claude-proxy-api:3",
        Awaited = awaited,
    });

    private static readonly Gen<SmokePassed> ProvingSmoke = Gen.Select(Gens.SmokeCheck, Gen.Int[1, 5], (check, n) =>
    {
        var results = Enumerable.Range(0, n).Select(i => check with { Check = $"check {i}", Ok = true }).ToList();
        return EvidenceRuns.Smoke with { Checks = n, Passed = n, Failed = 0, Results = results };
    });

    private static readonly Gen<ErrorRatesNormalized> ProvingVerify = Gen.Select(
        Gens.Time, Gen.Int[1, 3600], Gen.Long[1, 10_000_000], Gen.Double[0.01, 50], Gen.Double[0, 1], Gens.Word.List[0, 3],
        (start, seconds, requests, threshold, share, alarms) => EvidenceRuns.Verify with
        {
            WindowStart = start,
            WindowEnd = start.AddSeconds(seconds),
            Requests = requests,
            ThresholdPercent = threshold,
            Rate5xxPercent = threshold * share,
            Alarms = [.. alarms.Select(a => new AlarmReading(a, "OK"))],
        });

    private static readonly Gen<TicketOpened> ProvingIncident = Gen.Select(Gens.Time, Gen.Int[1, 48 * 60], Gens.Word, Gens.Word,
        (opened, minutes, owner, ticket) => EvidenceRuns.Incident with
        {
            Opened = opened,
            Due = opened.AddMinutes(minutes),
            Owner = owner,
            Tickets = [new TicketLink(ticket, $"http://tracker/{ticket}")],
        });

    private static readonly Gen<TeamNotified> ProvingNotify = Gen.Select(Gen.Int[200, 299], Gens.Time, Gens.Delivery.List[0, 2], (status, sent, others) =>
        new TeamNotified([new AudienceDelivery("team", "slack:#releases", sent, status.ToString(System.Globalization.CultureInfo.InvariantCulture), null),
            .. others.Where(o => o.Audience != "team")], 1, 0));

    /// <summary>A proving record for each of the five steps.</summary>
    private static readonly Gen<Dictionary<string, StepEvidence>> Proving = Gen.Select(ProvingEcs, ProvingSmoke, ProvingVerify, ProvingIncident, ProvingNotify,
        (e, s, v, i, n) => new Dictionary<string, StepEvidence> { ["ecs"] = e, ["smoke"] = s, ["verify"] = v, ["incident"] = i, ["notify"] = n });

    /// <summary>Ways a step can leave no record of its own.</summary>
    private enum Absence { NotPlanned, NeverEnded, NoEvidence, AnotherRecord, StepFailed }

    [Fact]
    public void Given_any_run_whose_steps_all_proved_their_items_then_all_five_are_ticked()
    {
        Proving.Sample(proving =>
        {
            var items = Checklist.Evaluate(Record(proving));

            Assert.All(items, i => Assert.True(i.Ticked, $"{i.Key}: {i.Missing}"));
        });
    }

    [Fact]
    public void Given_any_run_where_some_steps_left_no_record_of_their_own_then_exactly_their_items_are_unticked()
    {
        Gen.Select(Proving, Gen.Bool.Array[5], Gen.Enum<Absence>()).Sample((proving, without, absence) =>
        {
            var missing = EvidenceRuns.Steps.Where((_, i) => without[i]).ToHashSet();
            var ends = new List<(string, StepResult?)>();
            foreach (var step in EvidenceRuns.Steps)
            {
                if (!missing.Contains(step))
                    ends.Add((step, StepResult.Succeeded("done", proving[step])));
                else if (absence == Absence.NeverEnded)
                    ends.Add((step, null));
                else if (absence != Absence.NotPlanned)
                    ends.Add((step, absence switch
                    {
                        Absence.NoEvidence => new StepResult(StepStatus.Succeeded, "done", (StepEvidence?)null),
                        Absence.AnotherRecord => StepResult.Succeeded("done", proving[Other(step)]),
                        _ => StepResult.Failed("deadline of 60 s reached", new StepFailed(nameof(TimeoutException), 60)),
                    }));
            }

            var items = Checklist.Evaluate(EvidenceRuns.Record(ends));

            Assert.Equal(EvidenceRuns.Steps.Where(s => !missing.Contains(s)), EvidenceRuns.Steps.Where((_, i) => items[i].Ticked));
            Assert.All(items.Where(i => !i.Ticked), i => Assert.StartsWith("rewind ", i.Command, StringComparison.Ordinal));
        });
    }

    [Fact]
    public void Given_any_proving_run_with_one_generated_contradiction_then_exactly_that_item_is_unticked()
    {
        Gen.Select(Proving, Gen.Int[0, 4]).SelectMany((proving, at) => Contradict(EvidenceRuns.Steps[at], proving[EvidenceRuns.Steps[at]])
            .Select(c => (proving, at, c))).Sample((proving, at, contradiction) =>
        {
            var step = EvidenceRuns.Steps[at];
            var ends = EvidenceRuns.Steps.Select(s => (s, (StepResult?)(s == step ? contradiction : StepResult.Succeeded("done", proving[s])))).ToList();

            var items = Checklist.Evaluate(EvidenceRuns.Record(ends));

            Assert.Equal([at], Enumerable.Range(0, 5).Where(i => !items[i].Ticked));
            Assert.False(string.IsNullOrWhiteSpace(items[at].Missing));
        });
    }

    [Fact]
    public void Given_any_proving_run_whose_chain_is_broken_then_nothing_is_ticked()
    {
        Proving.Sample(proving =>
        {
            var record = Record(proving);
            var broken = record with { ChainBreak = new Core.Ledger.ChainBreak(EvidenceRuns.RunId, 2, Core.Ledger.ChainBreakReason.HashMismatch, "edited") };

            Assert.All(Checklist.Evaluate(broken), i => Assert.False(i.Ticked));
        });
    }

    private static RunRecord Record(Dictionary<string, StepEvidence> proving) =>
        EvidenceRuns.Record([.. EvidenceRuns.Steps.Select(s => (s, (StepResult?)StepResult.Succeeded("done", proving[s])))]);

    private static string Other(string step) => EvidenceRuns.Steps[(Array.IndexOf(EvidenceRuns.Steps, step) + 1) % EvidenceRuns.Steps.Length];

    /// <summary>The step's proving record with one thing that contradicts its item, or the step ending badly.</summary>
    private static Gen<StepResult> Contradict(string step, StepEvidence proving)
    {
        var ended = Gen.OneOf(StepStatus.Failed, StepStatus.AwaitingApproval).Select(s => new StepResult(s, "ended badly", proving));
        var contradicted = proving switch
        {
            ServiceReverted e => Gen.OneOf(
                Gen.OneOf("IN_PROGRESS", "FAILED", "not awaited", "", null).Select(r => (StepEvidence)(e with { RolloutState = r })),
                Gen.Int[1, 5].Select(k => (StepEvidence)(e with { Desired = e.Running + k })),
                Gen.OneOf(0, 2, 3).Select(n => (StepEvidence)(e with { Deployments = n })),
                Gen.OneOf("", "none", null).Select(d => (StepEvidence)(e with { Deployment = d })),
                Gen.Int[4, 99].Select(r => (StepEvidence)(e with { TaskDefinition = $"claude-proxy-api:{r}" })),
                Gen.OneOf("", null).Select(t => (StepEvidence)(e with { TaskDefinition = t }))),
            SmokePassed s => Gen.OneOf(
                Gen.Int[1, 3].Select(f => (StepEvidence)(s with { Failed = f })),
                Gen.Int[1, 3].Select(k => (StepEvidence)(s with { Passed = s.Checks - k })),
                Gen.Const((StepEvidence)(s with { Checks = 0, Passed = 0, Results = [] })),
                Gen.Const((StepEvidence)(s with { Results = [] })),
                Gen.Int[0, 4].Select(i => (StepEvidence)(s with { Results = [.. s.Results.Select((r, j) => j == i % s.Results.Count ? r with { Ok = false } : r)] })),
                Gen.Const((StepEvidence)(s with { Results = [.. s.Results, s.Results[0]] }))),
            ErrorRatesNormalized v => Gen.OneOf(
                Gen.OneOf("elevated", "insufficient data", "").Select(x => (StepEvidence)(v with { Verdict = x })),
                Gen.Const((StepEvidence)(v with { Metric = "" })),
                Gen.Const((StepEvidence)(v with { WindowEnd = v.WindowStart })),
                Gen.Const((StepEvidence)(v with { WindowStart = null })),
                Gen.OneOf(0L, -1L).Select(r => (StepEvidence)(v with { Requests = r })),
                Gen.Const((StepEvidence)(v with { Requests = null })),
                Gen.Double[0.001, 100].Select(d => (StepEvidence)(v with { Rate5xxPercent = v.ThresholdPercent + d })),
                Gen.Const((StepEvidence)(v with { Rate5xxPercent = null })),
                Gen.Const((StepEvidence)(v with { BaselinePercent = null, Baseline = null })),
                Gens.Word.Select(a => (StepEvidence)(v with { Alarms = [.. v.Alarms, new AlarmReading(a, "ALARM")] }))),
            TicketOpened i => Gen.OneOf(
                Gen.Const((StepEvidence)(i with { Incident = "" })),
                Gen.OneOf("", "none", null).Select(o => (StepEvidence)(i with { Owner = o })),
                Gen.Const((StepEvidence)(i with { Tickets = [] })),
                Gen.Const((StepEvidence)(i with { Tickets = [new TicketLink("ledger", null)] })),
                Gen.Int[0, 1000].Select(m => (StepEvidence)(i with { Due = i.Opened.AddMinutes(-m) })),
                Gen.Int[1, 10000].Select(m => (StepEvidence)(i with { Due = i.Opened + Checklist.PostmortemWithin + TimeSpan.FromMinutes(m) })),
                Gen.Const((StepEvidence)(i with { Opened = default })),
                Gen.Const((StepEvidence)(i with { Verified = false }))),
            TeamNotified n => Gen.OneOf(
                Gen.Const((StepEvidence)(n with { Audiences = [.. n.Audiences.Where(a => a.Audience != "team")] })),
                Gen.OneOf(Gen.Int[100, 199], Gen.Int[300, 599]).Select(x => (StepEvidence)Team(n, t => t with { Status = x.ToString(System.Globalization.CultureInfo.InvariantCulture) })),
                Gen.OneOf("error", "", "delivered", "2000", "20").Select(x => (StepEvidence)Team(n, t => t with { Status = x })),
                Gen.Const((StepEvidence)Team(n, t => t with { SentAt = null }))),
            _ => throw new ArgumentOutOfRangeException(nameof(proving)),
        };
        var recorded = contradicted.Select(c => StepResult.Succeeded("done", c));
        // The team-notified item is judged on the team's own delivery alone: a notify step that failed for another
        // audience (customers) does not undo the team's 2xx, so its ending badly is no contradiction.
        return step == "notify" ? recorded : Gen.Frequency((1, ended), (4, recorded));
    }

    private static TeamNotified Team(TeamNotified notified, Func<AudienceDelivery, AudienceDelivery> change) =>
        notified with { Audiences = [.. notified.Audiences.Select(a => a.Audience == "team" ? change(a) : a)] };
}
