using Rewind.Core;
using Rewind.Playbook.Infra;
using Xunit;

namespace Rewind.Playbook.Tests.Infra;

/// <summary>
/// The terraform command line, against a stand-in executable (a shell script that records its arguments and prints
/// what the test prepared): the exact arguments of each command, exit codes, and output parsing. No terraform runs.
/// </summary>
public sealed class TerraformCliTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-tf-cli-");
    private readonly List<string> _lines = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Delete(recursive: true);

    private string Calls => Path.Combine(_folder.FullName, "calls");

    /// <summary>A fake terraform printing <paramref name="stdout"/> and <paramref name="stderr"/> and exiting with <paramref name="exit"/>.</summary>
    private TerraformCli Terraform(int exit = 0, string stdout = "", string stderr = "")
    {
        File.WriteAllText(Path.Combine(_folder.FullName, "out"), stdout);
        File.WriteAllText(Path.Combine(_folder.FullName, "err"), stderr);
        var script = Path.Combine(_folder.FullName, "terraform");
        File.WriteAllText(script, $$"""
            #!/bin/sh
            d='{{_folder.FullName}}'
            printf '%s|' "$PWD" "$TF_IN_AUTOMATION" "$@" >> "$d/calls"
            printf '\n' >> "$d/calls"
            cat "$d/out"
            cat "$d/err" >&2
            exit {{exit}}

            """.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var work = Directory.CreateDirectory(Path.Combine(_folder.FullName, "work")).FullName;
        return new TerraformCli(ExternalTool.Require(script, "install terraform"), work, new Dictionary<string, string?> { ["TF_IN_AUTOMATION"] = "1" }, _lines.Add);
    }

    private string[] Arguments() => [.. File.ReadAllLines(Calls).Select(l => string.Join(' ', l.Split('|')[2..^1]))];

    [Fact]
    public async Task Given_init_when_run_then_it_is_non_interactive_in_the_working_directory_with_the_environment()
    {
        var terraform = Terraform(stdout: "Terraform has been successfully initialized!\n");

        await terraform.InitAsync(reconfigure: false, Ct);
        await terraform.InitAsync(reconfigure: true, Ct);

        Assert.Equal(["init -input=false -no-color", "init -input=false -no-color -reconfigure"], Arguments());
        var first = File.ReadAllLines(Calls)[0].Split('|');
        Assert.Equal((terraform.WorkingDirectory, "1"), (first[0], first[1]));
        Assert.Equal(["Terraform has been successfully initialized!", "Terraform has been successfully initialized!"], _lines);
    }

    [Fact]
    public async Task Given_init_failing_when_run_then_the_error_line_is_in_the_failure()
    {
        var e = await Assert.ThrowsAsync<RewindException>(() => Terraform(1, stderr: "\n│ Error: Backend initialization required\n│ more\n").InitAsync(false, Ct));

        Assert.Equal(("terraform init failed: Error: Backend initialization required", "run 'terraform init' in the Terraform directory to see the whole error", FailureKind.Failed), (e.Message, e.Hint, e.Kind));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(2, true)]
    public async Task Given_a_plan_when_run_then_the_detailed_exit_code_says_whether_it_has_changes(int exit, bool changes)
    {
        Assert.Equal(changes, await Terraform(exit).PlanAsync("rewind.tfplan", Ct));
        Assert.Equal(["plan -out=rewind.tfplan -detailed-exitcode -input=false -no-color -lock-timeout=60s"], Arguments());
    }

    [Fact]
    public async Task Given_a_plan_failing_when_run_then_it_fails_with_its_error_line()
    {
        var e = await Assert.ThrowsAsync<RewindException>(() => Terraform(1, stdout: "Planning...\nError: Invalid reference\n").PlanAsync("p", Ct));

        Assert.Equal(("terraform plan failed: Error: Invalid reference", "run 'terraform plan' at that ref to see the whole error"), (e.Message, e.Hint));
    }

    [Fact]
    public async Task Given_a_saved_plan_when_shown_then_its_JSON_is_read_and_nothing_streams()
    {
        var plan = await Terraform(stdout: """{"format_version":"1.2","resource_changes":[]}""").ShowAsync("rewind.tfplan", Ct);

        Assert.Equal("1.2", plan["format_version"]!.GetValue<string>());
        Assert.Equal(["show -json -no-color rewind.tfplan"], Arguments());
        Assert.Empty(_lines);
    }

    [Theory]
    [InlineData("not json", "terraform show -json printed no readable plan (")]
    [InlineData("null", "terraform show -json printed no readable plan (empty document)")]
    public async Task Given_show_printing_no_plan_when_shown_then_it_fails_naming_the_version_hint(string stdout, string message)
    {
        var e = await Assert.ThrowsAsync<RewindException>(() => Terraform(stdout: stdout).ShowAsync("p", Ct));

        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.Equal("check the terraform version (1.x is needed)", e.Hint);
    }

    [Fact]
    public async Task Given_show_failing_when_shown_then_it_fails_with_its_error_line()
    {
        var e = await Assert.ThrowsAsync<RewindException>(() => Terraform(1, stderr: "Error: plan file is stale").ShowAsync("p", Ct));

        Assert.Equal(("terraform show failed: Error: plan file is stale", "run 'terraform show' on the plan to see the whole error"), (e.Message, e.Hint));
    }

    [Fact]
    public async Task Given_a_saved_plan_when_applied_then_it_is_applied_as_planned_without_a_prompt()
    {
        await Terraform(stdout: "Apply complete!\n").ApplyAsync("rewind.tfplan", Ct);

        Assert.Equal(["apply -input=false -no-color -auto-approve -lock-timeout=60s rewind.tfplan"], Arguments());
        Assert.Equal(["Apply complete!"], _lines);
    }

    [Fact]
    public async Task Given_apply_failing_when_applied_then_the_hint_says_resume_plans_again()
    {
        var e = await Assert.ThrowsAsync<RewindException>(() => Terraform(1, stderr: "Error: Saved plan is stale").ApplyAsync("p", Ct));

        Assert.Equal(("terraform apply failed: Error: Saved plan is stale", "read terraform's output above; 'rewind resume' plans again from the state as it is now"), (e.Message, e.Hint));
    }

    [Fact]
    public async Task Given_a_state_when_its_version_is_read_then_lineage_and_serial_come_from_state_pull()
    {
        var version = await Terraform(stdout: """{"version":4,"lineage":"5a1b","serial":17}""").StateVersionAsync(Ct);

        Assert.Equal(new StateVersion("5a1b", 17), version);
        Assert.Equal("5a1b#17", version.ToString());
        Assert.Equal(["state pull"], Arguments());
        Assert.Empty(_lines);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    public async Task Given_no_state_when_its_version_is_read_then_it_is_serial_0_of_an_empty_lineage(string stdout)
    {
        var version = await Terraform(stdout: stdout).StateVersionAsync(Ct);

        Assert.Equal(new StateVersion("", 0), version);
        Assert.Equal("empty#0", version.ToString());
    }

    [Fact]
    public async Task Given_a_state_without_lineage_or_serial_when_read_then_they_default()
    {
        Assert.Equal(new StateVersion("", 0), await Terraform(stdout: """{"version":4}""").StateVersionAsync(Ct));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"serial":"seventeen"}""")]
    public async Task Given_state_pull_printing_no_state_when_read_then_it_fails(string stdout)
    {
        var e = await Assert.ThrowsAsync<RewindException>(() => Terraform(stdout: stdout).StateVersionAsync(Ct));

        Assert.StartsWith("terraform state pull printed no readable state (", e.Message, StringComparison.Ordinal);
        Assert.Equal("check the state with 'terraform state pull'", e.Hint);
    }

    [Fact]
    public async Task Given_state_pull_failing_when_read_then_the_hint_is_the_backends_access()
    {
        var e = await Assert.ThrowsAsync<RewindException>(() => Terraform(1, stderr: "Error: AccessDenied").StateVersionAsync(Ct));

        Assert.Equal(("terraform state pull failed: Error: AccessDenied", "check the backend's access with 'terraform state list'"), (e.Message, e.Hint));
    }

    [Theory]
    [InlineData("", "", 3, "exit code 3")]
    [InlineData("plain last line\n", "Warning: something\n", 1, "plain last line")]
    [InlineData("", "Warning: only warnings\n", 1, "exit code 1")]
    [InlineData("out\n", "╷\n│ Error: Unsupported argument\n│ \n╵\n", 1, "Error: Unsupported argument")]
    [InlineData("first\nlast  \n", "", 1, "last")]
    public void Given_output_when_the_error_line_is_taken_then_terraforms_error_comes_first_then_the_last_line(string stdout, string stderr, int exit, string line)
    {
        Assert.Equal(line, new ToolResult(exit, stdout, stderr).ErrorLine);
    }

    [Fact]
    public void Given_a_tool_when_looked_for_then_a_path_must_exist_and_a_name_is_found_on_PATH()
    {
        Assert.NotNull(ExternalTool.Find("sh"));
        Assert.Null(ExternalTool.Find("rewind-no-such-tool-0"));
        Assert.Null(ExternalTool.Find("/no/such/dir/terraform"));
        var sh = ExternalTool.Require("/bin/sh", "hint");
        Assert.Equal(("/bin/sh", "/bin/sh"), (sh.Name, sh.Path));
        var e = Assert.Throws<RewindException>(() => ExternalTool.Require("rewind-no-such-tool-0", "install it"));
        Assert.Equal(("'rewind-no-such-tool-0' was not found on PATH", "install it", FailureKind.BadInput), (e.Message, e.Hint, e.Kind));
    }

    [Fact]
    public async Task Given_a_relative_path_when_required_then_the_tool_is_its_full_path()
    {
        Terraform();
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(_folder.FullName, "terraform"));

        Assert.Equal(Path.Combine(_folder.FullName, "terraform"), ExternalTool.Find(relative.Contains('/', StringComparison.Ordinal) ? relative : "./" + relative));
        var result = await ExternalTool.Require(Path.Combine(_folder.FullName, "terraform"), "h").RunAsync(["a b", "c"], _folder.FullName, new Dictionary<string, string?>(), null, Ct);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["a b c"], Arguments());
    }
}
