using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Rewind.Aws.Ecs;
using Rewind.Aws.Elb;
using Rewind.Aws.Transport;
using Rewind.Cli.Demo;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Clients.Ecs;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Emulator;
using Rewind.Ledger.Sqlite;
using Rewind.Playbook.Canary;
using Rewind.Playbook.Ecs;
using Xunit;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>
/// One seeded demo world in the rollout emulator, the real clients and steps pointed at it, and a SQLite ledger in a
/// temporary folder: what <c>rewind run</c> would assemble, minus the command line.
/// </summary>
internal sealed class PlaybookHarness : IAsyncDisposable
{
    /// <summary>Polls fast enough that a one-second rollout is seen within a few hundred milliseconds.</summary>
    public static readonly PollSchedule FastPolls = new(TimeSpan.FromMilliseconds(50), 1.5, TimeSpan.FromMilliseconds(250));

    public static readonly Operator By = new("oncall@example.com", "test-host");

    private readonly HttpClient _http;
    private readonly string _folder;

    private PlaybookHarness(RolloutEmulatorFixture emulator, HttpClient http, AwsTransport transport, SeededWorld world, SqliteLedger ledger, string folder)
    {
        Emulator = emulator;
        _http = http;
        Transport = transport;
        World = world;
        Ledger = ledger;
        _folder = folder;
        Ecs = new EcsClient(transport);
        Elb = new ElbClient(transport);
        EcsSettings = new EcsSettings(world.Names.Cluster, world.Names.Service, world.Names.Family, TimeSpan.FromSeconds(60));
        CanarySettings = new CanarySettings(world.ListenerArn, null, world.MainTargetGroupArn, world.CanaryTargetGroupArn);
    }

    public RolloutEmulatorFixture Emulator { get; }
    public AwsTransport Transport { get; }
    public SeededWorld World { get; }
    public DemoNames Names => World.Names;
    public SqliteLedger Ledger { get; }
    public IEcsClient Ecs { get; }
    public IElbClient Elb { get; }
    public EcsSettings EcsSettings { get; }
    public CanarySettings CanarySettings { get; }
    public EcsSeeder EcsSeeder => new(Transport);

    /// <summary>Seeds a world under <paramref name="prefix"/> (unique per test), opens a fresh ledger and zeroes the call counter.</summary>
    public static async Task<PlaybookHarness> SeedAsync(RolloutEmulatorFixture emulator, string prefix, CancellationToken ct)
    {
        var http = MotoServer.CreateHttpClient();
        var transport = new AwsTransport(http, ClientFactory.Session(emulator), ClientFactory.SingleAttempt);
        var world = await DemoWorld.SeedAsync(transport, DemoNames.Unique(prefix), ct);
        var folder = Path.Combine(Path.GetTempPath(), $"rewind-playbook-{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var ledger = await SqliteLedger.OpenAsync(Path.Combine(folder, "ledger.db"), TimeProvider.System, ct);
        await EmulatorCalls.ResetAsync(emulator.Endpoint, ct);
        return new PlaybookHarness(emulator, http, transport, world, ledger, folder);
    }

    public EcsStep EcsStep(EcsSettings? settings = null) => new(Ecs, settings ?? EcsSettings, FastPolls);

    public CanaryStep CanaryStep(int percent, CanarySettings? settings = null) => new(Elb, settings ?? CanarySettings, percent);

    public RollbackTargetSelector Selector(EcsSettings? settings = null) => new(Ecs, Ledger.Releases, settings ?? EcsSettings);

    /// <summary>The target <c>rewind plan</c> would choose (<paramref name="pinned"/> is <c>--to</c>).</summary>
    public Task<RollbackTarget> SelectAsync(string? pinned, CancellationToken ct) => Selector().SelectAsync(Names.Service, pinned, ct);

    public Task<RollbackPlan> PlanAsync(RollbackTarget? target, IReadOnlyList<IStep> steps, CancellationToken ct) =>
        new RollbackPlanner(steps, TimeProvider.System).PlanAsync(Names.Service, target, StepSelection.All, ct);

    public RunExecutor Executor(IReadOnlyList<IStep> steps, IRunObserver? observer = null, ILedger? ledger = null) =>
        new(ledger ?? Ledger, steps, observer ?? new RecordingObserver(), TimeProvider.System);

    /// <summary>Plans <paramref name="steps"/> against <paramref name="target"/> (none for traffic alone) and runs the plan live.</summary>
    public async Task<(RollbackPlan Plan, RunOutcome Outcome)> RunAsync(
        RollbackTarget? target, IReadOnlyList<IStep> steps, CancellationToken ct, IRunObserver? observer = null)
    {
        var plan = await PlanAsync(target, steps, ct);
        var outcome = await Executor(steps, observer).StartAsync(plan, PlanJson(plan), By, ct);
        return (plan, outcome);
    }

    /// <summary>The newest run of the seeded service.</summary>
    public async Task<Run> LatestRunAsync(CancellationToken ct) =>
        (await Ledger.Runs.ListRunsAsync(Names.Service, 1, ct)).Single();

    public async Task<EcsService> ServiceAsync(CancellationToken ct) =>
        Assert.Single((await Ecs.DescribeServicesAsync(Names.Cluster, [Names.Service], ct)).Services);

    public async Task<Listener> ListenerAsync(CancellationToken ct) =>
        Assert.Single(await Elb.DescribeListenersAsync([World.ListenerArn], ct));

    public Task<EmulatorCallCounts> CallsAsync(CancellationToken ct) => EmulatorCalls.ReadAsync(Emulator.Endpoint, ct);

    public Task<EmulatorCallCounts> ResetCallsAsync(CancellationToken ct) => EmulatorCalls.ResetAsync(Emulator.Endpoint, ct);

    /// <summary>Registers the next revision of the family with an image that never starts (its tag says "broken").</summary>
    public Task<string> RegisterBrokenRevisionAsync(CancellationToken ct) =>
        EcsSeeder.RegisterTaskDefinitionAsync(Names.Family, $"{Names.ImageRepository(EmulatorFixture.Region)}:v5-broken", ct);

    /// <summary>A rewind.yaml for this world (service, canary, the ledger) with <paramref name="extraYaml"/> appended, next to its ledger.</summary>
    public string WriteConfig(string extraYaml = "")
    {
        var path = Path.Combine(_folder, $"rewind-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $"""
            service:
              name: {Names.Family}
              cluster: {Names.Cluster}
              ecs_service: {Names.Service}
              family: {Names.Family}
              deploy_timeout: 60s
            aws:
              region: us-east-1
            canary:
              listener_arn: {World.ListenerArn}
              main_target_group: {World.MainTargetGroupArn}
              canary_target_group: {World.CanaryTargetGroupArn}
            ledger:
              path: {Ledger.Location}
            {extraYaml}
            """);
        return path;
    }

    /// <summary>The plan as the ledger stores it: what the notify step's facts and a resume read back.</summary>
    public static string PlanJson(RollbackPlan plan) => EngineJson.Serialize(plan);

    public async ValueTask DisposeAsync()
    {
        await Ledger.DisposeAsync();
        _http.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}

/// <summary>Records what the executor reports; optionally reacts to progress (to simulate a crash mid-step).</summary>
internal sealed class RecordingObserver(Action<string, string>? onProgress = null) : IRunObserver
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public void StepStarted(StepPlan step) => Lines.Enqueue($"{step.Step} started");

    public void StepProgress(string step, string message)
    {
        Lines.Enqueue($"{step}: {message}");
        onProgress?.Invoke(step, message);
    }

    public void StepFinished(StepPlan step, StepResult result, TimeSpan duration) =>
        Lines.Enqueue($"{step.Step} {result.Status}: {result.Summary}");
}
