using Microsoft.Extensions.Time.Testing;
using Rewind.Core.Ledger;
using Rewind.Ledger.Tests.Infrastructure;
using static Rewind.Ledger.Tests.Infrastructure.Samples;

namespace Rewind.Ledger.Tests;

/// <summary>
/// What every ledger backend must do. Run unchanged by one subclass per backend; each test gets a fresh, empty
/// store, and every <see cref="OpenAsync"/> within a test opens that same store (as another process would).
/// </summary>
public abstract class LedgerContract : IAsyncLifetime
{
    private readonly List<ILedger> _opened = [];

    protected FakeTimeProvider Clock { get; } = Samples.Clock();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens the test's store (creating it on first use) with the given clock.</summary>
    protected abstract Task<ILedger> OpenStoreAsync(TimeProvider time);

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var ledger in _opened)
        {
            await ledger.DisposeAsync();
        }
    }

    protected async Task<ILedger> OpenAsync(TimeProvider? time = null)
    {
        var ledger = await OpenStoreAsync(time ?? Clock);
        _opened.Add(ledger);
        return ledger;
    }

    // Releases

    [Fact]
    public async Task Recorded_release_reads_back_with_every_field()
    {
        var ledger = await OpenAsync();
        var release = Release("rel-20261127-091500-0001", Start);

        await ledger.Releases.RecordReleaseAsync(release, Ct);
        var read = await ledger.Releases.GetReleaseAsync(release.Id, Ct);

        Assert.NotNull(read);
        Assert.Equal(release with { TaskDefinitions = read.TaskDefinitions, SecretVersions = read.SecretVersions }, read);
        Assert.Equal(release.TaskDefinitions, read.TaskDefinitions);
        Assert.Equal(release.SecretVersions, read.SecretVersions);
        Assert.Equal(TimeSpan.Zero, read.RecordedAt.Offset);
    }

    [Fact]
    public async Task Release_without_canary_or_terraform_reads_back_with_nulls()
    {
        var ledger = await OpenAsync();
        var release = Release("rel-plain", Start) with
        {
            Canary = null,
            TerraformRevision = null,
            DistributionId = null,
            SecretVersions = new Dictionary<string, string>(),
        };

        await ledger.Releases.RecordReleaseAsync(release, Ct);
        var read = await ledger.Releases.GetReleaseAsync("rel-plain", Ct);

        Assert.NotNull(read);
        Assert.Null(read.Canary);
        Assert.Null(read.TerraformRevision);
        Assert.Null(read.DistributionId);
        Assert.Empty(read.SecretVersions);
    }

    [Fact]
    public async Task Recording_an_existing_release_id_is_a_conflict_and_keeps_the_first()
    {
        var ledger = await OpenAsync();
        await ledger.Releases.RecordReleaseAsync(Release("rel-1", Start, revision: 41), Ct);

        var e = await Assert.ThrowsAsync<LedgerException>(
            () => ledger.Releases.RecordReleaseAsync(Release("rel-1", Start.AddMinutes(1), revision: 42), Ct));

        Assert.Equal(LedgerFailureReason.Conflict, e.Reason);
        Assert.Equal("v1.41.0", (await ledger.Releases.GetReleaseAsync("rel-1", Ct))!.Version);
        Assert.Single(await ledger.Releases.ListReleasesAsync(null, 10, Ct));
    }

    [Fact]
    public async Task Releases_list_newest_first_per_service_up_to_the_limit()
    {
        var ledger = await OpenAsync();
        await ledger.Releases.RecordReleaseAsync(Release("rel-a", Start.AddHours(1)), Ct);
        await ledger.Releases.RecordReleaseAsync(Release("rel-b", Start.AddHours(3)), Ct);
        await ledger.Releases.RecordReleaseAsync(Release("rel-c", Start.AddHours(2)), Ct);
        await ledger.Releases.RecordReleaseAsync(Release("rel-other", Start.AddHours(4), service: "billing"), Ct);

        var mine = await ledger.Releases.ListReleasesAsync(Service, 10, Ct);
        var two = await ledger.Releases.ListReleasesAsync(Service, 2, Ct);
        var all = await ledger.Releases.ListReleasesAsync(null, 10, Ct);

        Assert.Equal(["rel-b", "rel-c", "rel-a"], mine.Select(r => r.Id));
        Assert.Equal(["rel-b", "rel-c"], two.Select(r => r.Id));
        Assert.Equal(["rel-other", "rel-b", "rel-c", "rel-a"], all.Select(r => r.Id));
    }

    [Fact]
    public async Task Release_status_change_persists_and_an_unknown_release_is_not_found()
    {
        var ledger = await OpenAsync();
        await ledger.Releases.RecordReleaseAsync(Release("rel-1", Start), Ct);

        await ledger.Releases.SetReleaseStatusAsync("rel-1", ReleaseStatus.KnownGood, Ct);
        var e = await Assert.ThrowsAsync<LedgerException>(
            () => ledger.Releases.SetReleaseStatusAsync("rel-missing", ReleaseStatus.RolledBack, Ct));

        Assert.Equal(ReleaseStatus.KnownGood, (await ledger.Releases.GetReleaseAsync("rel-1", Ct))!.Status);
        Assert.Equal(LedgerFailureReason.NotFound, e.Reason);
        Assert.Contains("rel-missing", e.Message, StringComparison.Ordinal);
        Assert.Null(await ledger.Releases.GetReleaseAsync("rel-missing", Ct));
    }

    // Runs

    [Fact]
    public async Task Created_run_reads_back_and_a_second_run_with_its_id_is_a_conflict()
    {
        var ledger = await OpenAsync();
        var run = Run(LedgerIds.NewRunId(Start), Start);

        await ledger.Runs.CreateRunAsync(run, Ct);
        var e = await Assert.ThrowsAsync<LedgerException>(() => ledger.Runs.CreateRunAsync(run with { PlanJson = "{}" }, Ct));

        Assert.Equal(run, await ledger.Runs.GetRunAsync(run.Id, Ct));
        Assert.Equal(LedgerFailureReason.Conflict, e.Reason);
        Assert.Equal(JournalChain.EmptyHead, await ledger.Runs.GetJournalHeadAsync(run.Id, Ct));
    }

    [Fact]
    public async Task Run_status_and_incident_changes_persist_and_an_unknown_run_is_not_found()
    {
        var ledger = await OpenAsync();
        await ledger.Runs.CreateRunAsync(Run("run-1", Start), Ct);

        await ledger.Runs.SetRunStatusAsync("run-1", RunStatus.Succeeded, Ct);
        await ledger.Runs.SetRunIncidentAsync("run-1", "INC-0007", Ct);
        var missing = await Assert.ThrowsAsync<LedgerException>(
            () => ledger.Runs.SetRunStatusAsync("run-missing", RunStatus.Failed, Ct));

        var run = await ledger.Runs.GetRunAsync("run-1", Ct);
        Assert.Equal(RunStatus.Succeeded, run!.Status);
        Assert.Equal("INC-0007", run.IncidentId);
        Assert.Equal(LedgerFailureReason.NotFound, missing.Reason);
        Assert.Null(await ledger.Runs.GetRunAsync("run-missing", Ct));
    }

    [Fact]
    public async Task Runs_list_newest_first_per_service()
    {
        var ledger = await OpenAsync();
        await ledger.Runs.CreateRunAsync(Run("run-a", Start.AddMinutes(1)), Ct);
        await ledger.Runs.CreateRunAsync(Run("run-b", Start.AddMinutes(5)), Ct);
        await ledger.Runs.CreateRunAsync(Run("run-c", Start.AddMinutes(3), service: "billing"), Ct);

        Assert.Equal(["run-b", "run-a"], (await ledger.Runs.ListRunsAsync(Service, 10, Ct)).Select(r => r.Id));
        Assert.Equal(["run-b", "run-c", "run-a"], (await ledger.Runs.ListRunsAsync(null, 10, Ct)).Select(r => r.Id));
        Assert.Equal(["run-b"], (await ledger.Runs.ListRunsAsync(null, 1, Ct)).Select(r => r.Id));
    }

    // Journal

    [Fact]
    public async Task Journal_entries_number_from_one_and_each_hashes_the_previous()
    {
        var ledger = await OpenAsync();
        await ledger.Runs.CreateRunAsync(Run("run-1", Start), Ct);

        var planned = await ledger.Runs.AppendJournalAsync("run-1", "ecs", JournalKind.Planned, """{"revision":41}""", Ct);
        Clock.Advance(TimeSpan.FromSeconds(2));
        var sent = await ledger.Runs.AppendJournalAsync("run-1", "ecs", JournalKind.CallSent, """{"call":"UpdateService"}""", Ct);
        Clock.Advance(TimeSpan.FromMilliseconds(1.5));
        var done = await ledger.Runs.AppendJournalAsync("run-1", "ecs", JournalKind.CallSucceeded, "{}", Ct);

        Assert.Equal([1L, 2L, 3L], new[] { planned.Seq, sent.Seq, done.Seq });
        Assert.Equal(JournalChain.GenesisHash, planned.PrevHash);
        Assert.Equal(planned.Hash, sent.PrevHash);
        Assert.Equal(sent.Hash, done.PrevHash);
        Assert.Equal(Start.AddSeconds(2), sent.Time);
        Assert.All(new[] { planned, sent, done }, entry => Assert.Equal(JournalChain.ComputeHash(entry), entry.Hash));
        Assert.Equal([planned, sent, done], await ledger.Runs.ReadJournalAsync("run-1", Ct));
        Assert.InRange((await ledger.Runs.GetJournalHeadAsync("run-1", Ct)).Seq, 0, 3);
        await ledger.Runs.SetRunStatusAsync("run-1", RunStatus.Succeeded, Ct);
        Assert.Equal(new JournalHead(3, done.Hash), await ledger.Runs.GetJournalHeadAsync("run-1", Ct));
    }

    [Fact]
    public async Task Journals_of_two_runs_are_separate_chains()
    {
        var ledger = await OpenAsync();
        await ledger.Runs.CreateRunAsync(Run("run-1", Start), Ct);
        await ledger.Runs.CreateRunAsync(Run("run-2", Start), Ct);

        await ledger.Runs.AppendJournalAsync("run-1", "canary", JournalKind.Started, "{}", Ct);
        var first = await ledger.Runs.AppendJournalAsync("run-2", "canary", JournalKind.Started, "{}", Ct);
        await ledger.Runs.AppendJournalAsync("run-1", "canary", JournalKind.Completed, "{}", Ct);

        Assert.Equal(1, first.Seq);
        Assert.Equal(JournalChain.GenesisHash, first.PrevHash);
        Assert.Equal(2, (await ledger.Runs.ReadJournalAsync("run-1", Ct)).Count);
        Assert.Single(await ledger.Runs.ReadJournalAsync("run-2", Ct));
    }

    [Fact]
    public async Task Appending_to_an_unknown_run_is_not_found_and_bad_detail_is_rejected()
    {
        var ledger = await OpenAsync();
        await ledger.Runs.CreateRunAsync(Run("run-1", Start), Ct);

        var missing = await Assert.ThrowsAsync<LedgerException>(
            () => ledger.Runs.AppendJournalAsync("run-missing", "ecs", JournalKind.Started, "{}", Ct));
        await Assert.ThrowsAsync<ArgumentException>(
            () => ledger.Runs.AppendJournalAsync("run-1", "ecs", JournalKind.Started, "not json", Ct));

        Assert.Equal(LedgerFailureReason.NotFound, missing.Reason);
        Assert.Empty(await ledger.Runs.ReadJournalAsync("run-1", Ct));
    }

    [Fact]
    public async Task Verifier_passes_an_intact_ledger_and_counts_its_entries()
    {
        var ledger = await OpenAsync();
        await ledger.Runs.CreateRunAsync(Run("run-1", Start), Ct);
        await ledger.Runs.CreateRunAsync(Run("run-2", Start.AddMinutes(1)), Ct);
        foreach (var kind in Enum.GetValues<JournalKind>())
        {
            await ledger.Runs.AppendJournalAsync("run-1", "smoke", kind, """{"url":"https://api.example.com/health"}""", Ct);
        }

        await ledger.Runs.AppendJournalAsync("run-2", "cdn", JournalKind.Skipped, """{"reason":"no distribution"}""", Ct);

        var all = await LedgerVerifier.VerifyAsync(ledger, null, Ct);
        var one = await LedgerVerifier.VerifyAsync(ledger, "run-2", Ct);
        var unknown = await Assert.ThrowsAsync<LedgerException>(() => LedgerVerifier.VerifyAsync(ledger, "run-9", Ct));

        Assert.True(all.IsIntact, all.FirstBreak?.ToString());
        Assert.Equal(2, all.RunsChecked);
        Assert.Equal(8, all.EntriesChecked);
        Assert.True(one.IsIntact);
        Assert.Equal(1, one.EntriesChecked);
        Assert.Equal(LedgerFailureReason.NotFound, unknown.Reason);
    }

    [Fact]
    public async Task Journal_appends_from_several_ledger_instances_interleave_into_one_chain()
    {
        var first = await OpenAsync();
        var second = await OpenAsync();
        await first.Runs.CreateRunAsync(Run("run-1", Start), Ct);

        var appends = Enumerable.Range(0, 40).Select(i =>
            (i % 2 == 0 ? first : second).Runs.AppendJournalAsync("run-1", "ecs", JournalKind.CallSent, $$"""{"i":{{i}}}""", Ct));
        await Task.WhenAll(appends);

        var journal = await first.Runs.ReadJournalAsync("run-1", Ct);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), journal.Select(e => e.Seq));
        Assert.True((await LedgerVerifier.VerifyAsync(second, "run-1", Ct)).IsIntact);
    }

    // Leases

    [Fact]
    public async Task A_free_service_is_acquired_and_a_second_acquirer_is_told_who_holds_it()
    {
        var ledger = await OpenAsync();

        var mine = await ledger.Leases.TryAcquireAsync(Service, "alice", "laptop-1", TimeSpan.FromMinutes(10), Ct);
        Clock.Advance(TimeSpan.FromMinutes(3));
        var theirs = await ledger.Leases.TryAcquireAsync(Service, "bob", "ci-7", TimeSpan.FromMinutes(10), Ct);

        Assert.True(mine.Acquired);
        Assert.Equal(new Lease(Service, "alice", "laptop-1", Start, Start.AddMinutes(10), Generation: 1), mine.Lease);
        Assert.False(theirs.Acquired);
        Assert.Equal(mine.Lease, theirs.Lease);
        Assert.Equal(mine.Lease, await ledger.Leases.GetLeaseAsync(Service, Ct));
    }

    [Fact]
    public async Task The_holder_cannot_acquire_twice_but_another_service_is_independent()
    {
        var ledger = await OpenAsync();
        await ledger.Leases.TryAcquireAsync(Service, "alice", "laptop-1", TimeSpan.FromMinutes(10), Ct);

        var again = await ledger.Leases.TryAcquireAsync(Service, "alice", "laptop-1", TimeSpan.FromMinutes(10), Ct);
        var other = await ledger.Leases.TryAcquireAsync("billing", "bob", "ci-7", TimeSpan.FromMinutes(10), Ct);

        Assert.False(again.Acquired);
        Assert.True(other.Acquired);
    }

    [Fact]
    public async Task An_expired_lease_is_acquired_by_the_next_operator()
    {
        var ledger = await OpenAsync();
        await ledger.Leases.TryAcquireAsync(Service, "alice", "laptop-1", TimeSpan.FromMinutes(10), Ct);

        Clock.Advance(TimeSpan.FromMinutes(10));
        var bob = await ledger.Leases.TryAcquireAsync(Service, "bob", "ci-7", TimeSpan.FromMinutes(5), Ct);

        Assert.True(bob.Acquired);
        Assert.Equal("bob", (await ledger.Leases.GetLeaseAsync(Service, Ct))!.Owner);
    }

    [Fact]
    public async Task Only_the_holder_renews_and_renewal_extends_from_now()
    {
        var ledger = await OpenAsync();
        await ledger.Leases.TryAcquireAsync(Service, "alice", "laptop-1", TimeSpan.FromMinutes(10), Ct);
        Clock.Advance(TimeSpan.FromMinutes(8));

        var renewed = await ledger.Leases.RenewAsync(Service, "alice", "laptop-1", TimeSpan.FromMinutes(10), Ct);
        var stranger = await Assert.ThrowsAsync<LedgerException>(
            () => ledger.Leases.RenewAsync(Service, "bob", "ci-7", TimeSpan.FromMinutes(10), Ct));
        var none = await Assert.ThrowsAsync<LedgerException>(
            () => ledger.Leases.RenewAsync("billing", "alice", "laptop-1", TimeSpan.FromMinutes(10), Ct));

        Assert.Equal(Start, renewed.AcquiredAt);
        Assert.Equal(Start.AddMinutes(18), renewed.ExpiresAt);
        Assert.Equal(LedgerFailureReason.Conflict, stranger.Reason);
        Assert.Contains("alice", stranger.Message, StringComparison.Ordinal);
        Assert.Equal(LedgerFailureReason.NotFound, none.Reason);
        Assert.Equal(renewed, await ledger.Leases.GetLeaseAsync(Service, Ct));
    }

    [Fact]
    public async Task Only_the_holder_releases()
    {
        var ledger = await OpenAsync();
        await ledger.Leases.TryAcquireAsync(Service, "alice", "laptop-1", TimeSpan.FromMinutes(10), Ct);

        var byStranger = await ledger.Leases.ReleaseAsync(Service, "bob", "ci-7", Ct);
        var fromOtherHost = await ledger.Leases.ReleaseAsync(Service, "alice", "laptop-2", Ct);
        var stillHeld = await ledger.Leases.GetLeaseAsync(Service, Ct);
        var byHolder = await ledger.Leases.ReleaseAsync(Service, "alice", "laptop-1", Ct);
        var twice = await ledger.Leases.ReleaseAsync(Service, "alice", "laptop-1", Ct);

        Assert.False(byStranger);
        Assert.False(fromOtherHost);
        Assert.NotNull(stillHeld);
        Assert.True(byHolder);
        Assert.False(twice);
        Assert.Null(await ledger.Leases.GetLeaseAsync(Service, Ct));
        Assert.True((await ledger.Leases.TryAcquireAsync(Service, "bob", "ci-7", TimeSpan.FromMinutes(1), Ct)).Acquired);
    }

    [Fact]
    public async Task Takeover_replaces_an_unexpired_holder_and_returns_it_for_the_journal()
    {
        var ledger = await OpenAsync();
        var alice = await ledger.Leases.TryAcquireAsync(Service, "alice", "laptop-1", TimeSpan.FromMinutes(10), Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));

        var takeover = await ledger.Leases.TakeOverAsync(Service, "bob", "ci-7", TimeSpan.FromMinutes(10), Ct);
        var fresh = await ledger.Leases.TakeOverAsync("billing", "bob", "ci-7", TimeSpan.FromMinutes(10), Ct);

        Assert.Equal(alice.Lease, takeover.Previous);
        Assert.Equal(new Lease(Service, "bob", "ci-7", Start.AddMinutes(1), Start.AddMinutes(11), Generation: 2), takeover.Lease);
        Assert.Null(fresh.Previous);
        Assert.False(await ledger.Leases.ReleaseAsync(Service, "alice", "laptop-1", Ct));
        Assert.Equal("bob", (await ledger.Leases.GetLeaseAsync(Service, Ct))!.Owner);
    }

    // Lease generations and fenced journal writes

    [Fact]
    public async Task Every_acquire_and_takeover_gets_the_next_generation_and_a_renewal_keeps_it()
    {
        var ledger = await OpenAsync();

        var alice = await ledger.Leases.TryAcquireAsync(Service, "alice", "laptop-1", TimeSpan.FromMinutes(10), Ct);
        var renewed = await ledger.Leases.RenewAsync(Service, "alice", "laptop-1", TimeSpan.FromMinutes(10), Ct);
        Clock.Advance(TimeSpan.FromMinutes(11));
        var bob = await ledger.Leases.TryAcquireAsync(Service, "bob", "ci-7", TimeSpan.FromMinutes(10), Ct);
        var carol = await ledger.Leases.TakeOverAsync(Service, "carol", "laptop-3", TimeSpan.FromMinutes(10), Ct);
        var refused = await ledger.Leases.TryAcquireAsync(Service, "dave", "laptop-4", TimeSpan.FromMinutes(10), Ct);

        Assert.Equal(1, alice.Lease.Generation);
        Assert.Equal(1, renewed.Generation);
        Assert.Equal(2, bob.Lease.Generation);
        Assert.Equal(3, carol.Lease.Generation);
        Assert.Equal(2, carol.Previous!.Generation);
        Assert.False(refused.Acquired);
        Assert.Equal(carol.Lease, (await ledger.Leases.GetLeaseAsync(Service, Ct))!);
    }

    [Fact]
    public async Task A_fenced_append_is_written_while_its_lease_holds_and_refused_after_a_takeover_leaving_the_journal_as_it_was()
    {
        var ledger = await OpenAsync();
        var other = await OpenAsync();
        await ledger.Runs.CreateRunAsync(Run("run-1", Start), Ct);
        var alice = (await ledger.Leases.TryAcquireAsync(Service, "alice", "laptop-1", TimeSpan.FromMinutes(10), Ct)).Lease;

        var before = await ledger.Runs.AppendFencedJournalAsync("run-1", "ecs", JournalKind.CallSent, """{"call":"UpdateService"}""", alice.Fence, Ct);
        Clock.Advance(TimeSpan.FromSeconds(30));
        var bob = await other.Leases.TakeOverAsync(Service, "bob", "ci-7", TimeSpan.FromMinutes(10), Ct);
        var refused = await Assert.ThrowsAsync<LeaseLostException>(
            () => ledger.Runs.AppendFencedJournalAsync("run-1", "ecs", JournalKind.CallSent, """{"call":"UpdateService"}""", alice.Fence, Ct));
        var bobs = await other.Runs.AppendFencedJournalAsync("run-1", "lock", JournalKind.CallSucceeded, """{"call":"TakeOverLock"}""", bob.Lease.Fence, Ct);

        Assert.Equal(bob.Lease, refused.Current);
        Assert.Equal(alice.Fence, refused.Fence);
        Assert.Equal($"the lock on {Service} was taken over by bob on ci-7 at 2026-11-27 09:15:30Z", refused.Message);
        Assert.Equal([before, bobs], await ledger.Runs.ReadJournalAsync("run-1", Ct));
        Assert.Equal(2, bobs.Seq);
    }

    [Fact]
    public async Task A_fenced_append_of_a_lease_that_lapsed_and_was_acquired_again_is_refused_even_for_the_same_holder()
    {
        var ledger = await OpenAsync();
        await ledger.Runs.CreateRunAsync(Run("run-1", Start), Ct);
        var first = (await ledger.Leases.TryAcquireAsync(Service, "alice", "laptop-1", TimeSpan.FromMinutes(1), Ct)).Lease;
        Clock.Advance(TimeSpan.FromMinutes(2));
        var second = (await ledger.Leases.TryAcquireAsync(Service, "alice", "laptop-1", TimeSpan.FromMinutes(1), Ct)).Lease;

        var refused = await Assert.ThrowsAsync<LeaseLostException>(
            () => ledger.Runs.AppendFencedJournalAsync("run-1", "ecs", JournalKind.Started, "{}", first.Fence, Ct));
        var released = await ledger.Leases.ReleaseAsync(Service, "alice", "laptop-1", Ct);
        var none = await Assert.ThrowsAsync<LeaseLostException>(
            () => ledger.Runs.AppendFencedJournalAsync("run-1", "ecs", JournalKind.Started, "{}", second.Fence, Ct));

        Assert.Equal(second, refused.Current);
        Assert.True(released);
        Assert.Null(none.Current);
        Assert.Empty(await ledger.Runs.ReadJournalAsync("run-1", Ct));
    }

    [Fact]
    public async Task A_takeover_racing_a_writer_lets_no_fenced_append_of_the_old_holder_land_after_it()
    {
        var ledger = await OpenAsync();
        var other = await OpenAsync();
        await ledger.Runs.CreateRunAsync(Run("run-1", Start), Ct);
        var alice = (await ledger.Leases.TryAcquireAsync(Service, "alice", "laptop-1", TimeSpan.FromMinutes(10), Ct)).Lease;
        var written = new List<JournalEntry>();
        var firstWritten = new TaskCompletionSource();

        // Alice appends as fast as she can until refused; Bob takes over once she is under way, from another connection.
        var writer = Task.Run(async () =>
        {
            for (var i = 0; ; i++)
            {
                try
                {
                    written.Add(await ledger.Runs.AppendFencedJournalAsync("run-1", "ecs", JournalKind.Started, $$"""{"n":{{i}}}""", alice.Fence, Ct));
                    firstWritten.TrySetResult();
                }
                catch (LeaseLostException)
                {
                    return i;
                }
            }
        }, Ct);
        await firstWritten.Task.WaitAsync(Ct);
        var bob = await other.Leases.TakeOverAsync(Service, "bob", "ci-7", TimeSpan.FromMinutes(10), Ct);
        var bobs = await other.Runs.AppendFencedJournalAsync("run-1", "lock", JournalKind.CallSucceeded, "{}", bob.Lease.Fence, Ct);
        var attempts = await writer;

        var journal = await ledger.Runs.ReadJournalAsync("run-1", Ct);
        Assert.Equal(attempts, written.Count);
        Assert.Equal([.. written, bobs], journal);
        Assert.All(written, entry => Assert.True(entry.Seq < bobs.Seq));
        Assert.Null(LedgerVerifier.VerifyChain("run-1", journal, await ledger.Runs.GetJournalHeadAsync("run-1", Ct)));
    }

    // Freezes

    [Fact]
    public async Task A_frozen_service_cannot_be_frozen_again_and_its_freeze_applies_only_to_it()
    {
        var ledger = await OpenAsync();

        var freeze = await ledger.Freezes.FreezeAsync(Service, "5XX spike after v1.42", "INC-0001", "alice", Ct);
        var again = await Assert.ThrowsAsync<LedgerException>(
            () => ledger.Freezes.FreezeAsync(Service, "again", null, "bob", Ct));

        Assert.Equal(LedgerFailureReason.Conflict, again.Reason);
        Assert.Contains("alice", again.Message, StringComparison.Ordinal);
        Assert.True(freeze.IsActive);
        Assert.Equal(Start, freeze.Since);
        Assert.Equal([freeze], await ledger.Freezes.GetActiveFreezesAsync(Service, Ct));
        Assert.Empty(await ledger.Freezes.GetActiveFreezesAsync("billing", Ct));
    }

    [Fact]
    public async Task An_all_services_freeze_applies_to_every_service()
    {
        var ledger = await OpenAsync();

        var all = await ledger.Freezes.FreezeAsync(Freeze.AllServices, "company-wide incident", null, "ic", Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var mine = await ledger.Freezes.FreezeAsync(Service, "rollback in progress", null, "alice", Ct);

        Assert.Equal([mine, all], await ledger.Freezes.GetActiveFreezesAsync(Service, Ct));
        Assert.Equal([all], await ledger.Freezes.GetActiveFreezesAsync("billing", Ct));
        Assert.Equal(2, (await ledger.Freezes.GetActiveFreezesAsync(null, Ct)).Count);
    }

    [Fact]
    public async Task Lifting_records_who_and_the_root_cause_and_needs_an_active_freeze()
    {
        var ledger = await OpenAsync();
        await ledger.Freezes.FreezeAsync(Service, "5XX spike", "INC-0001", "alice", Ct);
        Clock.Advance(TimeSpan.FromHours(2));

        await Assert.ThrowsAsync<ArgumentException>(() => ledger.Freezes.LiftAsync(Service, "bob", " ", Ct));
        var lifted = await ledger.Freezes.LiftAsync(Service, "bob", "connection pool exhausted by v1.42", Ct);
        var twice = await Assert.ThrowsAsync<LedgerException>(
            () => ledger.Freezes.LiftAsync(Service, "bob", "again", Ct));
        var refreeze = await ledger.Freezes.FreezeAsync(Service, "second incident", null, "carol", Ct);

        Assert.Equal("bob", lifted.LiftedBy);
        Assert.Equal(Start.AddHours(2), lifted.LiftedAt);
        Assert.Equal("connection pool exhausted by v1.42", lifted.RootCause);
        Assert.False(lifted.IsActive);
        Assert.Equal(LedgerFailureReason.NotFound, twice.Reason);
        Assert.Equal([refreeze], await ledger.Freezes.GetActiveFreezesAsync(Service, Ct));
        Assert.Equal([refreeze, lifted], await ledger.Freezes.ListFreezesAsync(Ct));
    }

    // Incidents

    [Fact]
    public async Task Incidents_get_sequential_ids_and_a_postmortem_due_date()
    {
        var ledger = await OpenAsync();

        var first = await ledger.Incidents.OpenIncidentAsync(
            new IncidentDraft("5XX after v1.42", "SEV2", "alice", TimeSpan.FromHours(48), Service: Service), Ct);
        var second = await ledger.Incidents.OpenIncidentAsync(
            new IncidentDraft("Canary stuck", "SEV3", null, TimeSpan.FromHours(48)), Ct);

        Assert.Equal("INC-0001", first.Id);
        Assert.Equal("INC-0002", second.Id);
        Assert.Equal(Start, first.OpenedAt);
        Assert.Equal(Start.AddHours(48), first.PostmortemDue);
        Assert.Equal(IncidentStatus.Open, first.Status);
        Assert.Equal(first, await ledger.Incidents.GetIncidentAsync("INC-0001", Ct));
        Assert.Equal([second, first], await ledger.Incidents.ListIncidentsAsync(Ct));
    }

    [Fact]
    public async Task Concurrent_incident_opens_from_two_ledgers_never_share_an_id()
    {
        var first = await OpenAsync();
        var second = await OpenAsync();

        var opened = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            (i % 2 == 0 ? first : second).Incidents.OpenIncidentAsync(
                new IncidentDraft($"incident {i}", "SEV3", null, TimeSpan.FromHours(48)), Ct)));

        Assert.Equal(12, opened.Select(incident => incident.Id).Distinct().Count());
        Assert.Equal(12, (await first.Incidents.ListIncidentsAsync(Ct)).Count);
    }

    [Fact]
    public async Task Incident_updates_persist_and_an_unknown_incident_is_not_found()
    {
        var ledger = await OpenAsync();
        var incident = await ledger.Incidents.OpenIncidentAsync(
            new IncidentDraft("5XX after v1.42", "SEV2", null, TimeSpan.FromHours(48)), Ct);

        var closed = incident with
        {
            Owner = "bob",
            TrackerLink = "https://tracker.example.com/PM-12",
            Status = IncidentStatus.Closed,
        };
        var stored = await ledger.Incidents.UpdateIncidentAsync(
            incident.Id, i => i with { Owner = closed.Owner, TrackerLink = closed.TrackerLink, Status = closed.Status }, Ct);
        var unchanged = await ledger.Incidents.UpdateIncidentAsync(incident.Id, i => i with { Status = IncidentStatus.Closed }, Ct);
        var missing = await Assert.ThrowsAsync<LedgerException>(
            () => ledger.Incidents.UpdateIncidentAsync("INC-0099", i => i with { Owner = "bob" }, Ct));

        Assert.Equal(closed, stored);
        Assert.Equal(closed, unchanged);
        Assert.Equal(closed, await ledger.Incidents.GetIncidentAsync(incident.Id, Ct));
        Assert.Equal(LedgerFailureReason.NotFound, missing.Reason);
        Assert.Null(await ledger.Incidents.GetIncidentAsync("INC-0099", Ct));
    }

    [Fact]
    public async Task Concurrent_incident_updates_of_different_fields_are_all_kept()
    {
        var ledger = await OpenAsync();
        var incident = await ledger.Incidents.OpenIncidentAsync(new IncidentDraft("t-0", "SEV2", "o-0", TimeSpan.FromHours(48)), Ct);
        const int rounds = 6;

        // Three writers (as three processes would be), each counting up in its own field from what it reads. A writer
        // that wrote a whole stale record would put another's field back, and that count would end short.
        async Task CountAsync(Func<Incident, Incident> step)
        {
            var writer = await OpenAsync();
            for (var i = 0; i < rounds; i++)
                await writer.Incidents.UpdateIncidentAsync(incident.Id, step, Ct);
        }
        static string Next(string? value, string prefix) => $"{prefix}{int.Parse(value?[prefix.Length..] ?? "0", System.Globalization.CultureInfo.InvariantCulture) + 1}";
        await Task.WhenAll(
            Task.Run(() => CountAsync(i => i with { Owner = Next(i.Owner, "o-") }), Ct),
            Task.Run(() => CountAsync(i => i with { Title = Next(i.Title, "t-") }), Ct),
            Task.Run(() => CountAsync(i => i with { TrackerLink = Next(i.TrackerLink, "l-") }), Ct));

        var final = await ledger.Incidents.GetIncidentAsync(incident.Id, Ct);
        Assert.Equal(($"o-{rounds}", $"t-{rounds}", $"l-{rounds}"), (final!.Owner, final.Title, final.TrackerLink));
    }

    [Fact]
    public async Task An_incident_root_cause_and_its_freeze_round_trip_and_can_be_replaced_or_cleared()
    {
        var ledger = await OpenAsync();
        var incident = await ledger.Incidents.OpenIncidentAsync(
            new IncidentDraft("5XX after v1.42", "SEV2", "alice", TimeSpan.FromHours(48), Service: Service), Ct);

        var recorded = incident with { RootCause = "connection pool exhausted by v1.42", RootCauseFrom = "frz-20261127-091500-ab12" };
        await ledger.Incidents.UpdateIncidentAsync(incident.Id, _ => recorded, Ct);
        var afterRecord = await (await OpenAsync()).Incidents.GetIncidentAsync(incident.Id, Ct);
        var replaced = recorded with { RootCause = "a config key v1.42 read and v1.41 never set", RootCauseFrom = "frz-20261128-101500-cd34" };
        await ledger.Incidents.UpdateIncidentAsync(incident.Id, _ => replaced, Ct);
        var afterReplace = Assert.Single(await ledger.Incidents.ListIncidentsAsync(Ct));
        await ledger.Incidents.UpdateIncidentAsync(incident.Id, i => i with { RootCause = null, RootCauseFrom = null }, Ct);
        var afterClear = await ledger.Incidents.GetIncidentAsync(incident.Id, Ct);

        Assert.Null(incident.RootCause);
        Assert.Null(incident.RootCauseFrom);
        Assert.Equal("connection pool exhausted by v1.42", afterRecord?.RootCause);
        Assert.Equal("frz-20261127-091500-ab12", afterRecord?.RootCauseFrom);
        Assert.Equal(recorded, afterRecord);
        Assert.Equal(replaced, afterReplace);
        Assert.Equal(incident, afterClear);
    }

    // Outbox

    [Fact]
    public async Task Enqueueing_the_same_key_twice_returns_the_first_item_so_nothing_is_sent_twice()
    {
        var ledger = await OpenAsync();

        var first = await ledger.Outbox.EnqueueAsync("run-1/notify/support", "slack:#support", "sha256:aa", Ct);
        await ledger.Outbox.MarkDeliveredAsync("run-1/notify/support", "HTTP 200", Ct);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var resumed = await ledger.Outbox.EnqueueAsync("run-1/notify/support", "slack:#support", "sha256:aa", Ct);

        Assert.Equal(OutboxStatus.Pending, first.Status);
        Assert.Equal(OutboxStatus.Delivered, resumed.Status);
        Assert.Equal("HTTP 200", resumed.Receipt);
        Assert.Equal(1, resumed.Attempts);
        Assert.Equal(Start, resumed.CreatedAt);
    }

    [Fact]
    public async Task The_same_key_with_a_different_payload_is_a_conflict()
    {
        var ledger = await OpenAsync();
        await ledger.Outbox.EnqueueAsync("run-1/notify/support", "slack:#support", "sha256:aa", Ct);

        var payload = await Assert.ThrowsAsync<LedgerException>(
            () => ledger.Outbox.EnqueueAsync("run-1/notify/support", "slack:#support", "sha256:bb", Ct));
        var target = await Assert.ThrowsAsync<LedgerException>(
            () => ledger.Outbox.EnqueueAsync("run-1/notify/support", "slack:#general", "sha256:aa", Ct));

        Assert.Equal(LedgerFailureReason.Conflict, payload.Reason);
        Assert.Equal(LedgerFailureReason.Conflict, target.Reason);
    }

    [Fact]
    public async Task Failed_attempts_are_counted_and_items_list_by_status()
    {
        var ledger = await OpenAsync();
        await ledger.Outbox.EnqueueAsync("k-1", "webhook:ops", "h1", Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await ledger.Outbox.EnqueueAsync("k-2", "jira:PM", "h2", Ct);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await ledger.Outbox.EnqueueAsync("k-3", "slack:#releases", "h3", Ct);

        await ledger.Outbox.MarkFailedAsync("k-1", "HTTP 503", Ct);
        Clock.Advance(TimeSpan.FromSeconds(5));
        var failedTwice = await ledger.Outbox.MarkFailedAsync("k-1", "timeout after 10 s", Ct);
        await ledger.Outbox.MarkDeliveredAsync("k-2", "PM-12", Ct);
        var missing = await Assert.ThrowsAsync<LedgerException>(() => ledger.Outbox.MarkDeliveredAsync("k-9", "x", Ct));

        Assert.Equal(OutboxStatus.Failed, failedTwice.Status);
        Assert.Equal(2, failedTwice.Attempts);
        Assert.Equal("timeout after 10 s", failedTwice.LastError);
        Assert.Equal(Start.AddSeconds(7), failedTwice.UpdatedAt);
        Assert.Equal(LedgerFailureReason.NotFound, missing.Reason);
        Assert.Equal(["k-1", "k-2", "k-3"], (await ledger.Outbox.ListOutboxAsync(null, Ct)).Select(i => i.IdempotencyKey));
        Assert.Equal(["k-3"], (await ledger.Outbox.ListOutboxAsync(OutboxStatus.Pending, Ct)).Select(i => i.IdempotencyKey));
        Assert.Equal(failedTwice, await ledger.Outbox.GetOutboxItemAsync("k-1", Ct));
        Assert.Null(await ledger.Outbox.GetOutboxItemAsync("k-9", Ct));
    }

    [Fact]
    public async Task Given_a_failed_delivery_when_marked_sending_then_it_lists_as_sending_and_keeps_its_last_error_and_attempts()
    {
        var ledger = await OpenAsync();
        await ledger.Outbox.EnqueueAsync("k-1", "slack:#releases", "h1", Ct);
        await ledger.Outbox.MarkFailedAsync("k-1", "HTTP 503", Ct);
        Clock.Advance(TimeSpan.FromSeconds(3));

        var sending = await ledger.Outbox.MarkSendingAsync("k-1", Ct);
        var missing = await Assert.ThrowsAsync<LedgerException>(() => ledger.Outbox.MarkSendingAsync("k-9", Ct));

        Assert.Equal((OutboxStatus.Sending, 1, "HTTP 503", Start.AddSeconds(3)), (sending.Status, sending.Attempts, sending.LastError, sending.UpdatedAt));
        Assert.Equal(sending, await ledger.Outbox.GetOutboxItemAsync("k-1", Ct));
        Assert.Equal(["k-1"], (await ledger.Outbox.ListOutboxAsync(OutboxStatus.Sending, Ct)).Select(i => i.IdempotencyKey));
        Assert.Equal(LedgerFailureReason.NotFound, missing.Reason);
        var delivered = await ledger.Outbox.MarkDeliveredAsync("k-1", "HTTP 200", Ct);
        Assert.Equal((OutboxStatus.Delivered, 2), (delivered.Status, delivered.Attempts));
    }
}
