using System.Diagnostics;
using System.Text.Json.Nodes;
using Rewind.Aws;
using Rewind.Cli;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Cli;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Playbook;
using Rewind.Playbook.Infra;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.IntegrationTests.Infra;

/// <summary>
/// Issue 15, defect 4: a saved Terraform plan waits for approval in a folder only its user can write, and is applied
/// only while it is the plan that was shown. A plan folder another user made or can write is refused before anything
/// is planned into it; a plan swapped between <c>rewind run</c> and <c>CONFIRM=true rewind resume</c> is never applied.
/// And with umask 022, every file a whole run creates is 0600 and every folder 0700.
/// </summary>
[Collection("rollout-emulator")]
public sealed class PlanFolderTests(RolloutEmulatorFixture emulator) : IDisposable
{
    private readonly RewindProcess _rewind = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_world_writable_plan_folder_made_in_advance_is_refused_with_exit_2_and_nothing_is_planned_into_it()
    {
        using var repo = await RepositoryAsync();
        var folder = Directory.CreateDirectory(Path.Combine(repo.Folder, InfraSettings.PlanFolderName)).FullName;
        UnixModes.Chmod(folder, "777");
        var state = await File.ReadAllBytesAsync(repo.StateFile, Ct);

        var result = await InProcessAsync(["infra", "plan", "--config", repo.Config()]);

        AssertRefused(result, $"{folder} is writable by others (mode 0777)", folder);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
        Assert.Equal(state, await File.ReadAllBytesAsync(repo.StateFile, Ct));
        Assert.Single(await repo.WorktreesAsync(Ct));
    }

    [Fact]
    public async Task A_private_looking_plan_folder_owned_by_another_user_is_refused_with_exit_2()
    {
        Assert.SkipWhen(Rewind.Core.Files.FileOwner.EffectiveUser() != 0, "giving a folder to another user needs root");
        using var repo = await RepositoryAsync();
        var folder = Directory.CreateDirectory(Path.Combine(repo.Folder, InfraSettings.PlanFolderName)).FullName;
        UnixModes.Chmod(folder, "700");
        UnixModes.GiveTo(folder, 4242);

        var result = await InProcessAsync(["infra", "plan", "--config", repo.Config()]);

        AssertRefused(result, $"{folder} is owned by uid 4242, not by you (uid 0)", folder);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public async Task A_plan_swapped_between_run_and_CONFIRM_resume_is_refused_and_nothing_is_applied()
    {
        Assert.SkipWhen(TerraformRepository.Missing is not null, $"the Terraform tests need {TerraformRepository.Missing}");
        await using var world = await PlaybookHarness.SeedAsync(emulator, "tfswap", Ct);
        using var repo = await TerraformRepository.CreateAsync(Ct);
        var config = InfraRunTests.Config(world, repo);
        var stopped = await RunToApprovalAsync(world, config);
        var saved = Assert.Single(Directory.GetFiles(PlanFolder(world), "*.tfplan"));
        // The attacker's plan: valid for the same state, it adds a resource where the plan shown said "0 to add".
        File.Copy(await AttackerPlanAsync(repo), saved, overwrite: true);
        var serial = StateSerial(repo);

        var resumed = await ResumeWithConfirmAsync(stopped.Id, config);

        Assert.True(resumed.ExitCode == ExitCodes.Failed, resumed.ToString());
        Assert.Contains($"rewind: step infra failed: the saved plan changed since it was shown: plan again ('rewind infra plan', then a new run); nothing was applied; {saved} has SHA-256 ", resumed.Stderr, StringComparison.Ordinal);
        Assert.Equal(serial, StateSerial(repo));
        Assert.Equal(["terraform_data.a", "terraform_data.b"], repo.StateResources().Keys.Order(StringComparer.Ordinal));
        var journal = await world.Ledger.Runs.ReadJournalAsync(stopped.Id, Ct);
        Assert.DoesNotContain(journal, e => e.Step == "infra" && e.Kind == JournalKind.CallSent);
        Assert.Equal(0, (await world.CallsAsync(Ct)).Count("cloudfront:CreateInvalidation"));
    }

    [Fact]
    public async Task Given_umask_022_every_file_a_whole_live_run_and_its_report_create_is_0600_and_every_folder_0700()
    {
        Assert.SkipWhen(TerraformRepository.Missing is not null, $"the Terraform tests need {TerraformRepository.Missing}");
        using var umask = UnixModes.Umask("022");
        await using var world = await PlaybookHarness.SeedAsync(emulator, "tfmodes", Ct);
        using var repo = await TerraformRepository.CreateAsync(Ct);
        var config = InfraRunTests.Config(world, repo);
        var stopped = await RunToApprovalAsync(world, config);
        var resumed = await ResumeWithConfirmAsync(stopped.Id, config);
        var stateFolder = Path.GetDirectoryName(world.Ledger.Location)!;
        var report = await InProcessAsync(["report", stopped.Id, "--out", Path.Combine(stateFolder, "report.md"), "--config", config]);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.True(report.ExitCode == 0, report.ToString());
        // The folders the test gave Rewind: the ledger's (plans, report) and the configuration's (drafts), not the user's repository.
        var created = Walk(stateFolder).Concat(Walk(repo.Folder, except: [config, repo.Root])).ToList();
        Assert.Contains(created, e => e.EndsWith($"{InfraSettings.PlanFolderName} 0700", StringComparison.Ordinal));
        Assert.Contains(created, e => e.EndsWith(".md 0600", StringComparison.Ordinal) && e.Contains("INC-", StringComparison.Ordinal));
        Assert.Contains(created, e => e.EndsWith(".ics 0600", StringComparison.Ordinal));
        Assert.Contains(created, e => e.EndsWith("ledger.db 0600", StringComparison.Ordinal));
        Assert.Contains(created, e => e.EndsWith("report.md 0600", StringComparison.Ordinal));
        Assert.All(created, e => Assert.Matches(@" (0600|0700)$", e));
    }

    private async Task<Run> RunToApprovalAsync(PlaybookHarness world, string config)
    {
        var record = await InProcessAsync(["record", "--version", "bad", "--config", config]);
        var run = await InProcessAsync(["run", "--live", "--yes", "--config", config]);
        Assert.True(record.ExitCode == 0, record.ToString());
        Assert.True(run.ExitCode == ExitCodes.Blocked, run.ToString());
        Assert.Contains("awaits approval", run.Stderr, StringComparison.Ordinal);
        var stopped = await world.LatestRunAsync(Ct);
        var planned = Assert.Single(JsonNode.Parse(stopped.PlanJson)!["steps"]!.AsArray(), s => s!["step"]!.GetValue<string>() == "infra")!;
        // The plan shown carries the saved plan's hash, and the saved plan is the user's alone.
        var saved = planned["detail"]!["planSha256"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{64}$", saved);
        Assert.Equal("0700", UnixModes.Mode(PlanFolder(world)));
        Assert.Equal("0600", UnixModes.Mode(Assert.Single(Directory.GetFiles(PlanFolder(world), "*.tfplan"))));
        return stopped;
    }

    private Task<RewindResult> ResumeWithConfirmAsync(string runId, string config) => _rewind.RunAsync(
        ["resume", runId, "--config", config, "--endpoint-url", emulator.Endpoint.ToString()],
        new Dictionary<string, string>
        {
            ["CONFIRM"] = "true",
            ["AWS_ACCESS_KEY_ID"] = emulator.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = emulator.SecretAccessKey,
        },
        Ct);

    private static string PlanFolder(PlaybookHarness world) => Path.Combine(Path.GetDirectoryName(world.Ledger.Location)!, InfraSettings.PlanFolderName);

    /// <summary>
    /// What another local user would put in place of the saved plan: planned from the user's code plus one resource,
    /// against the user's real state (the same absolute local backend path Rewind's worktree uses), so it applies.
    /// </summary>
    private static async Task<string> AttackerPlanAsync(TerraformRepository repo)
    {
        var folder = Directory.CreateDirectory(Path.Combine(repo.Folder, "attacker")).FullName;
        File.Copy(Path.Combine(repo.TerraformDirectory, "main.tf"), Path.Combine(folder, "main.tf"));
        await File.WriteAllTextAsync(Path.Combine(folder, "evil.tf"), $$"""
            terraform {
              backend "local" {
                path = "{{repo.StateFile}}"
              }
            }

            resource "terraform_data" "evil" {
              input = "attacker"
            }

            """, Ct);
        await TerraformInAsync(folder, "init", "-input=false", "-no-color");
        await TerraformInAsync(folder, "plan", "-input=false", "-no-color", "-out", "evil.tfplan");
        return Path.Combine(folder, "evil.tfplan");
    }

    private static async Task TerraformInAsync(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo("terraform") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["TF_IN_AUTOMATION"] = "1";
        start.Environment["CHECKPOINT_DISABLE"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, $"terraform {string.Join(' ', arguments)}: {await output}{await error}");
    }

    private static long StateSerial(TerraformRepository repo) => JsonNode.Parse(File.ReadAllText(repo.StateFile))!["serial"]!.GetValue<long>();

    /// <summary>Every file and folder under <paramref name="root"/> (not itself), with its mode, but <paramref name="except"/> and what is under them.</summary>
    private static IEnumerable<string> Walk(string root, params string[] except) =>
        new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories)
            .Where(f => !except.Any(e => f.FullName == e || f.FullName.StartsWith(e + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            .Select(f => $"{f.FullName} {UnixModes.Mode(f.FullName)}");

    private static async Task<TerraformRepository> RepositoryAsync()
    {
        Assert.SkipWhen(TerraformRepository.Missing is not null, $"the Terraform tests need {TerraformRepository.Missing}");
        return await TerraformRepository.CreateAsync(Ct);
    }

    private static void AssertRefused(RewindResult result, string problem, string folder)
    {
        Assert.True(result.ExitCode == ExitCodes.BadInput, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(
            $"rewind: the Terraform plan folder is not private: {problem}; another user could swap a saved plan before it is applied: remove {folder} (rewind creates it 0700), or if it is yours: chmod 700 {folder}",
            line);
    }

    private async Task<RewindResult> InProcessAsync(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await RewindApp.RunAsync(args, stdout, stderr, Ct, _ => new AwsClients(ClientFactory.Session(emulator)));
        return new RewindResult(code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose() => _rewind.Dispose();
}
