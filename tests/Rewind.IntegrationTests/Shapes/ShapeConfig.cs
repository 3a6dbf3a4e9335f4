using Rewind.Aws;
using Rewind.Cli;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Emulator;
using Rewind.IntegrationTests.Playbook;
using Rewind.Ledger.Sqlite;
using Xunit;

namespace Rewind.IntegrationTests.Shapes;

/// <summary>
/// A <see cref="ShapeWorld"/> with what <c>rewind</c> needs to act on it: a rewind.yaml (service, cluster, family; for
/// BLUE_GREEN/LINEAR/CANARY a canary section naming the production rule ECS owns, so the canary step meets it) and a
/// SQLite ledger in a temporary folder. <see cref="Steps"/> are the steps the world seeds layers for (<c>--only</c>);
/// the call counter is zeroed once seeding is done.
/// </summary>
internal sealed class ShapeConfig : IAsyncDisposable
{
    private readonly ShapeEmulatorFixture _emulator;
    private readonly string _folder;

    private ShapeConfig(ShapeEmulatorFixture emulator, ShapeWorld world, SqliteLedger ledger, string folder, string path)
    {
        _emulator = emulator;
        World = world;
        Ledger = ledger;
        _folder = folder;
        Path = path;
    }

    public ShapeWorld World { get; }
    public SqliteLedger Ledger { get; }

    /// <summary>The rewind.yaml.</summary>
    public string Path { get; }

    /// <summary>The steps this world has layers for: <c>ecs</c>, and <c>canary</c> where a production rule exists.</summary>
    public IReadOnlyList<string> Steps => World.ProductionRuleArn is null ? ["ecs"] : ["canary", "ecs"];

    /// <summary>
    /// Seeds the world, writes its rewind.yaml (<paramref name="serviceYaml"/> is appended under <c>service:</c>;
    /// <paramref name="ecsService"/> names another service of the cluster than the world's) and zeroes the calls.
    /// </summary>
    public static async Task<ShapeConfig> SeedAsync(
        ShapeEmulatorFixture emulator, ServiceShape shape, FourthDeployment fourth, CancellationToken ct, string serviceYaml = "", string? ecsService = null)
    {
        var world = await ShapeWorld.SeedAsync(emulator, shape, fourth, ct);
        var folder = Directory.CreateTempSubdirectory("rewind-shape-").FullName;
        var ledger = await SqliteLedger.OpenAsync(System.IO.Path.Combine(folder, "ledger.db"), TimeProvider.System, ct);
        var canary = world.ProductionRuleArn is { } rule
            ? $"""
              canary:
                rule_arn: {rule}
                main_target_group: {world.BlueTargetGroupArn}
                canary_target_group: {world.GreenTargetGroupArn}
              """
            : "";
        var path = System.IO.Path.Combine(folder, "rewind.yaml");
        await File.WriteAllTextAsync(path, $"""
            service:
              name: {world.Family}
              cluster: {world.Cluster}
              ecs_service: {ecsService ?? world.Service}
              family: {world.Family}
              deploy_timeout: 30s
            {serviceYaml}
            aws:
              region: us-east-1
            {canary}
            ledger:
              path: {ledger.Location}
            incident:
              drafts_dir: {System.IO.Path.Combine(folder, "postmortems")}
            """, ct);
        await EmulatorCalls.ResetAsync(emulator.Endpoint, ct);
        return new ShapeConfig(emulator, world, ledger, folder, path);
    }

    /// <summary><c>rewind run --live --yes --only …</c> over the world's steps.</summary>
    public Task<CliOutcome> RunLiveAsync(CancellationToken ct, string[]? extra = null, Func<ILedger, ILedger>? ledgerOpened = null) =>
        RewindAsync(["run", "--live", "--yes", "--config", Path, .. extra ?? [], "--only", .. Steps], ledgerOpened, ct);

    /// <summary>One in-process <c>rewind</c> invocation against the emulator, its ledger optionally wrapped.</summary>
    public async Task<CliOutcome> RewindAsync(string[] args, Func<ILedger, ILedger>? ledgerOpened, CancellationToken ct)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await RewindApp.RunAsync(args, stdout, stderr, ct, _ => new AwsClients(ClientFactory.Session(_emulator)), ledgerOpened);
        return new CliOutcome(code, stdout.ToString(), stderr.ToString());
    }

    public Task<EmulatorCallCounts> CallsAsync(CancellationToken ct) => EmulatorCalls.ReadAsync(_emulator.Endpoint, ct);

    /// <summary>
    /// Sets one of the emulator's seconds (<c>rolloutSeconds</c>, <c>stageSeconds</c>) to <paramref name="value"/> until
    /// disposed, then back to <paramref name="fixtureValue"/>: for a deployment that must still be in flight when rewind reads it.
    /// </summary>
    public static async Task<IAsyncDisposable> SecondsAsync(ShapeEmulatorFixture emulator, string setting, TimeSpan value, TimeSpan fixtureValue, CancellationToken ct)
    {
        string Json(TimeSpan seconds) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{{\"{setting}\": {seconds.TotalSeconds}}}");
        await ConfigureEmulatorAsync(emulator, Json(value), ct);
        return new Restore(() => ConfigureEmulatorAsync(emulator, Json(fixtureValue), CancellationToken.None));
    }

    /// <summary>
    /// Makes DescribeServiceRevisions answer the revisions of <paramref name="taskDefinitions"/> as failures (as real ECS
    /// answers revisions created before 2024-10-25) until disposed.
    /// </summary>
    public static async Task<IAsyncDisposable> TooOldAsync(ShapeEmulatorFixture emulator, IReadOnlyList<string> taskDefinitions, CancellationToken ct)
    {
        var arns = new System.Text.Json.Nodes.JsonArray([.. taskDefinitions.Select(t => System.Text.Json.Nodes.JsonValue.Create(t))]);
        await ConfigureEmulatorAsync(emulator, new System.Text.Json.Nodes.JsonObject { ["tooOldTaskDefinitions"] = arns }.ToJsonString(), ct);
        return new Restore(() => ConfigureEmulatorAsync(emulator, """{"tooOldTaskDefinitions": []}""", CancellationToken.None));
    }

    private sealed class Restore(Func<Task> restore) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await restore();
    }

    /// <summary>Sets the emulator's settings (<c>POST /rewind-api/config</c>), e.g. <c>{"failNextRollback": true}</c>.</summary>
    public static async Task ConfigureEmulatorAsync(ShapeEmulatorFixture emulator, string json, CancellationToken ct)
    {
        using var http = MotoServer.CreateHttpClient();
        using var body = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri(emulator.Endpoint, "rewind-api/config"), body, ct);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The world's one run (each world has a fresh ledger).</summary>
    public async Task<Run> RunAsync(CancellationToken ct) => Assert.Single(await Ledger.Runs.ListRunsAsync(null, 10, ct));

    /// <summary>The run's record: its plan, journal and the steps' ends.</summary>
    public async Task<RunRecord> RecordAsync(CancellationToken ct) => (await RunRecord.ReadAsync(Ledger, (await RunAsync(ct)).Id, ct))!;

    /// <summary>The ecs step's evidence as journaled at its end.</summary>
    public async Task<ServiceReverted> EcsEvidenceAsync(CancellationToken ct) =>
        Assert.IsType<ServiceReverted>((await RecordAsync(ct)).EndOf("ecs")?.Evidence);

    /// <summary>The checklist's "service reverted" item for the run.</summary>
    public async Task<ChecklistItem> ServiceRevertedAsync(CancellationToken ct) =>
        Checklist.Evaluate(await RecordAsync(ct)).Single(i => i.Key == "service-reverted");

    /// <summary>The service's task definition and PRIMARY deployment as DescribeServices shows them now.</summary>
    public async Task<Rewind.Aws.Ecs.EcsService> ServiceAsync(CancellationToken ct) =>
        Assert.Single((await World.Ecs.DescribeServicesAsync(World.Cluster, [World.Service], ct)).Services);

    public async ValueTask DisposeAsync()
    {
        await Ledger.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
