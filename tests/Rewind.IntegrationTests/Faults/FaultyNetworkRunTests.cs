using System.Text;
using System.Text.RegularExpressions;
using Rewind.Aws;
using Rewind.Aws.Transport;
using Rewind.Cli;
using Rewind.Core.Ledger;
using Rewind.IntegrationTests.Clients.Support;
using Rewind.IntegrationTests.Playbook;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.IntegrationTests.Faults;

/// <summary>
/// <c>rewind run --live</c> in-process, its every AWS call through the <see cref="FaultProxy"/>: lost answers,
/// throttling and 503s, and what reached the emulator. Attempts time out after 1.5 s so a held answer costs little.
/// </summary>
[Collection("rollout-emulator")]
public sealed partial class FaultyNetworkRunTests(RolloutEmulatorFixture emulator)
{
    /// <summary>The standard mode's defaults (3 attempts, the quota, the backoff) with short timeouts.</summary>
    private static readonly AwsTransportOptions ShortTimeouts = new()
    {
        AttemptTimeout = TimeSpan.FromMilliseconds(1500),
        OverallTimeout = TimeSpan.FromSeconds(15),
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Given_the_UpdateService_answer_held_past_the_attempt_timeout_when_run_live_then_exactly_one_forced_deployment_is_made()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "lostus", Ct);
        await using var proxy = FaultProxy.Start(emulator.Endpoint, FaultProxy.OnFirst("UpdateService", new Fault(FaultKind.ForwardAndHold)));

        var result = await RunAsync(proxy, ["run", "--live", "--yes", "--config", FullConfig(world)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var calls = await world.CallsAsync(Ct);
        Assert.True(calls.Count("ecs:UpdateService") == 1, calls.ToString());
        Assert.Equal(1, proxy.Forwarded("UpdateService"));
        var service = await world.ServiceAsync(Ct);
        Assert.Equal(world.World.LastGoodTaskDefinitionArn, Assert.Single(service.Deployments).TaskDefinition);
        var journal = await world.Ledger.Runs.ReadJournalAsync((await world.LatestRunAsync(Ct)).Id, Ct);
        var updates = journal.Where(e => e.Step == "ecs" && e.Detail.Contains("\"call\":\"UpdateService\"", StringComparison.Ordinal)).Select(e => e.Kind);
        // The lost answer is journaled as a failed call; the re-read found the deployment, so nothing was sent again.
        Assert.Equal([JournalKind.CallSent, JournalKind.CallFailed], updates);
    }

    [Fact]
    public async Task Given_UpdateService_held_when_it_never_reached_the_emulator_then_the_step_sends_it_once_more_journaled_as_attempt_2()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "lostus2", Ct);
        // A 500 without forwarding: to Rewind a lost answer; the re-read shows nothing landed.
        await using var proxy = FaultProxy.Start(emulator.Endpoint, FaultProxy.OnFirst("UpdateService", new Fault(FaultKind.Answer500)));

        var result = await RunAsync(proxy, ["run", "--live", "--yes", "--config", FullConfig(world)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(1, (await world.CallsAsync(Ct)).Count("ecs:UpdateService"));
        var journal = await world.Ledger.Runs.ReadJournalAsync((await world.LatestRunAsync(Ct)).Id, Ct);
        var sent = journal.Where(e => e.Step == "ecs" && e.Kind == JournalKind.CallSent).Select(e => e.Detail).ToList();
        Assert.Equal(2, sent.Count);
        Assert.Contains("\"attempt\":2", sent[1], StringComparison.Ordinal);
    }

    /// <summary>Must-show 2 (a): a lost answer for each mutating operation of the run, in turn.</summary>
    [Theory]
    [InlineData("lost1", "ModifyListener", FaultKind.ForwardAndHold)]
    [InlineData("lost2", "UpdateSecretVersionStage", FaultKind.ForwardAndHold)]
    [InlineData("lost3", "UpdateService", FaultKind.ForwardAndHold)]
    [InlineData("lost4", "UpdateService", FaultKind.ForwardAndReset)]
    [InlineData("lost5", "UpdateService", FaultKind.ForwardAndTruncate)]
    [InlineData("lost6", "CreateInvalidation", FaultKind.ForwardAndHold)]
    [InlineData("lost7", "PutParameter", FaultKind.ForwardAndHold)]
    public async Task Given_a_lost_answer_for_one_mutating_operation_when_run_live_then_the_run_succeeds_and_every_effect_happened_once(string prefix, string operation, FaultKind kind)
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, prefix, Ct);
        await using var proxy = FaultProxy.Start(emulator.Endpoint, FaultProxy.OnFirst(operation, new Fault(kind)));

        var result = await RunAsync(proxy, ["run", "--live", "--yes", "--config", FullConfig(world)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(proxy.Forwarded(operation) >= 1, $"{operation} never reached the emulator: the fault was not exercised");
        Assert.Equal(RunStatus.Succeeded, (await world.LatestRunAsync(Ct)).Status);
        await AssertEveryEffectOnceAsync(world);
    }

    /// <summary>Must-show 2 (b): 30 % throttling, 5 % 503 and 2 % lost answers on every operation at once, seeded.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Given_throttling_503s_and_lost_answers_on_every_operation_when_run_live_then_it_succeeds_with_every_effect_once(int seed)
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, $"storm{seed}", Ct);
        await using var proxy = FaultProxy.Start(emulator.Endpoint, FaultProxy.Random(seed, throttled: 0.30, unavailable: 0.05, lost: 0.02));

        var result = await RunAsync(proxy, ["run", "--live", "--yes", "--config", FullConfig(world)]);

        Assert.True(result.ExitCode == 0, $"seed {seed}: {result}\n--- seen\n{string.Join(", ", proxy.SeenCounts.Select(p => $"{p.Key}={p.Value}"))}");
        Assert.Equal(RunStatus.Succeeded, (await world.LatestRunAsync(Ct)).Status);
        await AssertEveryEffectOnceAsync(world);
    }

    /// <summary>Must-show 2 (c): throttled without end once the run has begun changing things (ELB excepted, see the rule).</summary>
    [Fact]
    public async Task Given_100_percent_throttling_after_the_first_change_when_run_live_then_it_fails_at_the_step_deadline_with_exit_5_and_resume_finishes_it()
    {
        await using var world = await PlaybookHarness.SeedAsync(emulator, "throttle", Ct);
        var config = FullConfig(world, deployTimeout: "4s", withSecretsAndCdn: false);
        await using var proxy = FaultProxy.Start(emulator.Endpoint);
        // Every service but ELB (so the canary step, which moved traffic, can read its weights back and finish).
        string[] elb = ["ModifyListener", "DescribeListeners", "DescribeRules"];
        proxy.Rule = (operation, _) => proxy.Forwarded("ModifyListener") > 0 && !elb.Contains(operation) ? new Fault(FaultKind.Throttle) : Fault.None;

        var failed = await RunAsync(proxy, ["run", "--live", "--yes", "--config", config]);

        Assert.True(failed.ExitCode == ExitCodes.Unavailable, failed.ToString());
        var run = await world.LatestRunAsync(Ct);
        Assert.Equal(RunStatus.Failed, run.Status);
        var line = Assert.Single(failed.Stderr.Split('\n'), l => l.StartsWith("rewind: step", StringComparison.Ordinal));
        Assert.Contains("step ecs failed: AWS is unavailable", line, StringComparison.Ordinal);
        Assert.Contains("ThrottlingException", line, StringComparison.Ordinal);
        Assert.EndsWith($"the run is resumable: rewind resume {run.Id}", line.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(0, (await world.CallsAsync(Ct)).Count("ecs:UpdateService"));

        proxy.Rule = (_, _) => Fault.None;
        var resumed = await RunAsync(proxy, ["resume", run.Id, "--config", config]);

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(RunStatus.Succeeded, (await world.LatestRunAsync(Ct)).Status);
        var calls = await world.CallsAsync(Ct);
        Assert.Equal(1, calls.Count("ecs:UpdateService"));
        Assert.Equal(1, calls.Count("elasticloadbalancing:ModifyListener"));
    }

    /// <summary>The run's effects, each once: one forced deployment, one invalidation, the weights, the secret's label.</summary>
    private async Task AssertEveryEffectOnceAsync(PlaybookHarness world)
    {
        var calls = await world.CallsAsync(Ct);
        Assert.True(calls.Count("ecs:UpdateService") == 1, calls.ToString());
        var service = await world.ServiceAsync(Ct);
        Assert.Equal(world.World.LastGoodTaskDefinitionArn, Assert.Single(service.Deployments).TaskDefinition);
        Assert.Equal(1, await InvalidationsAsync(world));
        var forward = Assert.Single((await world.ListenerAsync(Ct)).DefaultActions).ForwardConfig!;
        Assert.Equal([100, 0], forward.TargetGroups.Select(t => t.Weight));
        var journal = await world.Ledger.Runs.ReadJournalAsync((await world.LatestRunAsync(Ct)).Id, Ct);
        int Succeeded(string call) => journal.Count(e => e.Kind == JournalKind.CallSucceeded && e.Detail.Contains($"\"call\":\"{call}\"", StringComparison.Ordinal));
        foreach (var call in new[] { "ModifyListener", "UpdateSecretVersionStage", "CreateInvalidation", "PutParameter" })
            Assert.True(Succeeded(call) == 1, call);
        // An UpdateService whose lost answer the re-read found landed stays journaled as sent and failed.
        Assert.True(Succeeded("UpdateService") <= 1);
        Assert.True((await LedgerVerifier.VerifyAsync(world.Ledger, (await world.LatestRunAsync(Ct)).Id, Ct)).IsIntact);
    }

    /// <summary>How many invalidations the seeded distribution has, asked of the emulator directly.</summary>
    private static async Task<int> InvalidationsAsync(PlaybookHarness world)
    {
        var response = await world.Transport.SendAsync(AwsService.CloudFront, new AwsRequest(
            "ListInvalidations", HttpMethod.Get, $"/2020-05-31/distribution/{world.World.DistributionId}/invalidation")
        { IsReadOnly = true }, Ct);
        return InvalidationSummary().Matches(Encoding.UTF8.GetString(response.Body)).Count;
    }

    [GeneratedRegex("<InvalidationSummary>")]
    private static partial Regex InvalidationSummary();

    private async Task<CliOutcome> RunAsync(FaultProxy proxy, string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var session = ClientFactory.Session(proxy.Endpoint, emulator.AccessKeyId, emulator.SecretAccessKey);
        var code = await RewindApp.RunAsync(args, stdout, stderr, Ct, _ => new AwsClients(session, options: ShortTimeouts));
        return new CliOutcome(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Every step of a full run that talks to AWS: canary, secret, ECS, CDN, incident draft, freeze.</summary>
    private static string FullConfig(PlaybookHarness world, string deployTimeout = "60s", bool withSecretsAndCdn = true)
    {
        var folder = Path.GetDirectoryName(world.Ledger.Location)!;
        var path = Path.Combine(folder, $"rewind-{Guid.NewGuid():N}.yaml");
        var extra = withSecretsAndCdn
            ? $"""
              secrets:
                - id: {world.World.SecretArn}
              cdn:
                distribution_id: {world.World.DistributionId}
              """
            : "";
        File.WriteAllText(path, $"""
            service:
              name: {world.Names.Service}
              cluster: {world.Names.Cluster}
              ecs_service: {world.Names.Service}
              family: {world.Names.Family}
              deploy_timeout: {deployTimeout}
            aws:
              region: us-east-1
            canary:
              listener_arn: {world.World.ListenerArn}
              main_target_group: {world.World.MainTargetGroupArn}
              canary_target_group: {world.World.CanaryTargetGroupArn}
            ledger:
              path: {world.Ledger.Location}
            incident:
              drafts_dir: {Path.Combine(folder, "postmortems")}
            {extra}
            """);
        return path;
    }
}
