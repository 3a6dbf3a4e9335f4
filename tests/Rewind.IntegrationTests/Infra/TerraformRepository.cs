using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Xunit;

namespace Rewind.IntegrationTests.Infra;

/// <summary>
/// A temporary git repository with two commits of <c>terraform_data</c> resources (local backend, no provider to
/// download) and the newest one applied by terraform itself: the user's world before a Terraform rollback.
/// Commit 1 has <c>a = "one"</c>; commit 2 (HEAD) has <c>a = "uno"</c> and <c>b = "two"</c>.
/// </summary>
internal sealed class TerraformRepository : IDisposable
{
    public const string Directory = "infra/terraform";

    private TerraformRepository(string folder)
    {
        Folder = folder;
    }

    /// <summary>The temporary folder: the repository in <c>repo/</c>, the ledger and rewind.yaml beside it.</summary>
    public string Folder { get; }

    public string Root => Path.Combine(Folder, "repo");
    public string TerraformDirectory => Path.Combine(Root, Directory);
    public string StateFile => Path.Combine(TerraformDirectory, "terraform.tfstate");
    public string LedgerPath => Path.Combine(Folder, "ledger.db");
    public string PlanFolder => Path.Combine(Folder, "plans");
    public string FirstCommit { get; private set; } = "";
    public string SecondCommit { get; private set; } = "";

    /// <summary>Why the Terraform tests cannot run here, or null (they need git and terraform on PATH).</summary>
    public static string? Missing =>
        Find("terraform") is null ? "terraform is not on PATH" : Find("git") is null ? "git is not on PATH" : null;

    public static async Task<TerraformRepository> CreateAsync(CancellationToken ct)
    {
        var repository = new TerraformRepository(System.IO.Directory.CreateTempSubdirectory("rewind-tf-").FullName);
        System.IO.Directory.CreateDirectory(repository.TerraformDirectory);
        await repository.GitAsync(ct, "init", "--quiet", "--initial-branch=main");
        await File.WriteAllTextAsync(Path.Combine(repository.Root, ".gitignore"), "terraform.tfstate*\n.terraform/\n", ct);
        await File.WriteAllTextAsync(Path.Combine(repository.Root, "README.md"), "the user's repository\n", ct);
        repository.FirstCommit = await repository.CommitAsync("one", """
            resource "terraform_data" "a" {
              input = "one"
            }
            """, ct);
        repository.SecondCommit = await repository.CommitAsync("two", """
            resource "terraform_data" "a" {
              input = "uno"
            }

            resource "terraform_data" "b" {
              input = "two"
            }
            """, ct);
        await repository.TerraformAsync(ct, "init", "-input=false", "-no-color");
        await repository.TerraformAsync(ct, "apply", "-input=false", "-no-color", "-auto-approve");
        return repository;
    }

    /// <summary>A rewind.yaml with the infra section (and <paramref name="extra"/> sections), the ledger in this folder.</summary>
    public string Config(int maxDestroys = 0, string extra = "", string service = "service:\n  name: api", string? ledger = null)
    {
        var path = Path.Combine(Folder, $"rewind-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $"""
            {service}
            infra:
              repository: {Root}
              directory: {Directory}
              max_destroys: {maxDestroys}
            ledger:
              path: {ledger ?? Cli.ExistingLedger.At(LedgerPath)}
            {extra}
            """);
        return path;
    }

    /// <summary>Every resource in the state: address → its input.</summary>
    public IReadOnlyDictionary<string, string> StateResources()
    {
        var state = JsonNode.Parse(File.ReadAllText(StateFile))!;
        return (state["resources"]?.AsArray() ?? []).ToDictionary(
            r => $"{r!["type"]}.{r["name"]}",
            r => r!["instances"]![0]!["attributes"]!["input"] is JsonObject dynamic ? dynamic["value"]!.ToString() : r["instances"]![0]!["attributes"]!["input"]!.ToString());
    }

    /// <summary>A hash of every file of the working tree but terraform's own state files and .git: proves the tree untouched.</summary>
    public string TreeFingerprint()
    {
        var lines = System.IO.Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f))
            .Where(f => !f.StartsWith(".git" + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("terraform.tfstate", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => $"{f} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(Root, f))))}");
        return string.Join('\n', lines);
    }

    /// <summary>The worktrees git knows of (only the main one when Rewind cleaned up).</summary>
    public async Task<IReadOnlyList<string>> WorktreesAsync(CancellationToken ct) =>
        [.. (await GitAsync(ct, "worktree", "list", "--porcelain")).Split('\n').Where(l => l.StartsWith("worktree ", StringComparison.Ordinal))];

    public async Task<string> GitAsync(CancellationToken ct, params string[] arguments)
    {
        var (code, output) = await RunAsync("git", ["-C", Root, "-c", "user.email=test@example.com", "-c", "user.name=test", "-c", "commit.gpgsign=false", .. arguments], Root, ct);
        Assert.True(code == 0, $"git {string.Join(' ', arguments)}: {output}");
        return output;
    }

    public async Task<string> TerraformAsync(CancellationToken ct, params string[] arguments)
    {
        var (code, output) = await RunAsync("terraform", arguments, TerraformDirectory, ct);
        Assert.True(code is 0 or 2, $"terraform {string.Join(' ', arguments)}: {output}");
        return output;
    }

    private async Task<string> CommitAsync(string message, string mainTf, CancellationToken ct)
    {
        await File.WriteAllTextAsync(Path.Combine(TerraformDirectory, "main.tf"), mainTf + "\n", ct);
        await GitAsync(ct, "add", "-A");
        await GitAsync(ct, "commit", "--quiet", "-m", message);
        return (await GitAsync(ct, "rev-parse", "HEAD")).Trim();
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> arguments, string directory, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["TF_IN_AUTOMATION"] = "1";
        start.Environment["CHECKPOINT_DISABLE"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await stdout + await stderr);
    }

    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
