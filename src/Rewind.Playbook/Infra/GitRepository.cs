using Rewind.Core;

namespace Rewind.Playbook.Infra;

/// <summary>
/// The user's repository, through the <c>git</c> command: resolve a ref, list uncommitted changes, and check a
/// commit out in a temporary worktree. Nothing here touches the user's working tree.
/// </summary>
public sealed class GitRepository
{
    private static readonly IReadOnlyDictionary<string, string?> Quiet = new Dictionary<string, string?>
    {
        ["GIT_TERMINAL_PROMPT"] = "0",
        ["GIT_OPTIONAL_LOCKS"] = "0",
    };

    private readonly ExternalTool _git;

    private GitRepository(ExternalTool git, string root, string prefix)
    {
        _git = git;
        Root = root;
        Prefix = prefix;
    }

    /// <summary>The top of the working tree.</summary>
    public string Root { get; }

    /// <summary>Where the configured repository path sits inside <see cref="Root"/> ("" or "sub/dir/").</summary>
    public string Prefix { get; }

    /// <summary>Opens the repository at <paramref name="path"/>; a folder that is not in a git repository is bad input.</summary>
    public static async Task<GitRepository> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var git = ExternalTool.Require("git", "install git: the infrastructure step checks the Terraform code out of the repository");
        if (!Directory.Exists(path))
            throw new RewindException($"infra.repository {path} does not exist", "set infra.repository in rewind.yaml to the git repository holding the Terraform code", FailureKind.BadInput);
        var top = await git.RunAsync(["rev-parse", "--show-toplevel", "--show-prefix"], path, Quiet, null, cancellationToken);
        if (top.ExitCode != 0)
            throw new RewindException($"infra.repository {path} is not a git repository ({top.ErrorLine})", "set infra.repository in rewind.yaml to the git repository holding the Terraform code", FailureKind.BadInput);
        var lines = top.Stdout.Split('\n');
        return new GitRepository(git, lines[0].Trim(), lines.Length > 1 ? lines[1].Trim() : "");
    }

    /// <summary>The full commit id <paramref name="reference"/> names; a ref that names no commit is bad input.</summary>
    public async Task<string> ResolveCommitAsync(string reference, CancellationToken cancellationToken)
    {
        if (reference.StartsWith('-'))
            throw new RewindException($"'{reference}' is not a git ref", "give a branch, tag or commit, such as HEAD~1", FailureKind.BadInput);
        var result = await GitAsync(["rev-parse", "--verify", "--quiet", "--end-of-options", reference + "^{commit}"], cancellationToken);
        if (result.ExitCode != 0)
            throw new RewindException($"git ref '{reference}' is not a commit in {Root}", "give a branch, tag or commit that exists (git log --oneline)", FailureKind.BadInput);
        return result.Stdout.Trim();
    }

    /// <summary>Whether <paramref name="directory"/> (relative to the configured repository path) is a folder at <paramref name="commit"/>.</summary>
    public async Task<bool> HasDirectoryAsync(string commit, string directory, CancellationToken cancellationToken)
    {
        var result = await GitAsync(["cat-file", "-t", $"{commit}:{Prefix}{directory}"], cancellationToken);
        return result.ExitCode == 0 && result.Stdout.Trim() == "tree";
    }

    /// <summary>
    /// Uncommitted changes (modified, staged, untracked) under <paramref name="directory"/>, relative to the repository
    /// root, except what Terraform itself writes there (state, its backup, <c>.terraform/</c>, plan files).
    /// </summary>
    public async Task<IReadOnlyList<string>> UncommittedAsync(string directory, CancellationToken cancellationToken)
    {
        var result = await GitAsync(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", Prefix + directory], cancellationToken);
        if (result.ExitCode != 0)
            throw new RewindException($"git status failed in {Root}: {result.ErrorLine}", "check the repository with 'git status'");
        var entries = result.Stdout.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var files = new List<string>();
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            if (entry.Length < 4)
                continue;
            files.Add(entry[3..]);
            if (entry[0] is 'R' or 'C')
                i++; // a rename's second entry is its old path
        }
        return [.. files.Where(f => !TerraformOwned(f))];
    }

    /// <summary>Checks <paramref name="commit"/> out in a new temporary worktree, detached; removed again on dispose.</summary>
    public async Task<TemporaryWorktree> AddWorktreeAsync(string commit, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("rewind-infra-").FullName;
        var path = Path.Combine(folder, "tree");
        var result = await GitAsync(["worktree", "add", "--detach", "--quiet", path, commit], cancellationToken);
        if (result.ExitCode != 0)
        {
            TemporaryWorktree.DeleteFolder(folder);
            throw new RewindException($"git could not check out {commit[..Math.Min(12, commit.Length)]} in a temporary worktree: {result.ErrorLine}", "check the repository with 'git worktree list' and 'git status'");
        }
        return new TemporaryWorktree(this, folder, path);
    }

    internal Task<ToolResult> GitAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        _git.RunAsync(["-C", Root, .. arguments], Root, Quiet, null, cancellationToken);

    private static bool TerraformOwned(string file)
    {
        var name = Path.GetFileName(file.TrimEnd('/'));
        return file.Split('/').Contains(".terraform")
            || file.Split('/').Contains("terraform.tfstate.d")
            || name.StartsWith("terraform.tfstate", StringComparison.Ordinal)
            || name.EndsWith(".tfplan", StringComparison.Ordinal);
    }
}

/// <summary>A commit checked out under a temporary folder; disposing removes the worktree and the folder, even after a failure.</summary>
public sealed class TemporaryWorktree : IAsyncDisposable
{
    private readonly GitRepository _repository;
    private readonly string _folder;

    internal TemporaryWorktree(GitRepository repository, string folder, string path)
    {
        _repository = repository;
        _folder = folder;
        Path = path;
    }

    /// <summary>The checked-out tree (the same layout as the repository root).</summary>
    public string Path { get; }

    public async ValueTask DisposeAsync()
    {
        // Cleanup runs even when the run was cancelled: its own short bound, not the run's token.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _repository.GitAsync(["worktree", "remove", "--force", Path], bound.Token);
            DeleteFolder(_folder);
            await _repository.GitAsync(["worktree", "prune"], bound.Token);
        }
        catch (OperationCanceledException)
        {
            // git hung: the folder is temporary and 'git worktree prune' forgets it later.
        }
    }

    internal static void DeleteFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
