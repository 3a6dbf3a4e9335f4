using Rewind.Playbook.Ecs;
using Rewind.Playbook.Tests.Fakes;
using Rewind.Playbook.Tests.Layers;
using Xunit;

namespace Rewind.Playbook.Tests.Ecs;

/// <summary>Target selection when ECS cannot describe a revision of the deployment history (created before 2024-10-25).</summary>
public sealed class TooOldRevisionTargetTests
{
    private const string Undescribed =
        "service revision 2 could not be described (MISSING: the service revision was created before 2024-10-25; revisions created before 2024-10-25 cannot be)";

    private readonly FakeEcs _ecs = new();

    private RollbackTargetSelector Selector() =>
        new(_ecs, new FakeReleaseStore(), new EcsSettings("prod", "api", "claude-proxy-api", TimeSpan.FromSeconds(30)));

    [Fact]
    public async Task Given_the_good_revisions_history_too_old_to_describe_when_a_target_is_selected_then_the_next_lower_ACTIVE_revision_is_taken_with_the_describe_failure_as_reason()
    {
        _ecs.WithSuccessfulDeployments("prod", "api", 2, 4);
        _ecs.TooOld.Add(FakeEcs.RevisionArn("api", 2));

        var target = await Selector().SelectAsync(LayerRun.Service, null, TestContext.Current.CancellationToken);

        Assert.Equal(("claude-proxy-api:3", FakeEcs.TaskDefinition(3)), (target.Label, target.TaskDefinitionArn));
        Assert.Equal(
            $"next lower ACTIVE revision below the running claude-proxy-api:4 (no known-good release in the ledger; no other ACTIVE revision in ECS's deployment history: {Undescribed})",
            target.Reason);
    }

    [Fact]
    public async Task Given_a_newer_revision_too_old_to_describe_and_an_older_one_that_can_be_when_selected_then_the_older_one_is_taken_saying_why_not_the_newer()
    {
        _ecs.WithSuccessfulDeployments("prod", "api", 1, 2, 4);
        _ecs.TooOld.Add(FakeEcs.RevisionArn("api", 2));

        var target = await Selector().SelectAsync(LayerRun.Service, null, TestContext.Current.CancellationToken);

        Assert.Equal("claude-proxy-api:1", target.Label);
        Assert.Equal(
            $"last successful ECS deployment of another revision (2026-12-04 10:05Z, {FakeEcs.Account}:service-deployment/prod/api/sd-1); a newer one's {Undescribed}",
            target.Reason);
    }

    [Fact]
    public async Task Given_every_revision_describable_when_selected_then_the_reason_names_no_failure()
    {
        _ecs.WithSuccessfulDeployments("prod", "api", 2, 4);

        var target = await Selector().SelectAsync(LayerRun.Service, null, TestContext.Current.CancellationToken);

        Assert.Equal("claude-proxy-api:2", target.Label);
        Assert.DoesNotContain("could not be described", target.Reason, StringComparison.Ordinal);
    }
}
