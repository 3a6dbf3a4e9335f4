using Rewind.Core;
using Rewind.Playbook.Infra;
using Xunit;

namespace Rewind.Playbook.Tests.Infra;

/// <summary>
/// One commit's Terraform directory checked out in a temporary worktree (real git) and initialised by a stand-in
/// terraform (a shell script): the local state stays in the user's directory through the override file; a remote
/// backend is left as configured; a failed init leaves no worktree behind.
/// </summary>
public sealed class TerraformCheckoutTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("rewind-checkout-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _root.Delete(recursive: true);

    private string Repo => Path.Combine(_root.FullName, "repo");

    private string Tool => Path.Combine(_root.FullName, "tool");

    private string Calls => Path.Combine(Tool, "calls");

    public TerraformCheckoutTests()
    {
        Directory.CreateDirectory(Tool);
        GitCommand.InitWith(Repo, new Dictionary<string, string> { ["infra/main.tf"] = "# v1\n" });
    }

    private string Git(params string[] arguments) => GitCommand.Run(Repo, arguments);

    /// <summary>A terraform whose init records its arguments and environment, and writes <paramref name="backend"/> as the initialised backend.</summary>
    private InfraSettings Settings(string? backend = null, int initExit = 0)
    {
        if (backend is not null)
            File.WriteAllText(Path.Combine(Tool, "backend.json"), backend);
        var script = Path.Combine(Tool, "terraform");
        File.WriteAllText(script, $$"""
            #!/bin/sh
            t='{{Tool}}'
            printf '%s|%s|%s|%s|%s|%s|%s\n' "$*" "$TF_IN_AUTOMATION" "$TF_INPUT" "$CHECKPOINT_DISABLE" "${TF_DATA_DIR-unset}" "$TF_WORKSPACE" "$PWD" >> "$t/calls"
            if [ -f "$t/backend.json" ]; then mkdir -p .terraform && cp "$t/backend.json" .terraform/terraform.tfstate; fi
            echo "Initializing the backend..."
            exit {{initExit}}

            """.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new InfraSettings(Repo, "infra", 0, Path.Combine(_root.FullName, "plans"), script);
    }

    private async Task<(TerraformCheckout Checkout, string Commit)> OpenAsync(InfraSettings settings, List<string>? progress = null)
    {
        var repository = await GitRepository.OpenAsync(Repo, Ct);
        var commit = await repository.ResolveCommitAsync("HEAD", Ct);
        return (await TerraformCheckout.OpenAsync(repository, settings, commit, progress is null ? null : progress.Add, Ct), commit);
    }

    private string[][] CallLines() => [.. File.ReadAllLines(Calls).Select(l => l.Split('|'))];

    [Fact]
    public async Task Given_the_implicit_local_backend_when_opened_then_the_override_points_at_the_users_state_and_init_runs_again()
    {
        var user = Path.GetFullPath(Path.Combine(Repo, "infra"));
        var lines = new List<string>();
        var (checkout, _) = await OpenAsync(Settings(), lines);
        string worktree;
        await using (checkout)
        {
            worktree = checkout.Terraform.WorkingDirectory;
            Assert.Equal($"local {Path.Combine(user, "terraform.tfstate")}", checkout.State);
            Assert.Equal(
                $$"""
                # Written by rewind in its temporary worktree: the state stays in the user's Terraform directory.
                terraform {
                  backend "local" {
                    path          = "{{Path.Combine(user, "terraform.tfstate")}}"
                    workspace_dir = "{{Path.Combine(user, "terraform.tfstate.d")}}"
                  }
                }

                """.ReplaceLineEndings("\n"),
                await File.ReadAllTextAsync(Path.Combine(worktree, TerraformCheckout.OverrideFile), Ct));
            Assert.False(File.Exists(Path.Combine(user, TerraformCheckout.OverrideFile)));
            Assert.Equal("# v1\n", await File.ReadAllTextAsync(Path.Combine(worktree, "main.tf"), Ct));
        }

        var calls = CallLines();
        Assert.Equal(["init -input=false -no-color", "init -input=false -no-color -reconfigure"], calls.Select(c => c[0]));
        Assert.Equal(("1", "0", "1", "unset", ""), (calls[0][1], calls[0][2], calls[0][3], calls[0][4], calls[0][5]));
        Assert.Equal(worktree, calls[0][6]);
        Assert.EndsWith(Path.Combine("tree", "infra"), worktree, StringComparison.Ordinal);
        Assert.Equal(["Initializing the backend...", "Initializing the backend..."], lines);
        Assert.False(Directory.Exists(worktree));
        Assert.True(Directory.Exists(Path.Combine(_root.FullName, "plans", "plugin-cache")));
    }

    [Fact]
    public async Task Given_a_local_backend_with_its_own_path_when_opened_then_that_path_in_the_users_directory_is_the_state()
    {
        var (checkout, _) = await OpenAsync(Settings("""{"backend":{"type":"local","config":{"path":"states/prod.tfstate"}}}"""));
        await using (checkout)
            Assert.Equal($"local {Path.Combine(Repo, "infra", "states", "prod.tfstate")}", checkout.State);
    }

    [Fact]
    public async Task Given_a_remote_backend_when_opened_then_it_is_used_as_configured_without_an_override()
    {
        var (checkout, _) = await OpenAsync(Settings("""{"backend":{"type":"s3","config":{"bucket":"b"}}}"""));
        await using (checkout)
        {
            Assert.Equal("s3 backend", checkout.State);
            Assert.False(File.Exists(Path.Combine(checkout.Terraform.WorkingDirectory, TerraformCheckout.OverrideFile)));
        }

        Assert.Single(CallLines());
    }

    [Fact]
    public async Task Given_a_workspace_selected_in_the_users_directory_when_opened_then_terraform_gets_it()
    {
        Directory.CreateDirectory(Path.Combine(Repo, "infra", ".terraform"));
        await File.WriteAllTextAsync(Path.Combine(Repo, "infra", ".terraform", "environment"), "staging\n", Ct);

        var (checkout, _) = await OpenAsync(Settings("""{"backend":{"type":"s3"}}"""));
        await checkout.DisposeAsync();

        Assert.Equal("staging", CallLines()[0][5]);
    }

    [Fact]
    public async Task Given_init_failing_when_opened_then_the_failure_is_thrown_and_the_worktree_is_removed()
    {
        var e = await Assert.ThrowsAsync<RewindException>(() => OpenAsync(Settings(initExit: 1)));

        Assert.Equal("terraform init failed: Initializing the backend...", e.Message);
        Assert.DoesNotContain("rewind-infra-", Git("worktree", "list"), StringComparison.Ordinal);
        Assert.False(Directory.Exists(CallLines()[0][6]));
    }

    [Fact]
    public async Task Given_no_terraform_when_opened_then_it_is_bad_input_saying_how_to_install_it()
    {
        var repository = await GitRepository.OpenAsync(Repo, Ct);
        var settings = new InfraSettings(Repo, "infra", 0, Path.Combine(_root.FullName, "plans"), "rewind-no-such-terraform");

        var e = await Assert.ThrowsAsync<RewindException>(() => TerraformCheckout.OpenAsync(repository, settings, "HEAD", null, Ct));

        Assert.Equal(("'rewind-no-such-terraform' was not found on PATH", "install Terraform 1.x, or put the terraform binary on PATH", FailureKind.BadInput), (e.Message, e.Hint, e.Kind));
    }
}
