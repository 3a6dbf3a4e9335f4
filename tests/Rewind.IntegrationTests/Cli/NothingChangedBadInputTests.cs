using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Rewind.Cli;
using Rewind.IntegrationTests.Playbook;
using Xunit;

namespace Rewind.IntegrationTests.Cli;

/// <summary>
/// Bad input against a seeded world: exactly one line on stderr naming the problem and the fix, the exit code of
/// docs/cli.md, and nothing changed: zero calls counted at the emulator, the ledger's content hash the same, no file
/// or folder created.
/// </summary>
[Collection("rollout-emulator")]
public sealed class NothingChangedBadInputTests(RolloutEmulatorFixture emulator)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>What a case can build before the snapshot is taken: its world, configuration and files.</summary>
    internal sealed class Setup(PlaybookHarness world)
    {
        public PlaybookHarness World { get; } = world;
        public string Folder { get; } = Path.GetDirectoryName(world.Ledger.Location)!;

        /// <summary>A rewind.yaml for the world, its ledger at <paramref name="ledgerPath"/> (default: the world's), plus <paramref name="extra"/>.</summary>
        public string Config(string extra = "", string? ledgerPath = null, Func<string, string>? edit = null)
        {
            var path = Path.Combine(Folder, $"rewind-{Guid.NewGuid():N}.yaml");
            var yaml = $"""
                service:
                  name: {World.Names.Family}
                  cluster: {World.Names.Cluster}
                  ecs_service: {World.Names.Service}
                  family: {World.Names.Family}
                aws:
                  region: us-east-1
                canary:
                  listener_arn: {World.World.ListenerArn}
                  main_target_group: {World.World.MainTargetGroupArn}
                  canary_target_group: {World.World.CanaryTargetGroupArn}
                incident:
                  drafts_dir: {Path.Combine(Folder, "postmortems")}
                ledger:
                  path: {ledgerPath ?? World.Ledger.Location}
                {extra}
                """;
            System.IO.File.WriteAllText(path, edit is null ? yaml : edit(yaml));
            return path;
        }

        public string File(string name, byte[] content)
        {
            var path = Path.Combine(Folder, name);
            System.IO.File.WriteAllBytes(path, content);
            return path;
        }

        /// <summary>The run a case reports on (set when it needs one).</summary>
        public string RunId { get; set; } = "";

        /// <summary>A ledger path with a typo: a file and a folder that do not exist.</summary>
        public string Typo => Path.Combine(Folder, "stat", "ledgr.db");
    }

    /// <summary>One bad input: the arguments, what the line must name (problem and fix), the exit code, and a value that must appear nowhere.</summary>
    internal sealed record BadInput(Func<Setup, string[]> Args, string Problem, string Fix, int ExitCode = ExitCodes.BadInput, bool NeedsRun = false, string? Secret = null);

    private static readonly string WebhookVariable = $"REWIND_TEST_CREDENTIAL_HOOK_{Guid.NewGuid():N}".ToUpperInvariant();

    private static readonly Dictionary<string, BadInput> Cases = new(StringComparer.Ordinal)
    {
        ["history --limit 0"] = new(s => ["history", "--limit", "0", "--config", s.Config()], "--limit 0 is outside 1–10000", "give a whole number from 1 to 10000"),
        ["history --limit -5"] = new(s => ["history", "--limit", "-5", "--config", s.Config()], "--limit -5 is outside 1–10000", "give a whole number from 1 to 10000"),
        ["history --limit 10001"] = new(s => ["history", "--limit", "10001", "--config", s.Config()], "--limit 10001 is outside 1–10000", "give a whole number from 1 to 10000"),
        ["history --limit many"] = new(s => ["history", "--limit", "many", "--config", s.Config()], "--limit 'many' is not a whole number", "give a whole number such as 5"),
        ["history --limit 99999999999"] = new(s => ["history", "--limit", "99999999999", "--config", s.Config()], "--limit '99999999999' is not a whole number", "give a whole number"),
        ["canary --percent ten"] = new(s => ["canary", "--percent", "ten", "--live", "--yes", "--config", s.Config()], "--percent 'ten' is not a whole number", "give a whole number"),
        ["canary --percent 1.5"] = new(s => ["canary", "--percent", "1.5", "--live", "--yes", "--config", s.Config()], "--percent '1.5' is not a whole number", "give a whole number"),
        ["smoke --retries lots"] = new(s => ["smoke", "--url", "http://127.0.0.1:9/", "--retries", "lots", "--config", s.Config()], "--retries 'lots' is not a whole number", "give a whole number"),
        ["smoke --timeout soon"] = new(s => ["smoke", "--url", "http://127.0.0.1:9/", "--timeout", "soon", "--config", s.Config()], "--timeout 'soon' is not a number", "give a number"),
        ["incident open --title with a newline"] = new(s => ["incident", "open", "--title", "API down\n# injected heading", "--live", "--config", s.Config()], "--title must be one line without control characters, and 'API down\\n# injected heading' has one at character 9", "write it on one line"),
        ["incident open --title with an escape"] = new(s => ["incident", "open", "--title", "\u001b[31mred", "--live", "--config", s.Config()], "--title must be one line without control characters, and '\\u001b[31mred' has one at character 1", "write it on one line"),
        ["incident open --owner with a newline"] = new(s => ["incident", "open", "--owner", "dana\nroot", "--live", "--config", s.Config()], "--owner must be one line", "write it on one line"),
        ["incident open --severity with a tab"] = new(s => ["incident", "open", "--severity", "SEV\t1", "--live", "--config", s.Config()], "--severity must be one line", "write it on one line"),
        ["incident assign --owner with a carriage return"] = new(s => ["incident", "assign", "INC-0001", "--owner", "dana\rroot", "--live", "--config", s.Config()], "--owner must be one line", "write it on one line"),
        ["record --version with a newline"] = new(s => ["record", "--version", "1.4.2\nknown-good", "--config", s.Config()], "--version must be one line", "write it on one line"),
        ["record --reason with a bell"] = new(s => ["record", "--override-freeze", "--reason", "hotfix\u0007", "--config", s.Config()], "--reason must be one line", "write it on one line"),
        ["freeze on --reason with a newline"] = new(s => ["freeze", "on", "--reason", "bad deploy\nrm -rf", "--live", "--config", s.Config()], "--reason must be one line", "write it on one line"),
        ["freeze off --root-cause with an escape"] = new(s => ["freeze", "off", "--root-cause", "config\u001b]0;pwned\u0007", "--live", "--config", s.Config()], "--root-cause must be one line", "write it on one line"),
        ["smoke --url with a password"] = new(s => ["smoke", "--url", "http://admin:PASSWORD@127.0.0.1:9/", "--config", s.Config()], "--url has a user name or password in it (the URL is not shown)", "put the token in a header (smoke.checks[].headers)", Secret: "PASSWORD"),
        ["smoke.url with a password"] = new(s => ["smoke", "--config", s.Config("smoke:\n  url: http://admin:PASSWORD@127.0.0.1:9/\n")], "smoke.url has a user name or password in it (the URL is not shown)", "put the token in a header", Secret: "PASSWORD"),
        ["aws.endpoint_url with a password"] = new(s => ["plan", "--config", s.Config(edit: yaml => yaml.Replace("  region: us-east-1", "  region: us-east-1\n  endpoint_url: http://AKIA:PASSWORD@127.0.0.1:9/", StringComparison.Ordinal))], "aws.endpoint_url has a user name or password in it", "AWS credentials go in the environment", Secret: "PASSWORD"),
        ["incident.github.api_url with a token"] = new(s => ["plan", "--config", s.Config(edit: yaml => yaml.Replace("incident:\n", "incident:\n  github:\n    repository: acme/api\n    api_url: https://x-access-token:PASSWORD@127.0.0.1:9/\n", StringComparison.Ordinal))], "incident.github.api_url has a user name or password in it", "the token goes in the variable incident.github.token_env names", Secret: "PASSWORD"),
        ["a webhook variable holding a URL with a password"] = new(s => ["notify", "--to", "team", "--message", "rollback done", "--live", "--config", s.Config($"notify:\n  team:\n    webhook_env: {WebhookVariable}\n")], $"environment variable {WebhookVariable} (notify.team.webhook_env) holds a URL with a user name or password (the URL is not shown)", "give one without user:password@", Secret: "PASSWORD"),
        ["cdn --paths with two paths in one argument"] = new(s => ["cdn", "--dist-id", "E1", "--paths", "/a /b", "--live", "--yes", "--config", s.Config()], "--paths '/a /b' looks like several paths in one argument", "give each path as its own argument: --paths /a /b"),
        ["report --out /proc/version"] = new(s => ["report", s.RunId, "--out", "/proc/version", "--config", s.Config()], "cannot write --out /proc/version", "name a file in a folder you can write", NeedsRun: true),
        ["report --out a folder"] = new(s => ["report", s.RunId, "--out", s.Folder, "--config", s.Config()], $"--out {FolderPlaceholder} is a folder", "name a file", NeedsRun: true),
        ["report --out in a missing folder"] = new(s => ["report", s.RunId, "--out", Path.Combine(s.Folder, "nope", "r.md"), "--config", s.Config()], "the folder of --out", "create it first", NeedsRun: true),
        ["rewind.yaml over 1 MiB"] = new(s => ["plan", "--config", s.File("big.yaml", Encoding.UTF8.GetBytes("service:\n  name: x\n#" + new string('x', 1024 * 1024)))], "is larger than 1 MiB (byte 1048576 is past the limit)", "keep it under 1 MiB"),
        ["rewind.yaml with an invalid UTF-8 byte"] = new(s => ["plan", "--config", s.File("latin1.yaml", [.. Encoding.UTF8.GetBytes("service:\n  name: caf"), 0xE9, .. Encoding.UTF8.GetBytes("\n")])], "is not valid UTF-8 (byte offset 20)", "save it as UTF-8 text"),
        ["--config /dev/zero"] = new(_ => ["plan", "--config", "/dev/zero"], "/dev/zero: is larger than 1 MiB", "keep it under 1 MiB"),
        ["smoke --checks over 1 MiB"] = new(s => ["smoke", "--url", "http://127.0.0.1:9/", "--checks", s.File("checks.yaml", Encoding.UTF8.GetBytes("- {name: health, path: /health}\n#" + new string('x', 1024 * 1024))), "--config", s.Config()], "is larger than 1 MiB", "keep it under 1 MiB"),
        ["smoke --checks with an invalid UTF-8 byte"] = new(s => ["smoke", "--url", "http://127.0.0.1:9/", "--checks", s.File("checks.yaml", [.. Encoding.UTF8.GetBytes("- {name: h"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(", path: /health}\n")]), "--config", s.Config()], "is not valid UTF-8 (byte offset 10)", "save it as UTF-8 text"),
        ["plan with a typo in ledger.path"] = new(s => ["plan", "--config", s.Config(ledgerPath: s.Typo)], $"no ledger at {TypoPlaceholder} (ledger.path in", "fix the path, or create the ledger with 'rewind ledger init'"),
        ["run --live with a typo in ledger.path"] = new(s => ["run", "--live", "--yes", "--config", s.Config(ledgerPath: s.Typo)], "no ledger at", "fix the path"),
        ["freeze on --live with a typo in ledger.path"] = new(s => ["freeze", "on", "--reason", "bad deploy", "--live", "--config", s.Config(ledgerPath: s.Typo)], "no ledger at", "fix the path"),
        ["history with a typo in ledger.path"] = new(s => ["history", "--config", s.Config(ledgerPath: s.Typo)], "no ledger at", "fix the path"),
        ["a step name of 10 MB"] = new(s => ["run", "--skip", new string('s', 10_000_000), "--config", s.Config()], "there is no step 'ssss", "steps are: "),
        ["a step name with an escape"] = new(s => ["run", "--skip", "\u001b[2Jcanary", "--config", s.Config()], "there is no step '\\u001b[2Jcanary'", "steps are: "),
    };

    // Placeholders the expected lines carry for values known only once the case is set up.
    private const string FolderPlaceholder = "{folder}";
    private const string TypoPlaceholder = "{typo}";

    public static TheoryData<string> Names => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Given_bad_input_when_run_then_one_line_names_problem_and_fix_with_the_documented_exit_code_and_nothing_changed(string name)
    {
        var bad = Cases[name];
        await using var world = await PlaybookHarness.SeedAsync(emulator, $"bad{Cases.Keys.ToList().IndexOf(name)}", Ct);
        var setup = new Setup(world);
        if (bad.NeedsRun)
            setup.RunId = (await world.RunAsync(null, [world.CanaryStep(0)], Ct)).Outcome.RunId;
        Environment.SetEnvironmentVariable(WebhookVariable, "http://hook-user:PASSWORD@127.0.0.1:9/hook");
        var args = bad.Args(setup);
        var before = await SnapshotAsync(setup);

        var result = await EmulatorCli.RunAsync(emulator, args);

        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(result.ExitCode == bad.ExitCode, result.ToString());
        Assert.StartsWith("rewind: ", line, StringComparison.Ordinal);
        Assert.Contains(Expand(bad.Problem, setup), line, StringComparison.Ordinal);
        Assert.Contains(Expand(bad.Fix, setup), line, StringComparison.Ordinal);
        Assert.True(line.Length <= 1000, $"the line is {line.Length} characters long");
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
        Assert.DoesNotContain(line, char.IsControl);
        if (bad.Secret is { } secret)
            Assert.DoesNotContain(secret, result.Stdout + result.Stderr, StringComparison.Ordinal);
        var after = await SnapshotAsync(setup);
        Assert.Equal(0, after.Calls.Total);
        Assert.Equal(before.Ledger, after.Ledger);
        Assert.Equal(before.Files, after.Files);
    }

    [Fact]
    public void There_are_at_least_30_cases() => Assert.True(Cases.Count >= 30, $"{Cases.Count} cases");

    private static string Expand(string text, Setup setup) =>
        text.Replace(FolderPlaceholder, setup.Folder, StringComparison.Ordinal).Replace(TypoPlaceholder, setup.Typo, StringComparison.Ordinal);

    private sealed record Snapshot(EmulatorCallCounts Calls, string Ledger, string Files);

    /// <summary>Resets the emulator's counter (returning what it held), hashes the ledger's content and lists every file and folder.</summary>
    private async Task<Snapshot> SnapshotAsync(Setup setup)
    {
        var calls = await EmulatorCalls.ResetAsync(emulator.Endpoint, Ct);
        return new Snapshot(calls, LedgerDigest(setup.World.Ledger.Location), Listing(setup.Folder));
    }

    /// <summary>SHA-256 of every row of every table, read through its own connection (the WAL file holds recent writes).</summary>
    internal static string LedgerDigest(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var dump = new StringBuilder();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            using var reader = list.ExecuteReader();
            while (reader.Read())
                tables.Add(reader.GetString(0));
        }
        foreach (var table in tables)
        {
            using var rows = connection.CreateCommand();
            rows.CommandText = $"SELECT * FROM \"{table}\"";
            using var reader = rows.ExecuteReader();
            var lines = new List<string>();
            while (reader.Read())
            {
                var line = new StringBuilder();
                for (var i = 0; i < reader.FieldCount; i++)
                    line.Append(reader.IsDBNull(i) ? "∅" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('\u001f');
                lines.Add(line.ToString());
            }
            lines.Sort(StringComparer.Ordinal);
            dump.Append(table).Append('\n').AppendJoin('\n', lines).Append('\n');
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(dump.ToString())));
    }

    /// <summary>Every file and folder below <paramref name="folder"/> (SQLite's -wal and -shm companions aside), one per line.</summary>
    internal static string Listing(string folder) => string.Join('\n',
        Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
            .Where(p => !p.EndsWith("-wal", StringComparison.Ordinal) && !p.EndsWith("-shm", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal));
}
