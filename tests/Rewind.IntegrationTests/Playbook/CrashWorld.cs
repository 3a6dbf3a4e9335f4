using System.Text;
using System.Xml.Linq;
using Rewind.Aws;
using Rewind.Aws.SecretsManager;
using Rewind.Aws.Transport;
using Rewind.Cli;
using Rewind.Cli.Demo;
using Rewind.Core.Configuration;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.Tests.Support;
using Xunit;
using Ecs = Rewind.Aws.Ecs;

namespace Rewind.IntegrationTests.Playbook;

/// <summary>
/// The demo's world for one crash case: the seeded service (v4 deployed, v2 the recorded known-good release), canary
/// 90/10, the rotated secret, a distribution, the load balancer's metrics, and on loopback the service's stand-in
/// (smoke checks and the GitHub issues API, one ticket per incident) and three receivers that record each request's
/// Idempotency-Key: the team's Slack webhook, support's webhook and the incident webhook. <c>rewind run --live</c>
/// over it runs every step and every announcement; the webhook URLs are in this world's own variables.
/// </summary>
internal sealed class CrashWorld : IAsyncDisposable
{
    private readonly RolloutEmulatorFixture _emulator;
    private readonly string _variables;

    private CrashWorld(RolloutEmulatorFixture emulator, PlaybookHarness harness, DemoService service, LoopbackStub team, LoopbackStub support, LoopbackStub incident, string variables, string config)
    {
        _emulator = emulator;
        Harness = harness;
        Service = service;
        Team = team;
        Support = support;
        IncidentHook = incident;
        _variables = variables;
        Config = config;
    }

    public PlaybookHarness Harness { get; }
    public DemoService Service { get; }
    public LoopbackStub Team { get; }
    public LoopbackStub Support { get; }
    public LoopbackStub IncidentHook { get; }
    public string Config { get; }
    public SeededWorld World => Harness.World;

    /// <summary>Seeds the world under <paramref name="prefix"/> (unique per case) and zeroes the emulator's call counter.</summary>
    public static async Task<CrashWorld> CreateAsync(RolloutEmulatorFixture emulator, string prefix, CancellationToken ct)
    {
        var harness = await PlaybookHarness.SeedAsync(emulator, prefix, ct);
        var world = harness.World;
        var now = DateTimeOffset.UtcNow;
        var window = TimeSpan.FromMinutes(5);
        var loadBalancer = DemoMetrics.LoadBalancerDimension(world.LoadBalancerArn);
        var targetGroup = DemoMetrics.TargetGroupDimension(world.MainTargetGroupArn);
        await DemoMetrics.SeedAsync(harness.Transport, loadBalancer, targetGroup, now.AddHours(-1).AddMinutes(1), now - window - TimeSpan.FromMinutes(1), now.AddMinutes(30), ct);
        await RecordHistoryAsync(harness, now, ct);

        var gitHubToken = "crash-" + Guid.NewGuid().ToString("N");
        var service = DemoService.Start(DemoWorld.ApiKeyBeforeRotation, "v2", gitHubToken);
        var team = LoopbackStub.Start(new StubResponse(200, "ok"));
        var support = LoopbackStub.Start(new StubResponse(200, "{}"));
        var incident = LoopbackStub.Start(new StubResponse(200, "{}"));
        var variables = $"REWIND_CRASH_{prefix.ToUpperInvariant()}_{Guid.NewGuid():N}"[..40];
        Environment.SetEnvironmentVariable(variables + "_GITHUB", gitHubToken);
        Environment.SetEnvironmentVariable(variables + "_TEAM", team.Url + "services/team");
        Environment.SetEnvironmentVariable(variables + "_SUPPORT", support.Url + "hooks/support");
        Environment.SetEnvironmentVariable(variables + "_INCIDENT", incident.Url + "hooks/incident");

        var folder = Path.GetDirectoryName(harness.Ledger.Location)!;
        var config = RewindConfig.Default with
        {
            Service = new ServiceSection(world.Names.Family, world.Names.Cluster, world.Names.Service, world.Names.Family, TimeSpan.FromSeconds(60)),
            Aws = new AwsSection(null, "us-east-1", null),
            Canary = new CanarySection(world.ListenerArn, null, world.MainTargetGroupArn, world.CanaryTargetGroupArn),
            Secrets = ValueList.Of(new SecretEntry(world.SecretArn)),
            Cdn = new CdnSection(world.DistributionId, CdnSection.DefaultPaths),
            Smoke = new SmokeSection(service.Url, null, world.SecretArn, 1, TimeSpan.FromSeconds(5)),
            Verify = new VerifySection(loadBalancer, targetGroup, window, 1.0, ValueList<string>.Empty) { Deadline = TimeSpan.FromSeconds(30) },
            Ledger = new LedgerSection(LedgerBackend.Sqlite, harness.Ledger.Location, null),
            Incident = IncidentSection.Default with
            {
                OnCall = "dana-oncall",
                DraftsDir = Path.Combine(folder, "postmortems"),
                GitHub = new GitHubTrackerSection(DemoGitHub.Repository, variables + "_GITHUB", ValueList.Of("postmortem"), null, service.GitHubApiUrl),
                WebhookEnv = variables + "_INCIDENT",
            },
            Notify = new NotifySection(new NotifyTarget(variables + "_TEAM", null, "#releases", true), new NotifyTarget(null, variables + "_SUPPORT", null, true), null),
        };
        var path = Path.Combine(folder, "rewind.yaml");
        await File.WriteAllTextAsync(path, RewindConfigWriter.Write(config), ct);
        await harness.ResetCallsAsync(ct); // the metrics' PutMetricData are the seed's, not the run's
        return new CrashWorld(emulator, harness, service, team, support, incident, variables, path);
    }

    /// <summary>One in-process <c>rewind</c> invocation against the emulator, its ledger optionally wrapped.</summary>
    public async Task<CliOutcome> RewindAsync(string[] args, Func<ILedger, ILedger>? ledgerOpened, CancellationToken ct)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await RewindApp.RunAsync(args, stdout, stderr, ct, _ => new AwsClients(ClientFactory.Session(_emulator)), ledgerOpened);
        return new CliOutcome(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The world's one run (each world has a fresh ledger).</summary>
    public async Task<Run> RunAsync(CancellationToken ct) => Assert.Single(await Harness.Ledger.Runs.ListRunsAsync(null, 10, ct));

    /// <summary>What the world shows once a run is over: the effects to compare between a clean run and a crashed one.</summary>
    public async Task<CrashEffects> EffectsAsync(string runId, CancellationToken ct)
    {
        var calls = await Harness.CallsAsync(ct);
        var service = await Harness.ServiceAsync(ct);
        var action = Assert.Single((await Harness.ListenerAsync(ct)).DefaultActions);
        var secret = await new SecretsManagerClient(Harness.Transport).DescribeSecretAsync(World.SecretArn, ct);
        var record = await RunRecord.ReadAsync(Harness.Ledger, runId, ct);
        var checklist = record is null ? [] : Checklist.Evaluate(record);
        var incidents = await Harness.Ledger.Incidents.ListIncidentsAsync(ct);
        var invalidations = await Harness.Transport.SendAsync(AwsService.CloudFront,
            new AwsRequest("ListInvalidations", HttpMethod.Get, $"/2020-05-31/distribution/{Uri.EscapeDataString(World.DistributionId)}/invalidation") { IsReadOnly = true }, ct);
        var freezes = await Harness.Ledger.Freezes.GetActiveFreezesAsync(null, ct);
        IReadOnlyList<string> Keys(LoopbackStub stub) => [.. stub.Requests.Select(r => JournalPoint.Anonymous(r.Header("Idempotency-Key")))];
        return new CrashEffects(
            (await Harness.Ledger.Runs.GetRunAsync(runId, ct))!.Status,
            World.TaskDefinitionArns[1] == service.PrimaryDeployment?.TaskDefinition ? "v2, the known-good release" : service.PrimaryDeployment?.TaskDefinition, service.PrimaryDeployment?.RolloutState, service.Deployments.Count,
            string.Join(" / ", action.ForwardConfig!.TargetGroups.Select(g => $"{(g.TargetGroupArn == World.MainTargetGroupArn ? "main" : "canary")} {g.Weight}")),
            secret?.VersionWithStage(SecretVersionSelector.CurrentStage) == World.PreviousSecretVersionId,
            calls.Mutating,
            (int?)XDocument.Parse(Encoding.UTF8.GetString(invalidations.Body)).Descendants().FirstOrDefault(e => e.Name.LocalName == "Quantity") ?? -1,
            Service.Issues,
            incidents.Count,
            freezes.Count,
            Keys(Team), Keys(Support), Keys(IncidentHook),
            (await LedgerVerifier.VerifyAsync(Harness.Ledger, runId, ct)).IsIntact,
            checklist.Count(i => i.Ticked),
            string.Join("; ", checklist.Where(i => !i.Ticked).Select(i => $"{i.Key}: {i.Missing}")));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var suffix in new[] { "_GITHUB", "_TEAM", "_SUPPORT", "_INCIDENT" })
            Environment.SetEnvironmentVariable(_variables + suffix, null);
        await Team.DisposeAsync();
        await Support.DisposeAsync();
        await IncidentHook.DisposeAsync();
        await Service.DisposeAsync();
        await Harness.DisposeAsync();
    }

    /// <summary>What the deploy pipeline would have recorded (as the demo does): v2 verified good, v4 deployed.</summary>
    private static async Task RecordHistoryAsync(PlaybookHarness harness, DateTimeOffset now, CancellationToken ct)
    {
        var world = harness.World;
        Release Snapshot(int index, string secretVersion, CanaryWeights weights, ReleaseStatus status, TimeSpan age) => new(
            LedgerIds.NewReleaseId(now - age), world.Names.Family, $"v{index + 1}", now - age,
            new Dictionary<string, string> { [world.Names.Service] = world.TaskDefinitionArns[index] },
            weights, new Dictionary<string, string> { [world.SecretArn] = secretVersion }, null, world.DistributionId, status);
        await harness.Ledger.Releases.RecordReleaseAsync(Snapshot(1, world.PreviousSecretVersionId, new CanaryWeights(100, 0), ReleaseStatus.KnownGood, TimeSpan.FromDays(2)), ct);
        await harness.Ledger.Releases.RecordReleaseAsync(Snapshot(3, world.CurrentSecretVersionId, new CanaryWeights(90, 10), ReleaseStatus.Deployed, TimeSpan.FromHours(1)), ct);
    }
}

/// <summary>The end state and every counted effect of one world after its run (and resume).</summary>
internal sealed record CrashEffects(
    RunStatus Status,
    string? PrimaryRevision,
    Ecs.RolloutState? Rollout,
    int Deployments,
    string Weights,
    bool SecretOnGoodVersion,
    IReadOnlyDictionary<string, int> Mutating,
    int Invalidations,
    int Tickets,
    int Incidents,
    int ActiveFreezes,
    IReadOnlyList<string> TeamKeys,
    IReadOnlyList<string> SupportKeys,
    IReadOnlyList<string> IncidentKeys,
    bool ChainIntact,
    int Ticked,
    string Unticked)
{
    /// <summary>Everything wrong with these effects compared with a clean run's: empty when the crash left no trace.</summary>
    public IReadOnlyList<string> ProblemsAgainst(CrashEffects clean)
    {
        var problems = new List<string>();
        void Expect<T>(string what, T expected, T actual)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
                problems.Add($"{what}: {actual}, not {expected}");
        }
        Expect("run status", RunStatus.Succeeded, Status);
        Expect("primary deployment", "v2, the known-good release", PrimaryRevision);
        Expect("rollout", Ecs.RolloutState.Completed, Rollout ?? Ecs.RolloutState.Unknown);
        Expect("deployments", 1, Deployments);
        Expect("weights", "main 100 / canary 0", Weights);
        Expect("secret AWSCURRENT on the good version", true, SecretOnGoodVersion);
        // A request whose resend AWS answers without a second effect (CreateInvalidation with the same CallerReference)
        // is judged by its effect; every other mutating request must reach the emulator as often as in the clean run.
        Expect("mutating calls", Describe(clean.Mutating, IdempotentByToken), Describe(Mutating, IdempotentByToken));
        Expect("invalidations of the distribution", 1, Invalidations);
        Expect("GitHub issues", 1, Tickets);
        Expect("incidents in the ledger", 1, Incidents);
        Expect("active freezes", 1, ActiveFreezes);
        Expect("team deliveries (distinct Idempotency-Key)", Describe(clean.TeamKeys), Describe(TeamKeys));
        Expect("support deliveries (distinct Idempotency-Key)", Describe(clean.SupportKeys), Describe(SupportKeys));
        Expect("incident webhook deliveries (distinct Idempotency-Key)", Describe(clean.IncidentKeys), Describe(IncidentKeys));
        Expect("ledger verify intact", true, ChainIntact);
        if (Ticked != 5)
            problems.Add($"checklist {Ticked}/5 ({Unticked})");
        return problems;
    }

    /// <summary>Requests that carried a key already seen: resends a receiver honouring Idempotency-Key drops.</summary>
    public int Resends => TeamKeys.Count + SupportKeys.Count + IncidentKeys.Count
        - TeamKeys.Distinct().Count() - SupportKeys.Distinct().Count() - IncidentKeys.Distinct().Count();

    /// <summary>Mutating calls that carry their own idempotency token, so that a resend is answered, not repeated.</summary>
    public static IReadOnlySet<string> IdempotentByToken { get; } = new HashSet<string>(StringComparer.Ordinal) { "cloudfront:CreateInvalidation" };

    /// <summary>How many requests of idempotent-by-token calls were resends (answered with the first one's effect).</summary>
    public int TokenResends => Mutating.Where(c => IdempotentByToken.Contains(c.Key)).Sum(c => c.Value - 1);

    private static string Describe(IReadOnlyDictionary<string, int> counts, IReadOnlySet<string> leftOut) =>
        string.Join(", ", counts.Where(c => !leftOut.Contains(c.Key)).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));

    private static string Describe(IEnumerable<string> keys) => string.Join(", ", keys.Distinct().Order(StringComparer.Ordinal));
}
