using System.CommandLine;
using System.Diagnostics;
using Rewind.Aws;
using Rewind.Aws.Credentials;
using Rewind.Aws.Endpoints;
using Rewind.Core.Configuration;
using Rewind.Core.Evidence;
using Rewind.Core.Files;
using Rewind.Core.Ledger;
using Rewind.Ledger.Sqlite;

namespace Rewind.Cli.Demo;

/// <summary>
/// <c>rewind demo</c>: starts the local AWS emulator, seeds claude-proxy-api (four revisions, the newest bad and
/// deployed; canary 90/10; a rotated secret; a distribution; one known-good release), runs
/// <c>rewind run --live --yes</c> against it with a local stand-in for the service, its GitHub and its webhooks,
/// writes the report, prints the checklist and where the report, postmortem draft and ledger are, and stops the
/// emulator. Exits non-zero unless every checklist item is ticked.
/// </summary>
public static class DemoCommand
{
    private static readonly AwsCredentials DemoKeys = new("AKIAIOSFODNN7EXAMPLE", "rewind-demo-secret");

    /// <summary>How long ago the bad release (v4) was recorded: the end of the baseline window.</summary>
    private static readonly TimeSpan BadReleaseAge = TimeSpan.FromHours(1);

    /// <summary>The verification window (and the baseline's).</summary>
    private static readonly TimeSpan VerifyWindow = TimeSpan.FromMinutes(5);

    /// <summary>The incident's owner in the demo.</summary>
    public const string OnCall = "dana-oncall";

    /// <summary>The variables the demo sets for its own process: the GitHub stand-in's token and the two webhook URLs.</summary>
    public const string GitHubTokenVariable = "REWIND_DEMO_GITHUB_TOKEN";

    /// <inheritdoc cref="GitHubTokenVariable"/>
    public const string SlackVariable = "REWIND_DEMO_SLACK_WEBHOOK";

    /// <inheritdoc cref="GitHubTokenVariable"/>
    public const string SupportVariable = "REWIND_DEMO_SUPPORT_WEBHOOK";

    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var folder = new Option<string?>("--dir") { Description = "where the demo writes its rewind.yaml and ledger (default: a new temp folder)", HelpName = "PATH" };
        var rollout = new Option<double>("--rollout-seconds") { Description = "how long the emulated ECS rollout takes", DefaultValueFactory = _ => 3 };
        var seedOnly = new Option<bool>("--seed-only") { Description = "seed (world, metrics, ledger) and write rewind.yaml without smoke, notify and the GitHub tracker (their stand-in lives only within the demo), then stop: try the commands by hand (with --endpoint-url, an emulator you keep running)" };
        var shape = new Option<string>("--shape")
        {
            Description = "the deployment shape to seed (docs/deployment-shapes.md): the seed's weighted listener, ROLLING, ECS-native BLUE_GREEN/LINEAR/CANARY in bake time, or CODE_DEPLOY",
            DefaultValueFactory = _ => DemoShapes.Name(DemoShape.WeightedListener),
            HelpName = string.Join('|', DemoShapes.Names),
        };
        shape.AcceptOnlyFromAmong([.. DemoShapes.Names]);
        var demo = new Command("demo", "Start a local AWS emulator, seed claude-proxy-api, and run the whole playbook against it") { folder, rollout, seedOnly, shape };
        demo.SetAction((parse, ct) => RunAsync(context(parse), parse.GetValue(folder), parse.GetValue(rollout), parse.GetValue(seedOnly), DemoShapes.Parse(parse.GetValue(shape)!), ct));
        return demo;
    }

    private static async Task<int> RunAsync(CliContext context, string? folder, double rolloutSeconds, bool seedOnly, DemoShape shape, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var directory = Path.GetFullPath(folder ?? Path.Combine(Path.GetTempPath(), $"rewind-demo-{context.Time.GetUtcNow():yyyyMMdd-HHmmss}"));
        PrivateFiles.CreateFolder(directory);
        // --endpoint-url: an emulator the caller runs (and keeps); otherwise the demo starts and stops its own.
        var given = context.EndpointUrlFlag;
        await using var emulator = given is null ? await LocalEmulator.StartAsync(rolloutSeconds, Path.Combine(directory, "emulator.log"), cancellationToken) : null;
        var endpoint = emulator?.Endpoint ?? new Uri(given!);
        context.Log(emulator is null ? $"demo: AWS emulator at {endpoint}, files in {directory}" : $"demo: AWS emulator on {endpoint} (pid {emulator.Pid}), files in {directory}");

        AwsClients Aws(AwsSettings settings) => new(new AwsSession(
            settings.Region ?? settings.ConfiguredRegion ?? "us-east-1", RegionSource.Configuration,
            new StaticCredentialSource(DemoKeys, "demo keys"),
            new AwsEndpointResolver(settings.EndpointUrl, settings.ConfiguredEndpointUrl ?? endpoint.ToString(), _ => null)));

        using var seeding = Aws(new AwsSettings(Region: "us-east-1", EndpointUrl: endpoint.ToString()));
        var world = await DemoWorld.SeedAsync(seeding.Transport, DemoNames.Playbook, cancellationToken, shape);
        context.Log($"demo: seeded {world.Names.Service} on {Revision(world.DeployedTaskDefinitionArn)} (the bad build; shape {DemoShapes.Name(shape)}: {DemoShapes.Describe(shape)}), secret rotated, distribution {world.DistributionId}");

        // The load balancer's metrics before planning (verify checks at plan time that the metric exists): normal
        // before the bad release, a 5XX spike while it served, normal again over the last verification window.
        var now = context.Time.GetUtcNow();
        var badRecordedAt = now - BadReleaseAge;
        var loadBalancer = DemoMetrics.LoadBalancerDimension(world.LoadBalancerArn);
        var targetGroup = DemoMetrics.TargetGroupDimension(world.MainTargetGroupArn);
        await DemoMetrics.SeedAsync(seeding.Transport, loadBalancer, targetGroup,
            badRecordedAt.AddMinutes(1), now - VerifyWindow - TimeSpan.FromMinutes(1), now.AddMinutes(30), cancellationToken);
        context.Log($"demo: seeded the load balancer's metrics: 0.1 % 5XX before {Revision(world.DeployedTaskDefinitionArn)}, 15 % while it served, 0.1 % over the last {VerifyWindow.TotalMinutes:0} minutes");

        // The stand-in for the service, its GitHub and its webhooks: only for a run in this process (with --seed-only
        // nothing would answer them once the demo exits, so that configuration leaves them out and says so).
        var gitHubToken = "demo-" + Guid.NewGuid().ToString("N");
        await using var service = seedOnly ? null : DemoService.Start(DemoWorld.ApiKeyBeforeRotation, "v2", gitHubToken);
        // Secrets live only in this process's environment, where the steps read them, until the demo ends; never printed.
        using var secrets = new ProcessVariables(service is null ? [] :
            [(GitHubTokenVariable, gitHubToken), (SlackVariable, service.SlackWebhookUrl), (SupportVariable, service.SupportWebhookUrl)]);
        if (service is not null)
        {
            context.Log($"demo: stand-in service on {service.Url} (health, enqueue with the key the rollback returns to, GitHub issues, team and support webhooks)");
        }

        var configPath = Path.Combine(directory, "rewind.yaml");
        var ledgerPath = Path.Combine(directory, "ledger.db");
        var config = RewindConfig.Default with
        {
            Aws = new AwsSection(null, "us-east-1", endpoint.ToString()),
            Canary = Traffic(world),
            Secrets = ValueList.Of(new SecretEntry(world.SecretArn)),
            Cdn = new CdnSection(world.DistributionId, CdnSection.DefaultPaths),
            Smoke = service is null ? null : new SmokeSection(service.Url, null, world.SecretArn, 1, TimeSpan.FromSeconds(5)),
            Verify = new VerifySection(loadBalancer, targetGroup, VerifyWindow, 1.0, ValueList<string>.Empty) { Deadline = TimeSpan.FromSeconds(30) },
            Ledger = new LedgerSection(LedgerBackend.Sqlite, ledgerPath, null),
            Incident = IncidentSection.Default with
            {
                OnCall = OnCall,
                DraftsDir = Path.Combine(directory, "postmortems"),
                GitHub = service is null ? null : new GitHubTrackerSection(DemoGitHub.Repository, GitHubTokenVariable, ValueList.Of("postmortem"), null, service.GitHubApiUrl),
            },
            Notify = service is null ? NotifySection.Default : new NotifySection(
                new NotifyTarget(SlackVariable, null, "#releases", true), new NotifyTarget(null, SupportVariable, null, true), null),
        };
        await PrivateFiles.WriteAllTextAsync(configPath, RewindConfigWriter.Write(config), cancellationToken);
        await RecordHistoryAsync(ledgerPath, world, badRecordedAt, cancellationToken);
        context.Log($"demo: the ledger knows {Revision(world.TaskDefinitionArns[1])} as the last known-good release and {Revision(world.DeployedTaskDefinitionArn)} as deployed");
        if (seedOnly)
        {
            await context.Out.WriteLineAsync(configPath);
            context.Log("demo: --seed-only wrote canary, secrets, cdn, verify (seeded metrics), incident (ledger ticket and draft) and freeze; smoke, notify and the GitHub tracker need the demo's stand-in, which runs only within 'rewind demo'");
            context.Log($"demo: seeded; try: rewind plan --config {configPath}");
            return ExitCodes.Ok;
        }

        var json = context.Output == OutputFormat.Json;
        string[] run = ["run", "--live", "--yes", "--config", configPath, "--output", json ? "json" : "text"];
        context.Log($"demo: rewind {string.Join(' ', run)}");
        var code = await RewindApp.RunAsync(run, context.Out, context.Error, cancellationToken, Aws, time: context.Time, terminal: context.Terminal);

        // The proof: the report (md and html) and the checklist, read back from the ledger's journal. With --output
        // json stdout holds the run's one JSON document, so the paths go to stderr.
        var show = json ? context.Error : context.Out;
        var reportMd = Path.Combine(directory, "report.md");
        var reportHtml = Path.Combine(directory, "report.html");
        foreach (var (format, path) in new[] { ("md", reportMd), ("html", reportHtml) })
            await RewindApp.RunAsync(["report", "--config", configPath, "--format", format, "--out", path], TextWriter.Null, context.Error, cancellationToken, Aws, time: context.Time);
        // The run printed the checklist (on stderr) in text; with json it did not, so print it there.
        var checklist = await RewindApp.RunAsync(["checklist", "--config", configPath], json ? context.Error : TextWriter.Null, context.Error, cancellationToken, Aws, time: context.Time);
        var draft = await DraftPathAsync(ledgerPath, config.Service.Name, cancellationToken);

        await show.WriteLineAsync($"report:           {reportMd}");
        await show.WriteLineAsync($"report (html):    {reportHtml}");
        await show.WriteLineAsync($"postmortem draft: {draft ?? "none (the incident step left no draft)"}");
        await show.WriteLineAsync($"ledger:           {ledgerPath} (rewind history --config {configPath})");
        await show.WriteLineAsync($"configuration:    {configPath}");
        context.Log($"demo: finished in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s; run exit code {code}, checklist exit code {checklist}");
        if (code != ExitCodes.Ok)
            return code;
        if (checklist != ExitCodes.Ok || draft is null || !File.Exists(reportMd) || !File.Exists(reportHtml))
        {
            context.Log("rewind: the demo's run did not prove every checklist item: see the unticked items above and the report");
            return ExitCodes.VerificationFailed;
        }
        return ExitCodes.Ok;
    }

    /// <summary>The postmortem draft the incident step wrote, from its evidence in the latest run's journal.</summary>
    private static async Task<string?> DraftPathAsync(string ledgerPath, string service, CancellationToken cancellationToken)
    {
        await using var ledger = await SqliteLedger.OpenAsync(ledgerPath, cancellationToken);
        var latest = (await ledger.Runs.ListRunsAsync(service, 1, cancellationToken)).FirstOrDefault();
        if (latest is null || await RunRecord.ReadAsync(ledger, latest.Id, cancellationToken) is not { } record)
            return null;
        return record.EndOf("incident")?.Evidence is TicketOpened { Draft: { } draft } && File.Exists(draft) ? Path.GetFullPath(draft) : null;
    }

    /// <summary>What the deploy pipeline would have recorded: v2 verified good, v4 deployed (the bad one).</summary>
    private static async Task RecordHistoryAsync(string ledgerPath, SeededWorld world, DateTimeOffset badRecordedAt, CancellationToken cancellationToken)
    {
        await using var ledger = await SqliteLedger.OpenAsync(ledgerPath, cancellationToken);
        var now = badRecordedAt + BadReleaseAge;
        Release Snapshot(int index, string secretVersion, CanaryWeights weights, ReleaseStatus status, TimeSpan age) => new(
            LedgerIds.NewReleaseId(now - age), world.Names.Family, $"v{index + 1}", now - age,
            new Dictionary<string, string> { [world.Names.Service] = world.TaskDefinitionArns[index] },
            weights, new Dictionary<string, string> { [world.SecretArn] = secretVersion }, null, world.DistributionId, status);
        await ledger.Releases.RecordReleaseAsync(Snapshot(1, world.PreviousSecretVersionId, new CanaryWeights(100, 0), ReleaseStatus.KnownGood, TimeSpan.FromDays(2)), cancellationToken);
        await ledger.Releases.RecordReleaseAsync(Snapshot(3, world.CurrentSecretVersionId, DeployedWeights(world.Shape), ReleaseStatus.Deployed, BadReleaseAge), cancellationToken);
    }

    /// <summary>
    /// The canary section for the shape: the listener Rewind moves (weighted listener, ROLLING); the production rule
    /// ECS owns (BLUE_GREEN/LINEAR/CANARY: the canary step reads it back after ECS's rollback, never modifies it);
    /// none for CODE_DEPLOY, whose listener CodeDeploy reroutes with its own deployment.
    /// </summary>
    private static CanarySection? Traffic(SeededWorld world) => world.Shape switch
    {
        DemoShape.CodeDeploy => null,
        _ when world.Shape.Shifts() => new CanarySection(null, world.ProductionRuleArn, world.MainTargetGroupArn, world.CanaryTargetGroupArn),
        _ => new CanarySection(world.ListenerArn, null, world.MainTargetGroupArn, world.CanaryTargetGroupArn),
    };

    /// <summary>The main/canary split v4 was recorded with: the listener's 90/10, or all production traffic on the group ECS or CodeDeploy put v4 in.</summary>
    private static CanaryWeights DeployedWeights(DemoShape shape) =>
        shape is DemoShape.WeightedListener or DemoShape.Rolling ? new CanaryWeights(DemoWorld.MainWeight, DemoWorld.CanaryWeight) : new CanaryWeights(0, 100);

    private static string Revision(string arn) => Rewind.Aws.Ecs.TaskDefinitionRevision.Parse(arn).ToString();

    /// <summary>Variables set in this process for the demo's duration, removed on dispose.</summary>
    private sealed class ProcessVariables : IDisposable
    {
        private readonly IReadOnlyList<(string Name, string Value)> _variables;

        public ProcessVariables(IReadOnlyList<(string Name, string Value)> variables)
        {
            _variables = variables;
            foreach (var (name, value) in variables)
                Environment.SetEnvironmentVariable(name, value);
        }

        public void Dispose()
        {
            foreach (var (name, _) in _variables)
                Environment.SetEnvironmentVariable(name, null);
        }
    }
}
