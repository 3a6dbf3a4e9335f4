using Microsoft.Extensions.Time.Testing;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Canary;
using Rewind.Playbook.Ecs;
using Rewind.Playbook.Secrets;
using Rewind.Playbook.Tests.Fakes;
using Rewind.Playbook.Undo;
using Rewind.Tests.Support;
using Xunit;

namespace Rewind.Playbook.Tests.Undo;

/// <summary>
/// The three layers of a service in memory (listener 90/10, the API key rotated v-good → v-bad, the service on :4), the
/// real canary, secrets and ecs steps over them, and runs through <see cref="RunExecutor"/> into an in-memory ledger:
/// a rollback, then its undo inverted, checked and executed as <c>rewind undo</c> does.
/// </summary>
internal sealed class UndoWorld
{
    public const string Service = "claude-proxy-api";
    public const string Cluster = "prod";
    public const string ApiKey = "claude-proxy/api-key";
    public static readonly string Listener = FakeElb.ListenerArn("main");
    public static readonly string Main = FakeElb.TargetGroup("main");
    public static readonly string Canary = FakeElb.TargetGroup("canary");
    private static readonly Operator Alice = new("alice (pid 100)", "laptop-1");

    public UndoWorld() => Ledger = new InMemoryLedger(Clock);

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
    public InMemoryLedger Ledger { get; }
    public FakeEcs Ecs { get; } = new FakeEcs().WithService(Cluster, Service, 4);
    public FakeElb Elb { get; } = new FakeElb().WithListener(Listener, FakeElb.Forward(Main, Canary, 90, 10));
    public FakeSecretsManager Secrets { get; } = new FakeSecretsManager().WithSecret(ApiKey, previous: "v-good", current: "v-bad");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The steps a rollback to :2 plans with (canary to 0, AWSPREVIOUS, UpdateService), with the secret history.</summary>
    public IReadOnlyList<IStep> RollbackSteps() =>
    [
        new CanaryStep(Elb, new CanarySettings(Listener, null, Main, Canary), 0),
        new SecretsStep(Secrets, [ApiKey], new SecretRollbackHistory(Ledger)),
        new EcsStep(Ecs, new EcsSettings(Cluster, Service, Service, TimeSpan.FromMinutes(10)), PollSchedule.Immediate),
    ];

    /// <summary>The steps that execute any stored plan, as <c>rewind resume</c> and <c>rewind undo</c> build them.</summary>
    public IReadOnlyList<IStep> ExecutionSteps() =>
    [
        CanaryStep.ForExecution(Elb),
        SecretsStep.ForExecution(Secrets),
        EcsStep.ForExecution(Ecs, PollSchedule.Immediate),
        new UndoOverrideFreezeStep(),
    ];

    /// <summary>A live rollback to :2 of every layer; returns the run.</summary>
    public async Task<Run> RollBackAsync()
    {
        var steps = RollbackSteps();
        var target = new RollbackTarget("revision", $"{Service}:2", "pinned", null, FakeEcs.TaskDefinition(2));
        var plan = await new RollbackPlanner(steps, Clock).PlanAsync(Service, target, StepSelection.All, Ct);
        var outcome = await StartAsync(steps, plan);
        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        return (await Ledger.GetRunAsync(outcome.RunId, Ct))!;
    }

    /// <summary><paramref name="run"/> inverted from its stored plan and journal.</summary>
    public async Task<UndoDraft> InvertAsync(Run run) =>
        UndoInverter.Invert(run, EngineJson.DeserializePlan(run.PlanJson), await Ledger.ReadJournalAsync(run.Id, Ct));

    /// <summary>The undo of <paramref name="run"/>'s steps after the live check.</summary>
    public async Task<IReadOnlyList<StepPlan>> CheckedAsync(Run run) =>
        await new UndoLiveCheck(Ecs, Elb, Secrets).CheckAsync(await InvertAsync(run), EngineJson.DeserializePlan(run.PlanJson), Ct);

    /// <summary><c>rewind undo RUN --live</c>: inverted, checked, executed; returns the undo's run.</summary>
    public async Task<Run> UndoAsync(Run run)
    {
        var draft = await InvertAsync(run);
        var steps = await new UndoLiveCheck(Ecs, Elb, Secrets).CheckAsync(draft, EngineJson.DeserializePlan(run.PlanJson), Ct);
        var plan = new RollbackPlan(Service, draft.Target, Clock.GetUtcNow(), steps) { Undoes = run.Id };
        Clock.Advance(TimeSpan.FromMinutes(1));
        var outcome = await StartAsync(ExecutionSteps(), plan);
        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        return (await Ledger.GetRunAsync(outcome.RunId, Ct))!;
    }

    public Task<RunOutcome> StartAsync(IReadOnlyList<IStep> steps, RollbackPlan plan) =>
        new RunExecutor(Ledger, steps, new Silent(), Clock).StartAsync(plan, EngineJson.Serialize(plan), Alice, Ct);

    public async Task<Weights> WeightsAsync()
    {
        var weights = await new CanaryStep(Elb, new CanarySettings(Listener, null, Main, Canary), 0).ReadWeightsAsync(Ct);
        return new Weights(weights.Main, weights.Canary);
    }

    public string? Running => Ecs.Service(Cluster, Service).PrimaryDeployment?.TaskDefinition;

    private sealed class Silent : IRunObserver
    {
        public void StepStarted(StepPlan step)
        {
        }

        public void StepProgress(string step, string message)
        {
        }

        public void StepFinished(StepPlan step, StepResult result, TimeSpan duration)
        {
        }
    }
}
