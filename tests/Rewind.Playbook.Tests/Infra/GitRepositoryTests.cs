using Rewind.Core;
using Rewind.Playbook.Infra;
using Xunit;

namespace Rewind.Playbook.Tests.Infra;

/// <summary>The user's repository through real git in a temporary folder: opening, refs, uncommitted changes, temporary worktrees.</summary>
public sealed class GitRepositoryTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("rewind-git-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public GitRepositoryTests() =>
        GitCommand.InitWith(Repo, new Dictionary<string, string> { ["infra/main.tf"] = "# v1\n", ["README.md"] = "r\n" });

    public void Dispose() => _root.Delete(recursive: true);

    private string Repo => _root.FullName;

    private void Write(string file, string text)
    {
        var path = Path.Combine(Repo, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private string Git(params string[] arguments) => GitCommand.Run(Repo, arguments);

    [Fact]
    public async Task Given_the_top_of_a_repository_when_opened_then_the_root_is_it_and_the_prefix_empty()
    {
        var repository = await GitRepository.OpenAsync(Repo, Ct);

        Assert.Equal((Path.GetFullPath(Repo), ""), (Path.GetFullPath(repository.Root), repository.Prefix));
    }

    [Fact]
    public async Task Given_a_folder_inside_a_repository_when_opened_then_the_prefix_is_its_place_in_the_root()
    {
        var repository = await GitRepository.OpenAsync(Path.Combine(Repo, "infra"), Ct);

        Assert.Equal("infra/", repository.Prefix);
        Assert.True(await repository.HasDirectoryAsync(await repository.ResolveCommitAsync("HEAD", Ct), "", Ct));
    }

    [Fact]
    public async Task Given_a_missing_folder_when_opened_then_it_is_bad_input()
    {
        var missing = Path.Combine(Repo, "nope");

        var e = await Assert.ThrowsAsync<RewindException>(() => GitRepository.OpenAsync(missing, Ct));

        Assert.Equal(($"infra.repository {missing} does not exist", "set infra.repository in rewind.yaml to the git repository holding the Terraform code", FailureKind.BadInput), (e.Message, e.Hint, e.Kind));
    }

    [Fact]
    public async Task Given_a_folder_outside_any_repository_when_opened_then_it_is_bad_input_with_gits_words()
    {
        var outside = Directory.CreateTempSubdirectory("rewind-nogit-");
        try
        {
            var e = await Assert.ThrowsAsync<RewindException>(() => GitRepository.OpenAsync(outside.FullName, Ct));

            Assert.StartsWith($"infra.repository {outside.FullName} is not a git repository (", e.Message, StringComparison.Ordinal);
            Assert.Contains("not a git repository", e.Message[(e.Message.IndexOf('(', StringComparison.Ordinal) + 1)..], StringComparison.Ordinal);
            Assert.Equal(FailureKind.BadInput, e.Kind);
        }
        finally
        {
            outside.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Given_refs_when_resolved_then_each_is_the_full_commit_and_a_bad_one_is_bad_input()
    {
        var first = Git("rev-parse", "HEAD");
        Write("infra/main.tf", "# v2\n");
        Git("commit", "--quiet", "-am", "two");
        Git("tag", "v1", first);
        var repository = await GitRepository.OpenAsync(Repo, Ct);

        Assert.Equal(first, await repository.ResolveCommitAsync("HEAD~1", Ct));
        Assert.Equal(first, await repository.ResolveCommitAsync("v1", Ct));
        Assert.Equal(Git("rev-parse", "HEAD"), await repository.ResolveCommitAsync("main", Ct));
        var missing = await Assert.ThrowsAsync<RewindException>(() => repository.ResolveCommitAsync("no-such-branch", Ct));
        Assert.Equal(($"git ref 'no-such-branch' is not a commit in {repository.Root}", "give a branch, tag or commit that exists (git log --oneline)", FailureKind.BadInput), (missing.Message, missing.Hint, missing.Kind));
        var option = await Assert.ThrowsAsync<RewindException>(() => repository.ResolveCommitAsync("--all", Ct));
        Assert.Equal(("'--all' is not a git ref", "give a branch, tag or commit, such as HEAD~1", FailureKind.BadInput), (option.Message, option.Hint, option.Kind));
    }

    [Fact]
    public async Task Given_a_commit_when_asked_for_folders_then_only_a_tree_at_that_commit_counts()
    {
        var repository = await GitRepository.OpenAsync(Repo, Ct);
        var head = await repository.ResolveCommitAsync("HEAD", Ct);

        Assert.True(await repository.HasDirectoryAsync(head, "infra", Ct));
        Assert.False(await repository.HasDirectoryAsync(head, "README.md", Ct));
        Assert.False(await repository.HasDirectoryAsync(head, "missing", Ct));
    }

    [Fact]
    public async Task Given_changes_when_listed_then_modified_staged_untracked_and_renamed_files_count_but_not_terraforms_own()
    {
        Write("infra/main.tf", "# edited\n");
        Write("infra/new.tf", "# new\n");
        Write("infra/terraform.tfstate", "{}");
        Write("infra/terraform.tfstate.backup", "{}");
        Write("infra/.terraform/providers/x", "x");
        Write("infra/terraform.tfstate.d/dev/terraform.tfstate", "{}");
        Write("infra/rewind.tfplan", "p");
        Write("README.md", "changed outside\n");
        Write("infra/old.tf", "# old\n");
        Git("add", "infra/old.tf");
        Git("commit", "--quiet", "-m", "old");
        Git("mv", "infra/old.tf", "infra/moved.tf");
        var repository = await GitRepository.OpenAsync(Repo, Ct);

        var files = await repository.UncommittedAsync("infra", Ct);

        Assert.Equal(["infra/main.tf", "infra/moved.tf", "infra/new.tf"], files.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Given_a_clean_folder_when_listed_then_there_is_nothing()
    {
        Write("README.md", "changed outside\n");
        var repository = await GitRepository.OpenAsync(Path.Combine(Repo, "infra"), Ct);

        Assert.Empty(await repository.UncommittedAsync("", Ct));
    }

    [Fact]
    public async Task Given_a_commit_when_checked_out_in_a_worktree_then_it_has_that_commits_files_and_is_gone_after()
    {
        var first = Git("rev-parse", "HEAD");
        Write("infra/main.tf", "# v2\n");
        Git("commit", "--quiet", "-am", "two");
        var repository = await GitRepository.OpenAsync(Repo, Ct);

        string path;
        await using (var worktree = await repository.AddWorktreeAsync(first, Ct))
        {
            path = worktree.Path;
            Assert.Equal("# v1\n", await File.ReadAllTextAsync(Path.Combine(path, "infra", "main.tf"), Ct));
            Assert.Equal("# v2\n", await File.ReadAllTextAsync(Path.Combine(Repo, "infra", "main.tf"), Ct));
        }

        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
        Assert.DoesNotContain(path, Git("worktree", "list"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_a_commit_that_does_not_exist_when_checked_out_then_it_fails_naming_its_first_12_characters()
    {
        var repository = await GitRepository.OpenAsync(Repo, Ct);

        var e = await Assert.ThrowsAsync<RewindException>(() => repository.AddWorktreeAsync("0123456789abcdef0123456789abcdef01234567", Ct));

        Assert.StartsWith("git could not check out 0123456789ab in a temporary worktree: ", e.Message, StringComparison.Ordinal);
        Assert.Equal("check the repository with 'git worktree list' and 'git status'", e.Hint);
        var tiny = await Assert.ThrowsAsync<RewindException>(() => repository.AddWorktreeAsync("abc", Ct));
        Assert.StartsWith("git could not check out abc in", tiny.Message, StringComparison.Ordinal);
    }
}
