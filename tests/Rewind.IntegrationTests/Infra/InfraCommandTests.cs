using System.Text.Json;
using Rewind.Aws;
using Rewind.Cli;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Cli;
using Rewind.Ledger.Sqlite;
using Rewind.Playbook.Infra;
using Xunit;

namespace Rewind.IntegrationTests.Infra;

/// <summary>
/// <c>rewind infra plan|apply</c> against a real terraform and a temporary git repository: the plan back to HEAD~1,
/// the CONFIRM=true and destroy-limit gates, the proof (a second plan is empty) and a user's tree left untouched.
/// Runs needing CONFIRM=true or another PATH use the real program in its own process, so no test changes this
/// process's environment.
/// </summary>
public sealed class InfraCommandTests : IDisposable
{
    private readonly RewindProcess _rewind = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Plan_back_to_HEAD_1_shows_the_diff_and_changes_nothing()
    {
        using var repo = await RepositoryAsync();
        var (state, tree) = (await File.ReadAllBytesAsync(repo.StateFile, Ct), repo.TreeFingerprint());

        var result = await InProcessAsync(["infra", "plan", "--config", repo.Config(), "--output", "json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var plan = JsonDocument.Parse(result.Stdout);
        var root = plan.RootElement;
        Assert.Equal("HEAD~1", root.GetProperty("ref").GetString());
        Assert.Equal(repo.FirstCommit, root.GetProperty("commit").GetString());
        Assert.True(root.GetProperty("hasChanges").GetBoolean());
        Assert.Equal((0, 1, 1), (root.GetProperty("adds").GetInt32(), root.GetProperty("changes").GetInt32(), root.GetProperty("destroys").GetInt32()));
        Assert.Equal(
            ["update terraform_data.a", "delete terraform_data.b"],
            root.GetProperty("resources").EnumerateArray().Select(r => $"{r.GetProperty("action").GetString()} {r.GetProperty("address").GetString()}"));
        Assert.Equal($"local {repo.StateFile}", root.GetProperty("state").GetString());
        Assert.Contains("Plan: 0 to add, 1 to change, 1 to destroy.", result.Stderr, StringComparison.Ordinal);
        await AssertUntouchedAsync(repo, state, tree);
    }

    [Fact]
    public async Task Apply_without_CONFIRM_is_refused_with_exit_3_and_the_state_is_unchanged()
    {
        using var repo = await RepositoryAsync();
        var (state, tree) = (await File.ReadAllBytesAsync(repo.StateFile, Ct), repo.TreeFingerprint());

        var result = await _rewind.RunAsync(["infra", "apply", "--live", "--allow-destroy", "--config", repo.Config()], null, Ct);

        Assert.True(result.ExitCode == ExitCodes.Blocked, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("rewind: terraform apply needs CONFIRM=true as well as --live; nothing was changed: review 'rewind infra plan', then run: CONFIRM=true rewind infra apply --live --allow-destroy", line);
        await AssertUntouchedAsync(repo, state, tree);
        Assert.Equal(["a", "b"], repo.StateResources().Keys.Select(k => k.Split('.')[1]).Order());
    }

    [Fact]
    public async Task Apply_refuses_more_destroys_than_the_limit_then_with_allow_destroy_applies_and_a_second_plan_is_empty()
    {
        using var repo = await RepositoryAsync();
        var config = repo.Config(maxDestroys: 0);
        var (state, tree) = (await File.ReadAllBytesAsync(repo.StateFile, Ct), repo.TreeFingerprint());
        var confirmed = new Dictionary<string, string> { ["CONFIRM"] = "true" };

        var refused = await _rewind.RunAsync(["infra", "apply", "--live", "--config", config], confirmed, Ct);

        Assert.True(refused.ExitCode == ExitCodes.Blocked, refused.ToString());
        Assert.Contains("rewind: the plan destroys 1 resource(s), more than infra.max_destroys 0; nothing was changed", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("--allow-destroy", refused.Stderr, StringComparison.Ordinal);
        await AssertUntouchedAsync(repo, state, tree);

        var applied = await _rewind.RunAsync(["infra", "apply", "--live", "--allow-destroy", "--config", config, "--output", "json"], confirmed, Ct);

        Assert.True(applied.ExitCode == 0, applied.ToString());
        using var report = JsonDocument.Parse(applied.Stdout);
        var result = report.RootElement.GetProperty("applied");
        Assert.Equal("Succeeded", result.GetProperty("status").GetString());
        Assert.True(result.GetProperty("evidence").GetProperty("applied").GetBoolean());
        Assert.Equal("no changes", result.GetProperty("evidence").GetProperty("planAfter").GetString());
        Assert.Equal(new Dictionary<string, string> { ["terraform_data.a"] = "one" }, repo.StateResources());
        Assert.Equal(tree, repo.TreeFingerprint());
        Assert.Single(await repo.WorktreesAsync(Ct));

        var again = await InProcessAsync(["infra", "plan", "--config", config, "--output", "json"]);

        Assert.True(again.ExitCode == 0, again.ToString());
        using var second = JsonDocument.Parse(again.Stdout);
        Assert.False(second.RootElement.GetProperty("hasChanges").GetBoolean());
        Assert.Empty(second.RootElement.GetProperty("resources").EnumerateArray());

        // The apply is journaled like every mutating call: sent, then succeeded, once.
        await using var ledger = await SqliteLedger.OpenAsync(repo.LedgerPath, Ct);
        var run = Assert.Single(await ledger.Runs.ListRunsAsync("api", 10, Ct));
        Assert.Equal(RunStatus.Succeeded, run.Status);
        var journal = await ledger.Runs.ReadJournalAsync(run.Id, Ct);
        Assert.Single(journal, e => e.Kind == JournalKind.CallSent && e.Detail.Contains(InfraStep.Apply, StringComparison.Ordinal));
        Assert.Single(journal, e => e.Kind == JournalKind.CallSucceeded && e.Detail.Contains(InfraStep.Apply, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_limit_that_covers_the_destroys_needs_no_flag_and_a_dry_run_apply_changes_nothing()
    {
        using var repo = await RepositoryAsync();
        var (state, tree) = (await File.ReadAllBytesAsync(repo.StateFile, Ct), repo.TreeFingerprint());

        var dryRun = await InProcessAsync(["infra", "apply", "--config", repo.Config(maxDestroys: 1)]);

        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Contains("dry-run: nothing was changed", dryRun.Stderr, StringComparison.Ordinal);
        Assert.Contains("delete terraform_data.b", dryRun.Stdout, StringComparison.Ordinal);
        await AssertUntouchedAsync(repo, state, tree);

        var applied = await _rewind.RunAsync(["infra", "apply", "--live", "--config", repo.Config(maxDestroys: 1)], new Dictionary<string, string> { ["CONFIRM"] = "true" }, Ct);

        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Equal(new Dictionary<string, string> { ["terraform_data.a"] = "one" }, repo.StateResources());
    }

    [Fact]
    public async Task An_unknown_ref_is_bad_input_and_changes_nothing()
    {
        using var repo = await RepositoryAsync();
        var (state, tree) = (await File.ReadAllBytesAsync(repo.StateFile, Ct), repo.TreeFingerprint());

        var result = await InProcessAsync(["infra", "plan", "--ref", "no-such-branch", "--config", repo.Config()]);

        AssertOneLine(result, ExitCodes.BadInput, $"rewind: git ref 'no-such-branch' is not a commit in {repo.Root}: give a branch, tag or commit that exists (git log --oneline)");
        await AssertUntouchedAsync(repo, state, tree);
    }

    [Fact]
    public async Task A_dirty_Terraform_directory_is_refused_naming_the_files()
    {
        using var repo = await RepositoryAsync();
        await File.AppendAllTextAsync(Path.Combine(repo.TerraformDirectory, "main.tf"), "# edited by hand\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(repo.TerraformDirectory, "new.tf"), "", Ct);
        var (state, tree) = (await File.ReadAllBytesAsync(repo.StateFile, Ct), repo.TreeFingerprint());

        var result = await InProcessAsync(["infra", "plan", "--config", repo.Config()]);

        AssertOneLine(result, ExitCodes.BadInput, "rewind: the Terraform directory infra/terraform has uncommitted changes: infra/terraform/main.tf, infra/terraform/new.tf: commit or stash them first");
        await AssertUntouchedAsync(repo, state, tree);
    }

    [Fact]
    public async Task Without_terraform_on_PATH_the_command_says_so_in_one_line()
    {
        using var repo = await RepositoryAsync();
        var (state, tree) = (await File.ReadAllBytesAsync(repo.StateFile, Ct), repo.TreeFingerprint());
        // A PATH with git and nothing else.
        var bin = Directory.CreateDirectory(Path.Combine(repo.Folder, "bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(bin, "git"), TerraformRepository.Find("git")!);

        var result = await _rewind.RunAsync(["infra", "plan", "--config", repo.Config()], new Dictionary<string, string> { ["PATH"] = bin }, Ct);

        AssertOneLine(result, ExitCodes.BadInput, "rewind: 'terraform' was not found on PATH: install Terraform 1.x, or put the terraform binary on PATH");
        await AssertUntouchedAsync(repo, state, tree);
    }

    [Fact]
    public async Task A_configuration_without_an_infra_section_is_bad_input()
    {
        var folder = Directory.CreateTempSubdirectory("rewind-noinfra-").FullName;
        try
        {
            var config = Path.Combine(folder, "rewind.yaml");
            await File.WriteAllTextAsync(config, $"service:\n  name: api\nledger:\n  path: {Path.Combine(folder, "ledger.db")}\n", Ct);

            var result = await InProcessAsync(["infra", "plan", "--config", config]);

            AssertOneLine(result, ExitCodes.BadInput, $"rewind: {config} has no infra section");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_ref_recorded_in_the_target_release_is_the_default_and_a_plan_at_HEAD_is_empty()
    {
        using var repo = await RepositoryAsync();
        var step = new InfraStep(new InfraSettings(repo.Root, TerraformRepository.Directory, 0, repo.PlanFolder));
        var target = new RollbackTarget("release", "release 1.0 (rel-1)", "test", "rel-1", "arn:aws:ecs:us-east-1:1:task-definition/f:1")
        {
            Snapshot = new Dictionary<string, string> { [InfraStep.SnapshotKey] = repo.SecondCommit },
        };

        var plan = await step.PlanAsync(new PlanningContext("api", target), Ct);
        var planned = InfraStep.Read(plan);

        Assert.Equal(repo.SecondCommit, planned.Commit);
        Assert.Equal("recorded in the target release", planned.RefReason);
        Assert.True(plan.NothingToDo);
        Assert.Empty(planned.FilesLeft());
        Assert.Empty(Directory.GetFiles(repo.PlanFolder, "*.tfplan"));
    }

    private static async Task<TerraformRepository> RepositoryAsync()
    {
        Assert.SkipWhen(TerraformRepository.Missing is not null, $"the Terraform tests need {TerraformRepository.Missing}");
        return await TerraformRepository.CreateAsync(Ct);
    }

    private static async Task AssertUntouchedAsync(TerraformRepository repo, byte[] state, string tree)
    {
        Assert.Equal(state, await File.ReadAllBytesAsync(repo.StateFile, Ct));
        Assert.Equal(tree, repo.TreeFingerprint());
        Assert.Single(await repo.WorktreesAsync(Ct));
    }

    private static void AssertOneLine(RewindResult result, int code, string start)
    {
        Assert.True(result.ExitCode == code, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(start, line, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    private static async Task<RewindResult> InProcessAsync(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await RewindApp.RunAsync(args, stdout, stderr, Ct, _ => throw new InvalidOperationException("the infra command makes no AWS call"));
        return new RewindResult(code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose() => _rewind.Dispose();
}
