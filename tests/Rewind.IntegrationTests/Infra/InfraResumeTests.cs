using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Playbook;
using Rewind.Ledger.Sqlite;
using Rewind.Playbook.Infra;
using Xunit;

namespace Rewind.IntegrationTests.Infra;

/// <summary>The infrastructure step stopped around its apply and resumed: terraform apply is never run twice for one plan.</summary>
public sealed class InfraResumeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_stopped_after_the_apply_landed_is_not_applied_again_on_resume_only_verified()
    {
        var (plan, outcome, journal, repo) = await CrashAndResumeAsync(JournalKind.CallSucceeded);
        using var _ = repo;

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var applied = Assert.IsType<InfraApplied>(Assert.Single(outcome.Steps).Result.Evidence);
        Assert.True(applied.Applied && applied.AppliedEarlier);
        Assert.Equal("no changes", applied.PlanAfter);
        Assert.Single(journal, e => e.Kind == JournalKind.CallSent && e.Detail.Contains(InfraStep.Apply, StringComparison.Ordinal));
        Assert.Equal(new Dictionary<string, string> { ["terraform_data.a"] = "one" }, repo.StateResources());
        Assert.Equal(repo.FirstCommit, InfraStep.Read(plan.Steps[0]).Commit);
    }

    [Fact]
    public async Task A_run_stopped_after_the_apply_was_journaled_as_sent_plans_again_and_applies_what_is_left()
    {
        var (_, outcome, journal, repo) = await CrashAndResumeAsync(JournalKind.CallSent);
        using var __ = repo;

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        var applied = Assert.IsType<InfraApplied>(Assert.Single(outcome.Steps).Result.Evidence);
        Assert.Equal("an earlier apply may have landed in part", applied.Replanned);
        Assert.True(applied.Applied);
        Assert.Equal("no changes", applied.PlanAfter);
        // The kill cancels terraform, which may still finish its apply (it stops gracefully): then the resumed run finds
        // nothing left and says the earlier apply landed; else it applies what is left, once.
        var appliedOnResume = journal.Count(e => e.Kind == JournalKind.CallSucceeded && e.Detail.Contains(InfraStep.Apply, StringComparison.Ordinal));
        Assert.Equal(applied.AppliedEarlier ? 0 : 1, appliedOnResume);
        Assert.Equal(new Dictionary<string, string> { ["terraform_data.a"] = "one" }, repo.StateResources());
    }

    private static async Task<(RollbackPlan Plan, RunOutcome Outcome, IReadOnlyList<JournalEntry> Journal, TerraformRepository Repo)> CrashAndResumeAsync(JournalKind crashAfter)
    {
        Assert.SkipWhen(TerraformRepository.Missing is not null, $"the Terraform tests need {TerraformRepository.Missing}");
        var repo = await TerraformRepository.CreateAsync(Ct);
        await using var ledger = await SqliteLedger.OpenAsync(repo.LedgerPath, TimeProvider.System, Ct);
        IStep[] steps = [new InfraStep(new InfraSettings(repo.Root, TerraformRepository.Directory, 1, repo.PlanFolder), approved: () => true)];
        var plan = await new RollbackPlanner(steps, TimeProvider.System).PlanAsync("api", null, StepSelection.All, Ct);
        using var crash = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var crashing = new CrashAfterJournalEntry(ledger, "infra", crashAfter, InfraStep.Apply, crash);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new RunExecutor(crashing, steps, new RecordingObserver(), TimeProvider.System).StartAsync(plan, PlaybookHarness.PlanJson(plan), PlaybookHarness.By, crash.Token));
        var run = Assert.Single(await ledger.Runs.ListRunsAsync("api", 10, Ct));
        var outcome = await new RunExecutor(ledger, steps, new RecordingObserver(), TimeProvider.System).ResumeAsync(run, plan, PlaybookHarness.By, Ct);
        return (plan, outcome, await ledger.Runs.ReadJournalAsync(run.Id, Ct), repo);
    }
}
