using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Core.Tests.Engine;

/// <summary>
/// A step's context on its own: what an earlier attempt sent and got back (its own step's calls only), and each call
/// journaled before and after, failures included, with the lock checked at every write.
/// </summary>
public sealed class StepContextTests
{
    private const string Service = "claude-proxy-api";
    private const string RunId = "run-20261203-090000-ab12";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
    private readonly InMemoryLedger _ledger;

    public StepContextTests() => _ledger = new InMemoryLedger(_clock);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_an_earlier_attempts_journal_then_only_this_steps_sent_and_succeeded_calls_count()
    {
        var context = await ContextAsync("ecs", [
            ("ecs", JournalKind.CallSent, """{"call":"UpdateService"}"""),
            ("canary", JournalKind.CallSent, """{"call":"ModifyListener"}"""),
            ("ecs", JournalKind.CallSucceeded, """{"call":"UpdateService","deployment":"ecs-svc/1"}"""),
            ("ecs", JournalKind.CallSucceeded, """{"call":"DescribeServices"}"""),
            ("canary", JournalKind.CallSucceeded, """{"call":"ModifyListener","weights":"0/100"}"""),
            ("ecs", JournalKind.CallSent, "not json"),
            ("ecs", JournalKind.CallSucceeded, """{"call":"UpdateService","deployment":"ecs-svc/2"}"""),
        ]);

        Assert.True(context.WasSent("UpdateService"));
        Assert.False(context.WasSent("ModifyListener"));
        Assert.False(context.WasSent("DescribeServices"));
        Assert.Equal("ecs-svc/2", context.EarlierResult("UpdateService")?["deployment"]?.GetValue<string>());
        Assert.Null(context.EarlierResult("ModifyListener"));
    }

    [Fact]
    public async Task Given_a_call_then_it_is_journaled_sent_with_its_request_and_succeeded_with_its_description()
    {
        var context = await ContextAsync("ecs", []);

        var result = await context.CallAsync("UpdateService", new JsonObject { ["taskDefinition"] = "claude-proxy-api:3" },
            _ => Task.FromResult("ecs-svc/1"), d => new JsonObject { ["deployment"] = d }, Ct);

        Assert.Equal("ecs-svc/1", result);
        Assert.Equal(
            [
                "ecs CallSent {\"taskDefinition\":\"claude-proxy-api:3\",\"call\":\"UpdateService\"}",
                "ecs CallSucceeded {\"deployment\":\"ecs-svc/1\",\"call\":\"UpdateService\"}",
            ],
            (await _ledger.ReadJournalAsync(RunId, Ct)).Select(e => $"{e.Step} {e.Kind} {e.Detail}"));
    }

    [Fact]
    public async Task Given_a_call_that_fails_then_its_failure_is_journaled_and_the_error_rethrown()
    {
        var context = await ContextAsync("ecs", []);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            context.CallAsync<string>("UpdateService", new JsonObject(), _ => throw new InvalidOperationException("ServiceNotActive"), _ => new JsonObject(), Ct));

        Assert.Equal("ServiceNotActive", thrown.Message);
        var failed = (await _ledger.ReadJournalAsync(RunId, Ct))[^1];
        Assert.Equal((JournalKind.CallFailed, "{\"call\":\"UpdateService\",\"error\":\"ServiceNotActive\"}"), (failed.Kind, failed.Detail));
    }

    [Fact]
    public async Task Given_a_call_cancelled_then_no_failure_is_journaled_its_answer_is_unknown()
    {
        var context = await ContextAsync("ecs", []);

        await Assert.ThrowsAsync<OperationCanceledException>(() =>
            context.CallAsync<string>("UpdateService", new JsonObject(), _ => throw new OperationCanceledException(), _ => new JsonObject(), Ct));

        Assert.Equal([JournalKind.CallSent], (await _ledger.ReadJournalAsync(RunId, Ct)).Select(e => e.Kind));
    }

    [Theory]
    [InlineData(false, "journaling the result of UpdateService")]
    [InlineData(true, "journaling the failure of UpdateService")]
    public async Task Given_the_lock_taken_while_a_call_was_in_flight_then_its_answer_is_not_journaled_and_the_run_stops(bool fails, string before)
    {
        var context = await ContextAsync("ecs", []);

        var stopped = await Assert.ThrowsAsync<RunStoppedByTakeoverException>(() => context.CallAsync("UpdateService", new JsonObject(), async ct =>
        {
            await _ledger.TakeOverAsync(Service, "bob (pid 200)", "laptop-2", TimeSpan.FromMinutes(2), ct);
            return fails ? throw new InvalidOperationException("ServiceNotActive") : "ecs-svc/1";
        }, d => new JsonObject { ["deployment"] = d }, Ct));

        Assert.EndsWith($"; this run stopped before {before}; see 'rewind status'", stopped.Message, StringComparison.Ordinal);
        Assert.Equal([JournalKind.CallSent], (await _ledger.ReadJournalAsync(RunId, Ct)).Select(e => e.Kind));
    }

    private async Task<StepContext> ContextAsync(string step, IEnumerable<(string Step, JournalKind Kind, string Detail)> earlier)
    {
        var lease = (await _ledger.TryAcquireAsync(Service, "alice (pid 100)", "laptop-1", TimeSpan.FromMinutes(2), Ct)).Lease;
        await _ledger.CreateRunAsync(new Run(RunId, Service, _clock.GetUtcNow(), RunStatus.Running, null, "{}"), Ct);
        var journal = new List<JournalEntry>();
        foreach (var (s, kind, detail) in earlier)
            journal.Add(await _ledger.AppendJournalAsync(RunId, s, kind, detail, Ct));
        return new StepContext(RunId, step, new HeldLease(_ledger.Runs, lease), journal, new QuietObserver(), _clock, RunOutputs.From(journal));
    }
}
