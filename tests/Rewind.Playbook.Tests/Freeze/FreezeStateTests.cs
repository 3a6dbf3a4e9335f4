using Rewind.Playbook.Freeze;
using Rewind.Playbook.Tests.Fakes;
using Xunit;
using LedgerFreeze = Rewind.Core.Ledger.Freeze;

namespace Rewind.Playbook.Tests.Freeze;

/// <summary>The freeze as pipelines read it from SSM: its JSON both ways (unreadable means frozen), and the verdict of ledger and SSM together.</summary>
public sealed class FreezeStateTests
{
    private static readonly DateTimeOffset Since = new(2026, 12, 3, 10, 0, 0, TimeSpan.FromHours(1));

    private static readonly LedgerFreeze Active = new("frz-1", "api", "rollback of api", "INC-0007", "alice", Since);

    private static readonly LedgerFreeze Lifted = Active with { LiftedBy = "bob", LiftedAt = Since.AddHours(5), RootCause = "bad config" };

    [Fact]
    public void Given_an_active_freeze_when_published_then_the_JSON_holds_every_field_with_UTC_times()
    {
        var state = FreezeState.Of(Active, "api");

        Assert.Equal(
            """{"frozen":true,"service":"api","freeze":"frz-1","reason":"rollback of api","incident":"INC-0007","by":"alice","since":"2026-12-03T09:00:00Z","liftedBy":null,"liftedAt":null,"rootCause":null}""",
            state.ToJson());
    }

    [Fact]
    public void Given_a_lifted_freeze_when_published_and_read_back_then_it_says_lifted_by_whom_when_and_why()
    {
        var json = FreezeState.Of(Lifted, "api").ToJson();

        Assert.Contains("\"frozen\":false", json, StringComparison.Ordinal);
        Assert.Contains("\"liftedAt\":\"2026-12-03T14:00:00Z\"", json, StringComparison.Ordinal);
        Assert.Equal(new FreezeState(false, "api", "frz-1", "rollback of api", "INC-0007", "alice", Since, "bob", Since.AddHours(5), "bad config"), FreezeState.Parse("other", json));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"service":"api"}""")]
    [InlineData("""{"frozen":"yes"}""")]
    [InlineData("null")]
    public void Given_a_value_that_is_not_Rewinds_JSON_when_read_then_it_counts_as_frozen(string value)
    {
        Assert.Equal(new FreezeState(true, "api", null, "the parameter holds a value that is not Rewind's freeze JSON", null, null, null), FreezeState.Parse("api", value));
    }

    [Fact]
    public void Given_a_minimal_value_when_read_then_missing_or_mistyped_fields_are_null_and_the_service_defaults()
    {
        var state = FreezeState.Parse("api", """{"frozen":false,"freeze":7,"since":"not a time","liftedAt":"2026-12-03T09:00:00"}""");

        Assert.Equal(new FreezeState(false, "api", null, null, null, null, null, null, new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero)), state);
    }

    [Fact]
    public void Given_two_states_when_compared_then_only_frozen_and_the_freeze_id_matter()
    {
        var state = FreezeState.Of(Active, "api");

        Assert.True(state.SameAs(state with { Reason = "other", By = "someone" }));
        Assert.False(state.SameAs(state with { Frozen = false }));
        Assert.False(state.SameAs(state with { FreezeId = "frz-2" }));
        Assert.False(state.SameAs(null));
    }

    [Fact]
    public void Given_the_ledger_and_SSM_when_judged_then_either_freezing_means_frozen_and_agreement_needs_the_same_freeze()
    {
        var published = FreezeState.Of(Active, "api");

        Assert.Equal((true, true), Verdict(Active, published));
        Assert.Equal((true, false), Verdict(Active, null));
        Assert.Equal((true, false), Verdict(Active, published with { FreezeId = "frz-0" }));
        Assert.Equal((true, false), Verdict(null, published));
        Assert.Equal((false, true), Verdict(null, null));
        Assert.Equal((false, true), Verdict(null, FreezeState.Of(Lifted, "api")));

        static (bool, bool) Verdict(LedgerFreeze? active, FreezeState? state)
        {
            var verdict = new FreezeVerdict("api", active, state, "/rewind/api/freeze");
            return (verdict.Frozen, verdict.Agrees);
        }
    }

    [Fact]
    public void Given_a_verdict_when_described_then_the_ledger_speaks_first_then_SSM_then_nobody()
    {
        Assert.Equal("rollback of api (freeze frz-1, incident INC-0007, by alice, since 2026-12-03 09:00:00Z)", new FreezeVerdict("api", Active, null, "/p").Describe());
        Assert.Equal("rollback of api (freeze frz-1, incident none, by alice, since 2026-12-03 09:00:00Z)", FreezeVerdict.Describe(Active with { IncidentId = null }));
        Assert.Equal(
            "rollback of api (freeze frz-1, incident INC-0007, by alice, since 2026-12-03 09:00:00Z; published in SSM /p)",
            new FreezeVerdict("api", null, FreezeState.Of(Active, "api"), "/p").Describe());
        Assert.Equal(
            "no reason given (freeze ?, incident none, by ?, since ?; published in SSM /p)",
            new FreezeVerdict("api", null, new FreezeState(true, "api", null, null, null, null, null), "/p").Describe());
        Assert.Equal("not frozen", new FreezeVerdict("api", null, FreezeState.Of(Lifted, "api"), "/p").Describe());
    }

    [Fact]
    public void Given_lifted_freezes_when_the_last_lift_is_asked_then_the_newest_with_a_root_cause_that_applies_wins()
    {
        var older = Lifted with { Id = "frz-0", LiftedAt = Since.AddHours(1) };
        var everyone = Lifted with { Id = "frz-all", Scope = LedgerFreeze.AllServices, LiftedAt = Since.AddHours(9) };
        var other = Lifted with { Id = "frz-x", Scope = "worker", LiftedAt = Since.AddHours(20) };
        var noCause = Lifted with { Id = "frz-n", RootCause = null, LiftedAt = Since.AddHours(30) };

        Assert.Equal("frz-all", FreezeVerdict.LastLift([older, Lifted, everyone, other, noCause, Active], "api")?.Id);
        Assert.Equal("frz-1", FreezeVerdict.LastLift([older, Lifted, other], "api")?.Id);
        Assert.Null(FreezeVerdict.LastLift([Active, other], "api"));
    }

    [Fact]
    public async Task Given_the_ledgers_freezes_when_the_active_one_is_read_then_the_services_own_comes_before_the_all_services_one()
    {
        var world = new ProcessRun();
        var parameter = new FakeFreezeParameter("/rewind/api/freeze");
        await world.Ledger.FreezeAsync(LedgerFreeze.AllServices, "all", null, "root", TestContext.Current.CancellationToken);
        var own = await world.Ledger.FreezeAsync("api", "rollback of api", "INC-0007", "alice", TestContext.Current.CancellationToken);

        var verdict = await FreezeVerdict.ReadAsync(world.Ledger, parameter, "api", TestContext.Current.CancellationToken);

        Assert.Equal((own.Id, "/rewind/api/freeze", (FreezeState?)null), (verdict.Active?.Id, verdict.Parameter, verdict.Published));
    }
}
