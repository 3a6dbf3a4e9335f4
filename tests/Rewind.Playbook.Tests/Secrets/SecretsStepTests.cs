using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Secrets;
using Rewind.Playbook.Tests.Fakes;
using Rewind.Playbook.Tests.Layers;
using Xunit;

namespace Rewind.Playbook.Tests.Secrets;

/// <summary>The secrets step below the emulator: plan, execute, resume, a stage that does not move, and the plan over the ids.</summary>
public sealed class SecretsStepTests
{
    private const string ApiKey = "claude-proxy/api-key";
    private const string Other = "claude-proxy/other";

    private readonly LayerRun _run = new();
    private readonly FakeSecretsManager _secrets = new FakeSecretsManager()
        .WithSecret(ApiKey, previous: "v-good", current: "v-bad")
        .WithSecret(Other, previous: "o-old", current: "o-new");

    private SecretsStep Step(params string[] ids) => new(_secrets, ids.Length == 0 ? [ApiKey] : ids);

    [Fact]
    public async Task Given_a_rotated_secret_when_planned_then_the_plan_moves_AWSCURRENT_to_AWSPREVIOUS()
    {
        var plan = Assert.Single((await _run.PlanAsync(Step())).Steps);

        Assert.False(plan.NothingToDo);
        Assert.Equal([new SecretMove(ApiKey, "v-good")], SecretsStep.Read(plan).Secrets);
        Assert.Equal([$"secret {ApiKey}: AWSCURRENT v-bad → v-good (AWSPREVIOUS)"], plan.Changes);
    }

    [Fact]
    public async Task Given_a_target_release_that_recorded_the_current_version_when_planned_then_there_is_nothing_to_do_and_nothing_is_moved()
    {
        var target = LayerRun.Target("arn:aws:ecs:eu-west-1:123456789012:task-definition/claude-proxy-api:2") with
        {
            Snapshot = new Dictionary<string, string> { ["secret:" + ApiKey] = "v-bad" },
        };
        var plan = await _run.PlanAsync(Step(), target);

        Assert.True(Assert.Single(plan.Steps).NothingToDo);
        Assert.Equal(RunStatus.Succeeded, (await _run.StartAsync(Step(), plan)).Status);
        Assert.Equal(0, _secrets.MoveCount);
    }

    [Fact]
    public async Task Given_a_plan_when_executed_then_AWSCURRENT_is_moved_once_and_the_evidence_is_the_read_back_version()
    {
        var outcome = await _run.StartAsync(Step(), await _run.PlanAsync(Step()));

        var (_, result) = Assert.Single(outcome.Steps);
        Assert.Equal(StepStatus.Succeeded, result.Status);
        Assert.Equal([new SecretStage(ApiKey, "v-good", "v-good")], Assert.IsType<SecretsRestored>(result.Evidence).Secrets);
        Assert.Equal(
            [$"DescribeSecret {ApiKey}", $"DescribeSecret {ApiKey}", $"UpdateSecretVersionStage {ApiKey} AWSCURRENT v-bad → v-good", $"DescribeSecret {ApiKey}"],
            _secrets.Calls);
        Assert.Equal(["secrets Planned", "secrets Started", "secrets CallSent UpdateSecretVersionStage", "secrets CallSucceeded UpdateSecretVersionStage", "secrets Completed"], await _run.JournalAsync());
    }

    [Theory]
    [InlineData("DescribeSecret", 1)]
    [InlineData("UpdateSecretVersionStage", 1)]
    [InlineData("DescribeSecret", 2)]
    public async Task Given_a_run_killed_at_a_journaled_point_when_resumed_from_its_stored_plan_alone_then_the_stage_is_moved_once(string call, int occurrence)
    {
        var plan = await _run.PlanAsync(Step());
        var seen = 0;
        _secrets.After = c =>
        {
            if (c == call && ++seen == occurrence)
                _run.Kill();
        };

        await _run.StartAndDieAsync(Step(), plan);
        _secrets.After = null;
        var outcome = await _run.ResumeAsync(SecretsStep.ForExecution(_secrets));

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(1, _secrets.MoveCount);
        Assert.Equal("v-good", _secrets.Current(ApiKey));
    }

    [Fact]
    public async Task Given_a_stage_that_does_not_move_when_executed_then_the_step_fails_naming_the_version_read_back()
    {
        _secrets.IgnoreMoves = true;

        var (_, result) = Assert.Single((await _run.StartAsync(Step(), await _run.PlanAsync(Step()))).Steps);

        Assert.Equal(StepStatus.Failed, result.Status);
        Assert.Equal($"secret {ApiKey}: AWSCURRENT read back on v-bad, not v-good", result.Summary);
        Assert.Equal([new SecretStage(ApiKey, "v-good", "v-bad")], Assert.IsType<SecretsRestored>(result.Evidence).Secrets);
    }

    [Fact]
    public async Task Given_a_step_built_with_another_secret_id_when_executed_then_it_moves_the_plans_secret_only_and_reports_the_drift()
    {
        var plan = await _run.PlanAsync(Step());
        var other = Step(Other);

        var outcome = await _run.StartAsync(other, plan);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal("v-good", _secrets.Current(ApiKey));
        Assert.Equal("o-new", _secrets.Current(Other));
        Assert.DoesNotContain(_secrets.Calls, c => c.Contains(Other, StringComparison.Ordinal));
        Assert.Equal([$"secrets[].id is now {Other}; the plan names {ApiKey}"], other.DriftFrom(Assert.Single(plan.Steps)));
        Assert.Empty(SecretsStep.ForExecution(_secrets).DriftFrom(Assert.Single(plan.Steps)));
    }

    [Fact]
    public async Task Given_a_plan_stored_by_version_1_with_two_secrets_when_executed_then_both_move_to_the_targets_its_parameters_name()
    {
        var plan = EngineJson.DeserializePlan($$$"""
            {"service":"claude-proxy-api","target":null,"createdAt":"2026-12-03T09:00:00+00:00","steps":[{"step":"secrets","stage":"Secrets",
             "summary":"move AWSCURRENT back on 2 secret(s)","changes":[],"nothingToDo":false,"expectedSeconds":1,"deadlineSeconds":60,
             "parameters":{"secret.0":"{{{ApiKey}}}","target.0":"v-good","secret.1":"{{{Other}}}","target.1":"o-old"}}],"expectedSeconds":1}
            """);
        Assert.Equal([new SecretMove(ApiKey, "v-good"), new SecretMove(Other, "o-old")], SecretsStep.Read(plan.Steps[0]).Secrets);

        var outcome = await _run.StartAsync(SecretsStep.ForExecution(_secrets), plan);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(("v-good", "o-old"), (_secrets.Current(ApiKey), _secrets.Current(Other)));
        Assert.Equal(2, _secrets.MoveCount);
    }
}
