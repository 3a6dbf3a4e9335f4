using System.Diagnostics;
using System.Text.RegularExpressions;
using Rewind.IntegrationTests.Docs;
using Rewind.IntegrationTests.Emulator;
using Rewind.IntegrationTests.Playbook;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Rewind.IntegrationTests.Pipeline;

/// <summary>
/// docs/pipelines.md and action.yml cannot rot: the commands of each documented pipeline (the composite action's
/// <c>run:</c> steps with the <c>with:</c> inputs of the GitHub workflow snippet, the GitLab CI jobs' scripts, the
/// CodeBuild phases' commands) run in bash with the built <c>rewind</c> on PATH against the demo world on the
/// emulator: record a release (its id reaches the next job), freeze check passes, a freeze (a rollback for the first
/// pipeline, <c>freeze on</c> for the others), freeze check fails with
/// exit 3 (on GitHub with the <c>::error::</c> annotation), the freeze lifted, freeze check passes again, plan.
/// </summary>
[Collection("pipeline-snippets")]
public sealed partial class PipelineSnippetTests(PipelineEmulatorFixture emulator) : IDisposable
{
    private const string Action = "acme/rewind@v1";
    private const string Sha = "4c2d7961f00dbeefcafe0123456789abcdef0123";
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-pipeline-");
    private string _configPath = "";

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
    public async Task Each_documented_pipeline_records_passes_the_freeze_check_fails_it_with_exit_3_while_frozen_and_passes_once_lifted()
    {
        Assert.SkipWhen(PipelineEmulatorFixture.Missing is not null, $"the pipeline test needs {PipelineEmulatorFixture.Missing}");
        var root = RolloutEmulatorFixture.RepositoryRoot();
        var markdown = await File.ReadAllTextAsync(Path.Combine(root, "docs", "pipelines.md"), Ct);
        var snippets = Snippets(markdown);
        Assert.Equal(["codebuild", "codebuild-plan", "github", "gitlab"], snippets.Keys.Order(StringComparer.Ordinal));

        var seeded = await EmulatorCli.RunAsync(emulator, "demo", "--seed-only", "--endpoint-url", emulator.Endpoint.ToString(), "--dir", _folder.FullName);
        Assert.True(seeded.ExitCode == 0, seeded.ToString());
        _configPath = Path.Combine(_folder.FullName, "rewind.yaml");
        var environment = Environment();

        var pipelines = new IPipeline[]
        {
            new GitHubPipeline(this, Yaml(await File.ReadAllTextAsync(Path.Combine(root, "action.yml"), Ct)), Yaml(snippets["github"]), environment),
            new GitLabPipeline(this, Yaml(snippets["gitlab"]), environment),
            new CodeBuildPipeline(this, Yaml(snippets["codebuild"]), Yaml(snippets["codebuild-plan"]), environment),
        };
        var releases = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pipeline in pipelines)
        {
            var (recorded, release) = await pipeline.RecordAsync();
            Assert.True(recorded.Code == 0, $"{pipeline.Name}: record\n{recorded}");
            Assert.Matches(ReleaseId(), release);
            Assert.True(releases.Add(release), $"{pipeline.Name} handed on {release}, a release an earlier pipeline recorded");
            var history = await EmulatorCli.RunAsync(emulator, "history", "--config", _configPath);
            Assert.Contains(release, history.Stdout, StringComparison.Ordinal);

            var open = await pipeline.FreezeCheckAsync();
            Assert.True(open.Code == 0, $"{pipeline.Name}: freeze check before any freeze\n{open}");
            Assert.DoesNotContain("::error", open.Stdout, StringComparison.Ordinal);

            // The first pipeline is frozen by a rollback (its last step freezes releases), the others by 'freeze on'.
            var reason = $"pipeline test: bad deploy 50% 5xx ({pipeline.Name})";
            var rollback = pipeline is GitHubPipeline;
            var frozen = rollback
                ? await EmulatorCli.RunAsync(emulator, "run", "--live", "--yes", "--config", _configPath)
                : await EmulatorCli.RunAsync(emulator, "freeze", "on", "--live", "--reason", reason, "--config", _configPath);
            Assert.True(frozen.ExitCode == 0, frozen.ToString());
            var blocked = await pipeline.FreezeCheckAsync();
            Assert.True(blocked.Code == 3, $"{pipeline.Name}: freeze check while frozen\n{blocked}");
            Assert.Contains(rollback ? "rolled back to release" : reason, blocked.Stdout, StringComparison.Ordinal);
            if (pipeline is GitHubPipeline)
                Assert.Matches($@"(?m)^::error title=Releases frozen::\S+: rolled back to release [^\n]*\(freeze \S+", blocked.Stdout);
            else
                Assert.DoesNotContain("::error", blocked.Stdout, StringComparison.Ordinal);

            var lifted = await EmulatorCli.RunAsync(emulator, "freeze", "off", "--live", "--root-cause", "pipeline test: fixed", "--config", _configPath);
            Assert.True(lifted.ExitCode == 0, lifted.ToString());
            var again = await pipeline.FreezeCheckAsync();
            Assert.True(again.Code == 0, $"{pipeline.Name}: freeze check once lifted\n{again}");

            var plan = await pipeline.PlanAsync();
            Assert.True(plan.Code == 0, $"{pipeline.Name}: plan\n{plan}");
            Assert.False(string.IsNullOrWhiteSpace(plan.Stdout), $"{pipeline.Name}: plan printed nothing\n{plan}");
        }
    }

    /// <summary>The fenced blocks whose info string is <c>yaml pipeline=NAME</c>, by name.</summary>
    private static Dictionary<string, string> Snippets(string markdown) =>
        SnippetBlock().Matches(markdown).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["body"].Value, StringComparer.Ordinal);

    [GeneratedRegex(@"^```yaml pipeline=(?<name>[a-z-]+)[ ]*\n(?<body>.*?)\n```[ ]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex SnippetBlock();

    [GeneratedRegex(@"^rel-\S+$")]
    private static partial Regex ReleaseId();

    private static YamlMappingNode Yaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlNode? Child(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static YamlNode Required(YamlNode node, string key) => Child(node, key) ?? throw new InvalidOperationException($"no '{key}' in\n{node}");

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value ?? "";

    private static List<string> Commands(YamlNode? node) => node is YamlSequenceNode list ? [.. list.Children.Select(Scalar)] : [];

    /// <summary>What every pipeline shell gets: the built rewind first on PATH, the emulator, the folder with rewind.yaml as the working directory.</summary>
    private Dictionary<string, string> Environment()
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, "rewind");
        Assert.True(File.Exists(apphost), $"no rewind apphost at {apphost}");
        var bin = Directory.CreateDirectory(Path.Combine(_folder.FullName, ".bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(bin, "rewind"), apphost);
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = bin + Path.PathSeparator + (System.Environment.GetEnvironmentVariable("PATH") ?? ""),
            ["HOME"] = _folder.FullName,
            ["AWS_ENDPOINT_URL"] = emulator.Endpoint.ToString(),
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
            ["AWS_REGION"] = EmulatorFixture.Region,
            ["NO_COLOR"] = "1",
            ["REWIND_FEED"] = Path.Combine(_folder.FullName, "no-feed"),
        };
        foreach (var name in new[] { "DOTNET_ROOT", "TMPDIR" })
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value)
                environment[name] = value;
        }
        return environment;
    }

    /// <summary>Runs <paramref name="script"/> as a CI runner does: a bash file, <c>-eo pipefail</c>, in the folder, with only <paramref name="environment"/>.</summary>
    private async Task<ShellResult> BashAsync(string script, IReadOnlyDictionary<string, string> environment)
    {
        var file = Path.Combine(_folder.FullName, $".step-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(file, script + "\n", Ct);
        var start = new ProcessStartInfo("bash") { WorkingDirectory = _folder.FullName, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in new[] { "--noprofile", "--norc", "-eo", "pipefail", file })
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
        var result = new ShellResult(process.ExitCode, await stdout, await stderr);
        TestContext.Current.TestOutputHelper?.WriteLine($"$ {script}\n{result}\n");
        return result;
    }

    private sealed record ShellResult(int Code, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {Code}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    private interface IPipeline
    {
        string Name { get; }

        /// <summary>Records a release; the release id as the pipeline hands it to the next job.</summary>
        Task<(ShellResult Result, string Release)> RecordAsync();

        Task<ShellResult> FreezeCheckAsync();

        Task<ShellResult> PlanAsync();
    }

    /// <summary>
    /// The composite action run as the GitHub runner runs it: each <c>run:</c> step in bash with its <c>env:</c>, where
    /// <c>${{ inputs.X }}</c> is the workflow's <c>with:</c> value or the input's default, a fresh GITHUB_OUTPUT per step
    /// and GITHUB_PATH honoured; the action's outputs are read from the steps' outputs. The workflow's
    /// <c>rewind-source</c> (a feed) is replaced by empty: the built rewind on PATH is used, the install is not run.
    /// </summary>
    private sealed class GitHubPipeline(PipelineSnippetTests test, YamlMappingNode action, YamlMappingNode workflow, IReadOnlyDictionary<string, string> environment) : IPipeline
    {
        public string Name => "github";

        private readonly List<YamlNode> _uses = [.. ((YamlMappingNode)Required(workflow, "jobs")).Children.Values
            .SelectMany(job => ((YamlSequenceNode)Required(job, "steps")).Children)
            .Where(step => Child(step, "uses") is { } uses && Scalar(uses) == Action)];

        public async Task<(ShellResult Result, string Release)> RecordAsync()
        {
            var (result, outputs) = await RunAsync("record");
            Assert.True(outputs.TryGetValue("release", out var release), $"the action set no 'release' output\n{result}");
            Assert.True(outputs.TryGetValue("version", out var version) && version == Sha, $"the action's version output is {version}, not the workflow's {Sha}");
            return (result, release!);
        }

        public async Task<ShellResult> FreezeCheckAsync() => (await RunAsync("freeze-check")).Result;

        public async Task<ShellResult> PlanAsync() => (await RunAsync("plan")).Result;

        private async Task<(ShellResult Result, Dictionary<string, string> Outputs)> RunAsync(string mode)
        {
            var with = _uses.Select(u => (YamlMappingNode)Required(u, "with")).Single(w => Scalar(Required(w, "mode")) == mode);
            var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, declaration) in ((YamlMappingNode)Required(action, "inputs")).Children)
                inputs[Scalar(name)] = Child(declaration, "default") is { } value ? Scalar(value) : "";
            foreach (var (name, value) in with.Children)
                inputs[Scalar(name)] = Scalar(value).Replace("${{ github.sha }}", Sha, StringComparison.Ordinal);
            inputs["rewind-source"] = "";

            var path = environment["PATH"];
            var steps = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            var runs = (YamlSequenceNode)Required(Required(action, "runs"), "steps");
            ShellResult? last = null;
            foreach (var step in runs.Children)
            {
                Assert.Equal("bash", Scalar(Required(step, "shell")));
                var stepEnvironment = new Dictionary<string, string>(environment)
                {
                    ["PATH"] = path,
                    ["GITHUB_ACTIONS"] = "true",
                    ["GITHUB_SHA"] = Sha,
                    ["RUNNER_TEMP"] = Directory.CreateDirectory(Path.Combine(test._folder.FullName, ".runner-temp")).FullName,
                    ["GITHUB_OUTPUT"] = Path.Combine(test._folder.FullName, $".github-output-{Guid.NewGuid():N}"),
                    ["GITHUB_PATH"] = Path.Combine(test._folder.FullName, $".github-path-{Guid.NewGuid():N}"),
                };
                await File.WriteAllTextAsync(stepEnvironment["GITHUB_OUTPUT"], "", Ct);
                await File.WriteAllTextAsync(stepEnvironment["GITHUB_PATH"], "", Ct);
                if (Child(step, "env") is YamlMappingNode env)
                {
                    foreach (var (name, value) in env.Children)
                        stepEnvironment[Scalar(name)] = Inputs(Scalar(value), inputs);
                }
                var script = Scalar(Required(step, "run"));
                Assert.DoesNotContain("${{", script, StringComparison.Ordinal);
                last = await test.BashAsync(script, stepEnvironment);
                if (Child(step, "id") is { } id)
                    steps[Scalar(id)] = Outputs(await File.ReadAllTextAsync(stepEnvironment["GITHUB_OUTPUT"], Ct));
                foreach (var added in (await File.ReadAllLinesAsync(stepEnvironment["GITHUB_PATH"], Ct)).Where(l => l.Length > 0))
                    path = added + Path.PathSeparator + path;
                if (last.Code != 0)
                    break;
            }
            var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, declaration) in ((YamlMappingNode)Required(action, "outputs")).Children)
            {
                var match = StepOutput().Match(Scalar(Required(declaration, "value")));
                Assert.True(match.Success, $"output {name} is not a step's output");
                if (steps.TryGetValue(match.Groups["step"].Value, out var stepOutputs) && stepOutputs.TryGetValue(match.Groups["name"].Value, out var value))
                    outputs[Scalar(name)] = value;
            }
            return (last!, outputs);
        }

        private static string Inputs(string value, IReadOnlyDictionary<string, string> inputs)
        {
            var resolved = InputExpression().Replace(value, m => inputs.TryGetValue(m.Groups["name"].Value, out var input) ? input : throw new InvalidOperationException($"no input {m.Groups["name"].Value}"));
            Assert.DoesNotContain("${{", resolved, StringComparison.Ordinal);
            return resolved;
        }

        /// <summary>GITHUB_OUTPUT's <c>name=value</c> lines (and <c>name&lt;&lt;DELIMITER</c> blocks).</summary>
        private static Dictionary<string, string> Outputs(string text)
        {
            var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].IndexOf("<<", StringComparison.Ordinal) is var heredoc and > 0 && (lines[i].IndexOf('=', StringComparison.Ordinal) is var eq && (eq < 0 || eq > heredoc)))
                {
                    var delimiter = lines[i][(heredoc + 2)..];
                    var end = Array.IndexOf(lines, delimiter, i + 1);
                    outputs[lines[i][..heredoc]] = string.Join('\n', lines[(i + 1)..end]);
                    i = end;
                }
                else if (lines[i].IndexOf('=', StringComparison.Ordinal) is var separator and > 0)
                    outputs[lines[i][..separator]] = lines[i][(separator + 1)..];
            }
            return outputs;
        }
    }

    [GeneratedRegex(@"\$\{\{\s*inputs\.(?<name>[\w-]+)\s*\}\}")]
    private static partial Regex InputExpression();

    [GeneratedRegex(@"^\$\{\{\s*steps\.(?<step>[\w-]+)\.outputs\.(?<name>[\w-]+)\s*\}\}$")]
    private static partial Regex StepOutput();

    /// <summary>A GitLab job: <c>default.before_script</c> and the job's <c>script</c> in one shell; the dotenv report is read back.</summary>
    private sealed class GitLabPipeline(PipelineSnippetTests test, YamlMappingNode ci, IReadOnlyDictionary<string, string> environment) : IPipeline
    {
        public string Name => "gitlab";

        public async Task<(ShellResult Result, string Release)> RecordAsync()
        {
            var result = await JobAsync("record");
            var dotenv = Path.Combine(test._folder.FullName, Scalar(Required(Required(Required(Required(ci, "record"), "artifacts"), "reports"), "dotenv")));
            var line = (await File.ReadAllLinesAsync(dotenv, Ct)).Single(l => l.StartsWith("REWIND_RELEASE=", StringComparison.Ordinal));
            return (result, line["REWIND_RELEASE=".Length..]);
        }

        public Task<ShellResult> FreezeCheckAsync() => JobAsync("freeze-check");

        public Task<ShellResult> PlanAsync() => JobAsync("rollback-plan");

        private Task<ShellResult> JobAsync(string job)
        {
            var script = Commands(Child(Required(ci, "default"), "before_script")).Concat(Commands(Required(Required(ci, job), "script")));
            return test.BashAsync(string.Join('\n', script), new Dictionary<string, string>(environment)
            {
                ["GITLAB_CI"] = "true",
                ["CI"] = "true",
                ["CI_COMMIT_SHORT_SHA"] = Sha[..8],
            });
        }
    }

    /// <summary>
    /// A CodeBuild build: the phases' commands in one bash (<c>env.shell: bash</c>), the install phase first; the
    /// exported variables are read from the shell at the end, as CodeBuild does.
    /// </summary>
    private sealed class CodeBuildPipeline(PipelineSnippetTests test, YamlMappingNode buildspec, YamlMappingNode planBuildspec, IReadOnlyDictionary<string, string> environment) : IPipeline
    {
        public string Name => "codebuild";

        public async Task<(ShellResult Result, string Release)> RecordAsync()
        {
            Assert.Equal("bash", Scalar(Required(Required(buildspec, "env"), "shell")));
            var exported = Commands(Required(Required(buildspec, "env"), "exported-variables"));
            Assert.Equal(["REWIND_RELEASE"], exported);
            var result = await PhasesAsync(buildspec, ["install", "post_build"], "printf '\\n__exported REWIND_RELEASE=%s\\n' \"${REWIND_RELEASE-}\"");
            var line = result.Stdout.Split('\n').LastOrDefault(l => l.StartsWith("__exported REWIND_RELEASE=", StringComparison.Ordinal)) ?? "";
            return (result, line["__exported REWIND_RELEASE=".Length..]);
        }

        public Task<ShellResult> FreezeCheckAsync() => PhasesAsync(buildspec, ["install", "pre_build"], null);

        public Task<ShellResult> PlanAsync() => PhasesAsync(planBuildspec, ["install", "build"], null);

        private Task<ShellResult> PhasesAsync(YamlMappingNode spec, string[] phases, string? epilogue)
        {
            var commands = phases.SelectMany(p => Commands(Child(Required(Required(spec, "phases"), p), "commands"))).ToList();
            if (epilogue is not null)
                commands.Add(epilogue);
            return test.BashAsync(string.Join('\n', commands), new Dictionary<string, string>(environment)
            {
                ["CODEBUILD_BUILD_ID"] = "rewind-pipeline-test:1",
                ["CODEBUILD_RESOLVED_SOURCE_VERSION"] = Sha,
            });
        }
    }
}

/// <summary>The pipeline test's own patched emulator: the demo world's fixed names collide with no other test's.</summary>
public sealed class PipelineEmulatorFixture : EmulatorFixture
{
    /// <summary>Why the test cannot run here, or null.</summary>
    public static string? Missing => PlaybookDocumentEmulatorFixture.Missing;

    public override async ValueTask InitializeAsync()
    {
        if (Missing is null)
            await base.InitializeAsync();
    }

    protected override MotoServerOptions CreateOptions() => new()
    {
        PythonBootstrapModule = Path.Combine(RolloutEmulatorFixture.RepositoryRoot(), "emulator", "rewind_moto.py"),
    };
}

[CollectionDefinition("pipeline-snippets")]
public sealed class PipelineSnippetCollection : ICollectionFixture<PipelineEmulatorFixture>;
