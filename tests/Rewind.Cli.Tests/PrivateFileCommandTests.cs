using System.Text.Json;
using Rewind.Cli.Tests.Reports;
using Rewind.Playbook.Smoke;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Cli.Tests;

/// <summary>
/// Every file a command writes (report --out, init's rewind.yaml, incident drafts and .ics, smoke logs, the ledger) is
/// 0600 in 0700 folders under umask 022, and a symbolic link at any of those paths is refused with exit 2, its target
/// unchanged. Modes are read with File.GetUnixFileMode: the tests run as root, which ignores modes for access.
/// </summary>
public sealed class PrivateFileCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-private-cli-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task Given_umask_022_when_a_report_is_written_with_out_then_it_is_0600()
    {
        await using var run = await SyntheticRun.AllProvenAsync(Ct);
        var path = Path.Combine(run.Folder, "report.md");

        CliResult result;
        using (UnixModes.Umask("022"))
            result = await CliRunner.RunAsync(["report", "--out", path, "--config", run.ConfigPath], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal("0600", UnixModes.Mode(path));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Given_a_symlink_at_the_out_path_when_a_report_is_written_then_it_is_refused_with_exit_2_and_the_target_is_unchanged(bool targetExists)
    {
        await using var run = await SyntheticRun.AllProvenAsync(Ct);
        var target = Path.Combine(_folder.FullName, "victim.txt");
        if (targetExists)
            await File.WriteAllTextAsync(target, "precious", Ct);
        var link = Path.Combine(run.Folder, "report.md");
        File.CreateSymbolicLink(link, target);

        var result = await CliRunner.RunAsync(["report", "--out", link, "--config", run.ConfigPath], cancellationToken: Ct);

        AssertLinkRefused(result, link, target);
        Assert.Equal(targetExists ? "precious" : null, targetExists ? await File.ReadAllTextAsync(target, Ct) : File.Exists(target) ? "created" : null);
    }

    [Fact]
    public async Task Given_umask_022_when_init_writes_rewind_yaml_then_it_is_0600()
    {
        var path = Path.Combine(_folder.FullName, "rewind.yaml");

        CliResult result;
        using (UnixModes.Umask("022"))
            result = await CliRunner.RunAsync(["init", "--config", path], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal("0600", UnixModes.Mode(path));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Given_a_symlink_at_rewind_yaml_when_init_writes_it_then_it_is_refused_with_exit_2_and_the_target_is_unchanged(bool targetExists)
    {
        var target = Path.Combine(_folder.FullName, "victim.yaml");
        if (targetExists)
            await File.WriteAllTextAsync(target, "precious", Ct);
        var link = Path.Combine(_folder.FullName, "rewind.yaml");
        File.CreateSymbolicLink(link, target);

        var result = await CliRunner.RunAsync(["init", "--force", "--config", link], cancellationToken: Ct);

        AssertLinkRefused(result, link, target);
        Assert.Equal(targetExists, File.Exists(target));
        if (targetExists)
            Assert.Equal("precious", await File.ReadAllTextAsync(target, Ct));
    }

    [Fact]
    public async Task Given_umask_022_when_an_incident_is_opened_then_the_ledger_its_wal_the_draft_and_the_ics_are_0600_in_0700_folders()
    {
        var drafts = Path.Combine(_folder.FullName, "docs", "postmortems");
        var ledger = Path.Combine(_folder.FullName, "ledger.db");
        var config = IncidentConfig(drafts, ledger);

        CliResult result;
        using (UnixModes.Umask("022"))
        {
            // A ledger that rewind.yaml names is created on purpose only ('rewind ledger init'), then used.
            var init = await CliRunner.RunAsync(["ledger", "init", "--config", config], cancellationToken: Ct);
            Assert.True(init.ExitCode == ExitCodes.Ok, init.ToString());
            result = await CliRunner.RunAsync(["incident", "open", "--live", "--output", "json", "--config", config], cancellationToken: Ct);
        }

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var draft = json.RootElement.GetProperty("steps")[0].GetProperty("evidence").GetProperty("draft").GetString()!;
        Assert.Equal(Path.Combine(drafts, "INC-0001.md"), draft);
        Assert.Equal(
            ["docs 0700", "docs/postmortems 0700", "docs/postmortems/INC-0001.ics 0600", "docs/postmortems/INC-0001.md 0600", "ledger.db 0600"],
            Modes(except: config));
        // SQLite gives its -wal and -shm files the database's mode; they exist while a connection is open.
        await using (await Rewind.Ledger.Sqlite.SqliteLedger.OpenAsync(ledger, Ct))
        {
            Assert.Equal(["0600", "0600"], new[] { ledger + "-wal", ledger + "-shm" }.Select(UnixModes.Mode));
        }
    }

    [Theory]
    [InlineData("INC-0001.md", true)]
    [InlineData("INC-0001.md", false)]
    [InlineData("INC-0001.ics", true)]
    [InlineData("INC-0001.ics", false)]
    public async Task Given_a_symlink_at_a_draft_path_when_an_incident_is_opened_then_it_is_refused_with_exit_2_and_the_target_is_unchanged(string name, bool targetExists)
    {
        var drafts = Directory.CreateDirectory(Path.Combine(_folder.FullName, "postmortems")).FullName;
        var target = Path.Combine(_folder.FullName, "victim");
        if (targetExists)
            await File.WriteAllTextAsync(target, "precious", Ct);
        var link = Path.Combine(drafts, name);
        File.CreateSymbolicLink(link, target);

        var config = IncidentConfig(drafts, Path.Combine(_folder.FullName, "ledger.db"));
        Assert.Equal(ExitCodes.Ok, (await CliRunner.RunAsync(["ledger", "init", "--config", config], cancellationToken: Ct)).ExitCode);

        var result = await CliRunner.RunAsync(["incident", "open", "--live", "--config", config], cancellationToken: Ct);

        AssertLinkRefused(result, link, target);
        Assert.Equal(targetExists, File.Exists(target));
        if (targetExists)
            Assert.Equal("precious", await File.ReadAllTextAsync(target, Ct));
    }

    [Fact]
    public async Task Given_umask_022_when_a_smoke_test_runs_then_its_log_is_0600_in_0700_folders()
    {
        await using var service = LoopbackStub.Start(StubResponse.Json(200, """{"status":"healthy","version":"v2"}"""));
        var config = Path.Combine(_folder.FullName, "rewind.yaml");
        await File.WriteAllTextAsync(config, $"smoke:\n  url: {service.Url}\n  retries: 0\n  backoff: 0s\nledger:\n  path: {Path.Combine(_folder.FullName, "ledger.db")}\n", Ct);
        var checks = Path.Combine(_folder.FullName, "checks.yaml");
        await File.WriteAllTextAsync(checks, "- name: health\n  path: /health\n  json_path: $.status\n", Ct);

        CliResult result;
        using (UnixModes.Umask("022"))
            result = await CliRunner.RunAsync(["smoke", "--checks", checks, "--config", config], cancellationToken: Ct);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        var modes = Modes(except: [config, checks]);
        Assert.Equal(["logs 0700", "logs/smoke_tests 0700"], modes.Take(2));
        Assert.Single(modes, m => m.EndsWith(".log 0600", StringComparison.Ordinal));
        Assert.All(modes, m => Assert.Matches(@"^(logs|logs/smoke_tests) 0700$|^logs/smoke_tests/[^/]+\.log 0600$|^ledger\.db(-wal|-shm)? 0600$", m));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Given_a_symlink_at_the_smoke_log_path_when_the_log_is_created_then_it_is_refused_and_the_target_is_unchanged(bool targetExists)
    {
        var logs = Directory.CreateDirectory(Path.Combine(_folder.FullName, SmokeLog.Folder)).FullName;
        var target = Path.Combine(_folder.FullName, "victim");
        if (targetExists)
            await File.WriteAllTextAsync(target, "precious", Ct);
        var link = Path.Combine(logs, "run-1.log");
        File.CreateSymbolicLink(link, target);

        var refused = Assert.Throws<Rewind.Core.RewindException>(() => SmokeLog.Create(_folder.FullName, "run-1", TimeProvider.System).Dispose());

        Assert.Equal($"{link} is a symbolic link (to {target}); rewind never writes through a link", refused.Message);
        Assert.Equal(targetExists, File.Exists(target));
        if (targetExists)
            Assert.Equal("precious", await File.ReadAllTextAsync(target, Ct));
    }

    private string IncidentConfig(string drafts, string ledger)
    {
        var path = Path.Combine(_folder.FullName, $"rewind-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $"aws:\n  region: us-east-1\nledger:\n  path: {ledger}\nincident:\n  drafts_dir: {drafts}\n  on_call: alice\n");
        return path;
    }

    /// <summary>Every file and folder under the test's folder, relative, with its mode, but the ones the test wrote itself.</summary>
    private List<string> Modes(params string[] except) =>
        [.. _folder.EnumerateFileSystemInfos("*", SearchOption.AllDirectories)
            .Where(f => !except.Contains(f.FullName))
            .Select(f => $"{Path.GetRelativePath(_folder.FullName, f.FullName)} {UnixModes.Mode(f.FullName)}")
            .Order(StringComparer.Ordinal)];

    private static void AssertLinkRefused(CliResult result, string link, string target)
    {
        Assert.True(result.ExitCode == ExitCodes.BadInput, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"rewind: {link} is a symbolic link (to {target}); rewind never writes through a link: remove the link, or write to another path", line);
        Assert.Equal(target, new FileInfo(link).LinkTarget);
    }
}
