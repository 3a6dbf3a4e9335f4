using System.Text;
using System.Text.Json.Nodes;

namespace Rewind.Playbook.Infra;

/// <summary>
/// The Terraform directory of one commit, checked out in a temporary git worktree and initialised. With the local
/// backend the state stays where it always was, in the user's Terraform directory: a backend override file in the
/// worktree points terraform at it (<c>path</c>, and <c>workspace_dir</c> for other workspaces), so plan and apply read
/// and write the user's real state, under terraform's own lock. A remote backend (S3, …) is used as configured.
/// </summary>
public sealed class TerraformCheckout : IAsyncDisposable
{
    /// <summary>The file Rewind writes into the worktree (never into the user's tree).</summary>
    public const string OverrideFile = "zz_rewind_backend_override.tf";

    private readonly TemporaryWorktree _worktree;

    private TerraformCheckout(TemporaryWorktree worktree, TerraformCli terraform, string state)
    {
        _worktree = worktree;
        Terraform = terraform;
        State = state;
    }

    public TerraformCli Terraform { get; }

    /// <summary>Where the state lives: "local /path/terraform.tfstate" or "s3 backend".</summary>
    public string State { get; }

    /// <summary>Checks <paramref name="commit"/> out and runs <c>terraform init</c> in its Terraform directory.</summary>
    public static async Task<TerraformCheckout> OpenAsync(
        GitRepository repository, InfraSettings settings, string commit, Action<string>? progress, CancellationToken cancellationToken)
    {
        var terraform = ExternalTool.Require(settings.Terraform, "install Terraform 1.x, or put the terraform binary on PATH");
        var userDirectory = Path.GetFullPath(Path.Combine(repository.Root, repository.Prefix, settings.Directory));
        var worktree = await repository.AddWorktreeAsync(commit, cancellationToken);
        try
        {
            var directory = Path.Combine(worktree.Path, repository.Prefix, settings.Directory);
            var cli = new TerraformCli(terraform, directory, Environment(userDirectory, settings), progress);
            await cli.InitAsync(reconfigure: false, cancellationToken);
            var (type, path) = Backend(directory);
            if (type is not (null or "local"))
                return new TerraformCheckout(worktree, cli, $"{type} backend");
            var state = Path.GetFullPath(Path.Combine(userDirectory, path ?? "terraform.tfstate"));
            await File.WriteAllTextAsync(Path.Combine(directory, OverrideFile), $$"""
                # Written by rewind in its temporary worktree: the state stays in the user's Terraform directory.
                terraform {
                  backend "local" {
                    path          = {{Hcl(state)}}
                    workspace_dir = {{Hcl(Path.Combine(userDirectory, "terraform.tfstate.d"))}}
                  }
                }

                """, cancellationToken);
            await cli.InitAsync(reconfigure: true, cancellationToken);
            return new TerraformCheckout(worktree, cli, $"local {state}");
        }
        catch
        {
            await worktree.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _worktree.DisposeAsync();

    /// <summary>
    /// terraform's environment: non-interactive, no update check, the user's selected workspace, a shared provider
    /// cache (a fresh worktree would otherwise download every provider again), and its data folder in the worktree.
    /// </summary>
    private static Dictionary<string, string?> Environment(string userDirectory, InfraSettings settings)
    {
        var environment = new Dictionary<string, string?>
        {
            ["TF_IN_AUTOMATION"] = "1",
            ["TF_INPUT"] = "0",
            ["CHECKPOINT_DISABLE"] = "1",
            ["TF_DATA_DIR"] = null,
        };
        if (System.Environment.GetEnvironmentVariable("TF_PLUGIN_CACHE_DIR") is not { Length: > 0 })
        {
            // Providers are executables: a cache another user can write would run their code as this one.
            InfraStep.RequirePrivateFolder(settings.PlanFolder);
            var cache = Path.Combine(settings.PlanFolder, "plugin-cache");
            Core.Files.PrivateFiles.CreateFolder(cache);
            environment["TF_PLUGIN_CACHE_DIR"] = cache;
        }
        var selected = Path.Combine(userDirectory, ".terraform", "environment");
        if (System.Environment.GetEnvironmentVariable("TF_WORKSPACE") is not { Length: > 0 } && File.Exists(selected))
            environment["TF_WORKSPACE"] = File.ReadAllText(selected).Trim();
        return environment;
    }

    /// <summary>The backend terraform init configured (null: none written, i.e. the implicit local one) and a local path.</summary>
    private static (string? Type, string? Path) Backend(string directory)
    {
        var file = Path.Combine(directory, ".terraform", "terraform.tfstate");
        if (!File.Exists(file))
            return (null, null);
        var backend = JsonNode.Parse(File.ReadAllText(file))?["backend"];
        return (backend?["type"]?.GetValue<string>(), backend?["config"]?["path"]?.GetValue<string>());
    }

    /// <summary>An HCL string literal: quotes, backslashes and template sequences escaped.</summary>
    private static string Hcl(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
            text.Append(c switch { '\\' => "\\\\", '"' => "\\\"", '\n' => "\\n", _ => c.ToString() });
        return text.Append('"').ToString().Replace("${", "$${", StringComparison.Ordinal).Replace("%{", "%%{", StringComparison.Ordinal);
    }
}
