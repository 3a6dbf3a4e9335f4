using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rewind.Cli.Demo;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Emulator;
using Rewind.IntegrationTests.Infra;
using Rewind.IntegrationTests.Playbook;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.IntegrationTests.Docs;

/// <summary>
/// docs/ROLLBACK_PLAYBOOK.md cannot rot: every <c>```bash</c> block of it runs, in order, with the built <c>rewind</c>
/// on PATH, against its own patched emulator seeded by <c>rewind demo --seed-only</c> (plus a stand-in service,
/// CloudWatch metrics, a Slack webhook and a Terraform repository), and must exit 0; the world must then show the
/// rollback and the checklist the evidence.
/// </summary>
[Collection("playbook-document")]
public sealed partial class PlaybookDocumentTests(PlaybookDocumentEmulatorFixture emulator) : IDisposable
{
    private const string ApiKey = "doc-test-api-key";
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-playbook-doc-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    [Fact]
    public async Task Every_command_block_of_the_rollback_playbook_runs_against_the_emulator_and_exits_0()
    {
        Assert.SkipWhen(PlaybookDocumentEmulatorFixture.Missing is not null, $"the playbook document test needs {PlaybookDocumentEmulatorFixture.Missing}");
        Assert.SkipWhen(TerraformRepository.Missing is not null, $"the playbook document test needs {TerraformRepository.Missing}");
        var root = RolloutEmulatorFixture.RepositoryRoot();
        var blocks = BashBlocks(await File.ReadAllTextAsync(Path.Combine(root, "docs", "ROLLBACK_PLAYBOOK.md"), Ct));
        Assert.True(blocks.Count >= 10, $"the document has {blocks.Count} bash blocks");

        // The demo world, seeded by the real CLI: it writes rewind.yaml into the folder.
        var seeded = await EmulatorCli.RunAsync(emulator, "demo", "--seed-only", "--endpoint-url", emulator.Endpoint.ToString(), "--dir", _folder.FullName);
        Assert.True(seeded.ExitCode == 0, seeded.ToString());
        var configPath = Path.Combine(_folder.FullName, "rewind.yaml");
        var config = await File.ReadAllTextAsync(configPath, Ct);

        // What the document's other sections act on: the service behind smoke.url, its metrics, #releases, Terraform.
        await using var service = DemoService.Start(ApiKey);
        await using var slack = LoopbackStub.Start(new StubResponse(200, "ok", ("Content-Type", "text/plain")));
        await using var support = LoopbackStub.Start(new StubResponse(202, "{}", ("Content-Type", "application/json")));
        await using var github = new GitHubStandIn("acme/claude-proxy");
        using var terraform = await TerraformRepository.CreateAsync(Ct);
        var listenerArn = Value(config, "listener_arn");
        var mainTargetGroupArn = Value(config, "main_target_group");
        var loadBalancer = LoadBalancerOf(listenerArn);
        var now = DateTimeOffset.UtcNow;
        await DemoMetrics.SeedAsync(
            ClientFactory.Transport(emulator), loadBalancer, DemoMetrics.TargetGroupDimension(mainTargetGroupArn),
            now.AddMinutes(-60), now.AddMinutes(-10), now.AddMinutes(5), Ct);
        config = WithSections(config, new Dictionary<string, string>
        {
            ["smoke"] = $"smoke:\n  url: {service.Url}\n  api_key_env: SMOKE_API_KEY\n  retries: 1\n  timeout: 5s\n  backoff: 0s\n",
            ["verify"] = $"verify:\n  load_balancer: {loadBalancer}\n  target_group: {DemoMetrics.TargetGroupDimension(mainTargetGroupArn)}\n  window: 5m\n  max_5xx_percent: 1\n  deadline: 10s\n",
            ["notify"] = "notify:\n  team: { slack_webhook_env: SLACK_RELEASES_WEBHOOK, channel: \"#releases\" }\n  support: { webhook_env: SUPPORT_WEBHOOK }\n",
            ["incident"] = $"incident:\n  on_call: alice\n  postmortem_due: 48h\n  drafts_dir: {Path.Combine(_folder.FullName, "postmortems")}\n  github:\n    repository: {github.Repository}\n    token_env: GITHUB_TOKEN\n    labels: [incident, postmortem]\n    api_url: {github.ApiUrl}\n",
            ["infra"] = $"infra:\n  repository: {terraform.Root}\n  directory: {TerraformRepository.Directory}\n  max_destroys: 1\n",
        });
        await File.WriteAllTextAsync(configPath, config, Ct);

        var environment = Environment(root, new Dictionary<string, string>
        {
            ["SMOKE_API_KEY"] = ApiKey,
            ["SLACK_RELEASES_WEBHOOK"] = slack.Url + "services/T000/B000/doc",
            ["SUPPORT_WEBHOOK"] = support.Url + "support",
            ["GITHUB_TOKEN"] = "doc-test-github-token",
        });

        var ranRollback = false;
        foreach (var block in blocks)
        {
            var started = Stopwatch.GetTimestamp();
            var (code, stdout, stderr) = await BashAsync(block, environment);
            TestContext.Current.TestOutputHelper?.WriteLine($"$ {block}\n{stdout}{stderr}--- {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s, exit {code}\n");
            Assert.True(code == 0, $"this block of docs/ROLLBACK_PLAYBOOK.md exited {code}:\n{block}\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
            if (!ranRollback && block.Contains("rewind run --live", StringComparison.Ordinal))
            {
                ranRollback = true;
                await AssertRolledBackAsync(configPath, block);
            }
        }
        Assert.True(ranRollback, "the document has no block with 'rewind run --live'");
        await AssertRolledBackAsync(configPath, "the last block");

        // Terraform: the apply block took the state back to the first commit (a = "one", b destroyed).
        Assert.Equal(new Dictionary<string, string> { ["terraform_data.a"] = "one" }, terraform.StateResources());
        Assert.Contains(slack.Requests, r => r.Method == "POST");
        Assert.Contains(support.Requests, r => r.Method == "POST");
        Assert.True(service.Requests >= 2, $"the stand-in service answered {service.Requests} requests");

        // The checklist of the document's rollback run ticks every item this configuration can prove.
        var runId = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_folder.FullName, "rollback.json"), Ct))!["runId"]!.GetValue<string>();
        var checklist = await EmulatorCli.RunAsync(emulator, "checklist", runId, "--config", configPath, "--output", "json");
        var items = JsonNode.Parse(checklist.Stdout)!["items"]!.AsArray().ToDictionary(i => i!["key"]!.GetValue<string>(), i => i!["ticked"]!.GetValue<bool>());
        Assert.True(checklist.ExitCode == 0, checklist.ToString());
        foreach (var key in new[] { "service-reverted", "smoke-tests-passing", "error-rates-normalized", "postmortem-ticket-created", "team-notified" })
            Assert.True(items[key], $"checklist item {key} is not ticked:\n{checklist}");
        Assert.Equal(1, github.Created);
        Assert.True(File.Exists(Path.Combine(_folder.FullName, "rollback-report.md")), "the report block wrote no report");
    }

    /// <summary>After the live rollback: the service runs the known-good revision and the listener sends no traffic to the canary.</summary>
    private async Task AssertRolledBackAsync(string configPath, string block)
    {
        var status = await EmulatorCli.RunAsync(emulator, "status", "--config", configPath, "--output", "json");
        Assert.True(status.ExitCode == 0, status.ToString());
        var document = JsonNode.Parse(status.Stdout)!;
        Assert.True(document["taskDefinition"]!.GetValue<string>().EndsWith(":2", StringComparison.Ordinal), $"after\n{block}\nthe service runs {document["taskDefinition"]}");
        Assert.True(document["running"]!.GetValue<int>() == document["desired"]!.GetValue<int>(), status.Stdout);
        Assert.Matches(@"^100\D+0\b", document["canaryWeights"]!.GetValue<string>());
    }

    /// <summary>Every fenced block whose info string is exactly <c>bash</c> (not <c>bash norun</c>), in order; indentation removed.</summary>
    internal static List<string> BashBlocks(string markdown)
    {
        var blocks = new List<string>();
        foreach (Match match in FencedBlock().Matches(markdown))
        {
            var indent = match.Groups["indent"].Value.Length;
            var lines = match.Groups["body"].Value.Split('\n').Select(l => l.Length >= indent && string.IsNullOrWhiteSpace(l[..indent]) ? l[indent..] : l.TrimStart());
            if (match.Groups["info"].Value.Trim() == "bash")
                blocks.Add(string.Join('\n', lines).TrimEnd());
        }
        return blocks;
    }

    [GeneratedRegex(@"^(?<indent>[ ]*)```(?<info>[^\n`]*)\n(?<body>.*?)\n[ ]*```[ ]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    /// <summary>The value of the first <c>key: value</c> line of a YAML text.</summary>
    private static string Value(string yaml, string key)
    {
        var match = Regex.Match(yaml, $@"^\s*{key}:\s*(\S+)\s*$", RegexOptions.Multiline);
        Assert.True(match.Success, $"rewind.yaml has no {key}:\n{yaml}");
        return match.Groups[1].Value.Trim('"', '\'');
    }

    /// <summary>The CloudWatch LoadBalancer dimension (app/NAME/ID) of a listener ARN (…:listener/app/NAME/ID/LISTENER).</summary>
    private static string LoadBalancerOf(string listenerArn)
    {
        var parts = listenerArn[(listenerArn.IndexOf(":listener/", StringComparison.Ordinal) + ":listener/".Length)..].Split('/');
        return string.Join('/', parts[..3]);
    }

    /// <summary>rewind.yaml with each named top-level section replaced (or appended): the demo may already write some.</summary>
    internal static string WithSections(string yaml, IReadOnlyDictionary<string, string> sections)
    {
        var kept = new StringBuilder();
        var skipping = false;
        foreach (var line in yaml.Split('\n'))
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]) && !line.StartsWith('#'))
                skipping = sections.Keys.Any(k => line.StartsWith(k + ":", StringComparison.Ordinal));
            if (!skipping)
                kept.Append(line).Append('\n');
        }
        var text = kept.ToString().TrimEnd() + "\n";
        return text + string.Concat(sections.Values);
    }

    /// <summary>The blocks' environment: the built rewind first on PATH, infra linked into the folder, the emulator, and <paramref name="extra"/>.</summary>
    private Dictionary<string, string> Environment(string root, IReadOnlyDictionary<string, string> extra)
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, "rewind");
        Assert.True(File.Exists(apphost), $"no rewind apphost at {apphost}");
        var bin = Directory.CreateDirectory(Path.Combine(_folder.FullName, ".bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(bin, "rewind"), apphost);
        Directory.CreateSymbolicLink(Path.Combine(_folder.FullName, "infra"), Path.Combine(root, "infra"));
        var environment = new Dictionary<string, string>(extra)
        {
            ["PATH"] = bin + Path.PathSeparator + (System.Environment.GetEnvironmentVariable("PATH") ?? ""),
            ["HOME"] = _folder.FullName,
            ["REWIND"] = apphost,
            ["AWS_ENDPOINT_URL"] = emulator.Endpoint.ToString(),
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
            ["AWS_REGION"] = "us-east-1",
            ["NO_COLOR"] = "1",
            ["TF_IN_AUTOMATION"] = "1",
            ["CHECKPOINT_DISABLE"] = "1",
        };
        var dotnetRoot = System.Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (dotnetRoot is not null)
            environment["DOTNET_ROOT"] = dotnetRoot;
        return environment;
    }

    private async Task<(int Code, string Stdout, string Stderr)> BashAsync(string block, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = _folder.FullName, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-euo", "pipefail", "-c", block })
            start.ArgumentList.Add(argument);
        start.Environment.Clear();
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>The playbook document's own patched emulator: the demo world's fixed names collide with no other test's.</summary>
public sealed class PlaybookDocumentEmulatorFixture : EmulatorFixture
{
    /// <summary>Why the test cannot run here, or null.</summary>
    public static string? Missing => TerraformRepository.Find("moto_server") is null ? "moto_server on PATH" : null;

    public override async ValueTask InitializeAsync()
    {
        if (Missing is null)
            await base.InitializeAsync();
    }

    protected override MotoServerOptions CreateOptions() => new()
    {
        PythonBootstrapModule = Path.Combine(RolloutEmulatorFixture.RepositoryRoot(), "emulator", "rewind_moto.py"),
        Environment = new Dictionary<string, string> { ["REWIND_MOTO_ROLLOUT_SECONDS"] = "1" },
    };
}

[CollectionDefinition("playbook-document")]
public sealed class PlaybookDocumentCollection : ICollectionFixture<PlaybookDocumentEmulatorFixture>;
