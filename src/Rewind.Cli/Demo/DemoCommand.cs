using System.CommandLine;
using System.Diagnostics;
using Rewind.Aws;
using Rewind.Aws.Credentials;
using Rewind.Aws.Endpoints;
using Rewind.Core.Configuration;
using Rewind.Core.Ledger;
using Rewind.Ledger.Sqlite;

namespace Rewind.Cli.Demo;

/// <summary>
/// <c>rewind demo</c>: starts the local AWS emulator, seeds claude-proxy-api (four revisions, the newest bad and
/// deployed; canary 90/10; a rotated secret; a distribution; one known-good release), runs
/// <c>rewind run --live --yes</c> against it, and stops the emulator.
/// </summary>
public static class DemoCommand
{
    private static readonly AwsCredentials DemoKeys = new("AKIAIOSFODNN7EXAMPLE", "rewind-demo-secret");

    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var folder = new Option<string?>("--dir") { Description = "where the demo writes its rewind.yaml and ledger (default: a new temp folder)", HelpName = "PATH" };
        var rollout = new Option<double>("--rollout-seconds") { Description = "how long the emulated ECS rollout takes", DefaultValueFactory = _ => 3 };
        var seedOnly = new Option<bool>("--seed-only") { Description = "seed and write rewind.yaml, then stop: try the commands by hand (with --endpoint-url, an emulator you keep running)" };
        var demo = new Command("demo", "Start a local AWS emulator, seed claude-proxy-api, and run the whole playbook against it") { folder, rollout, seedOnly };
        demo.SetAction((parse, ct) => RunAsync(context(parse), parse.GetValue(folder), parse.GetValue(rollout), parse.GetValue(seedOnly), ct));
        return demo;
    }

    private static async Task<int> RunAsync(CliContext context, string? folder, double rolloutSeconds, bool seedOnly, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var directory = Directory.CreateDirectory(folder ?? Path.Combine(Path.GetTempPath(), $"rewind-demo-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}")).FullName;
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
        var world = await DemoWorld.SeedAsync(seeding.Transport, DemoNames.Playbook, cancellationToken);
        context.Log($"demo: seeded {world.Names.Service} on {Revision(world.DeployedTaskDefinitionArn)} (the bad build), canary 90/10, secret rotated, distribution {world.DistributionId}");

        var configPath = Path.Combine(directory, "rewind.yaml");
        var ledgerPath = Path.Combine(directory, "ledger.db");
        var config = RewindConfig.Default with
        {
            Aws = new AwsSection(null, "us-east-1", endpoint.ToString()),
            Canary = new CanarySection(world.ListenerArn, null, world.MainTargetGroupArn, world.CanaryTargetGroupArn),
            Secrets = ValueList.Of(new SecretEntry(world.SecretArn)),
            Cdn = new CdnSection(world.DistributionId, CdnSection.DefaultPaths),
            Ledger = new LedgerSection(LedgerBackend.Sqlite, ledgerPath, null),
            Incident = IncidentSection.Default with { DraftsDir = Path.Combine(directory, "postmortems") },
        };
        await File.WriteAllTextAsync(configPath, RewindConfigWriter.Write(config), cancellationToken);
        await RecordHistoryAsync(ledgerPath, world, cancellationToken);
        context.Log($"demo: the ledger knows {Revision(world.TaskDefinitionArns[1])} as the last known-good release and {Revision(world.DeployedTaskDefinitionArn)} as deployed");
        if (seedOnly)
        {
            await context.Out.WriteLineAsync(configPath);
            context.Log($"demo: seeded; try: rewind plan --config {configPath}");
            return ExitCodes.Ok;
        }

        string[] run = ["run", "--live", "--yes", "--config", configPath, "--output", context.Output == OutputFormat.Json ? "json" : "text"];
        context.Log($"demo: rewind {string.Join(' ', run)}");
        var code = await RewindApp.RunAsync(run, context.Out, context.Error, cancellationToken, Aws);

        context.Log($"demo: finished in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s with exit code {code}");
        context.Log($"demo: configuration {configPath}");
        context.Log($"demo: ledger        {ledgerPath} (rewind history --config {configPath})");
        return code;
    }

    /// <summary>What the deploy pipeline would have recorded: v2 verified good, v4 deployed (the bad one).</summary>
    private static async Task RecordHistoryAsync(string ledgerPath, SeededWorld world, CancellationToken cancellationToken)
    {
        await using var ledger = await SqliteLedger.OpenAsync(ledgerPath, cancellationToken);
        var now = DateTimeOffset.UtcNow;
        Release Snapshot(int index, string secretVersion, CanaryWeights weights, ReleaseStatus status, TimeSpan age) => new(
            LedgerIds.NewReleaseId(now - age), world.Names.Family, $"v{index + 1}", now - age,
            new Dictionary<string, string> { [world.Names.Service] = world.TaskDefinitionArns[index] },
            weights, new Dictionary<string, string> { [world.SecretArn] = secretVersion }, null, world.DistributionId, status);
        await ledger.Releases.RecordReleaseAsync(Snapshot(1, world.PreviousSecretVersionId, new CanaryWeights(100, 0), ReleaseStatus.KnownGood, TimeSpan.FromDays(2)), cancellationToken);
        await ledger.Releases.RecordReleaseAsync(Snapshot(3, world.CurrentSecretVersionId, new CanaryWeights(90, 10), ReleaseStatus.Deployed, TimeSpan.FromHours(1)), cancellationToken);
    }

    private static string Revision(string arn) => Rewind.Aws.Ecs.TaskDefinitionRevision.Parse(arn).ToString();
}
