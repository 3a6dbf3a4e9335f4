using Rewind.Aws.Ecs;
using Rewind.Core;
using Rewind.Core.Ledger;
using Rewind.Playbook.Ecs;
using Rewind.Playbook.Tests.Fakes;
using Xunit;

namespace Rewind.Playbook.Tests.Ecs;

/// <summary>
/// What to roll back to, and why: --to, else the ledger's last known-good release, else ECS's deployment history,
/// else the next lower ACTIVE revision; never N-1 blindly.
/// </summary>
public sealed class RollbackTargetSelectorTests
{
    private const string Service = "claude-proxy-api";
    private static readonly DateTimeOffset Day = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private readonly FakeEcs _ecs = new();
    private readonly FakeReleaseStore _releases = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RollbackTargetSelector Selector() => new(_ecs, _releases, new EcsSettings("prod", "api", "claude-proxy-api", TimeSpan.FromSeconds(30)));

    private Task<Rewind.Core.Engine.RollbackTarget> SelectAsync(string? pinned = null) => Selector().SelectAsync(Service, pinned, Ct);

    private async Task<Release> ReleaseAsync(string id, string version, int revision, ReleaseStatus status, DateTimeOffset at, string ecsService = "api")
    {
        var release = new Release(id, Service, version, at, new Dictionary<string, string> { [ecsService] = FakeEcs.TaskDefinition(revision) }, null,
            new Dictionary<string, string>(), null, null, status);
        await _releases.RecordReleaseAsync(release, Ct);
        return release;
    }

    private static void AssertTarget(Rewind.Core.Engine.RollbackTarget target, string kind, string label, string reason, string? releaseId, string arn) =>
        Assert.Equal((kind, label, reason, releaseId, arn), (target.Kind, target.Label, target.Reason, target.ReleaseId, target.TaskDefinitionArn));

    private static async Task<RewindException> FailsAsync(Func<Task> select) => await Assert.ThrowsAsync<RewindException>(select);

    [Fact]
    public async Task Given_known_good_releases_when_selected_then_the_newest_for_this_ecs_service_is_the_target_with_its_snapshot()
    {
        _ecs.WithService("prod", "api", 5);
        await ReleaseAsync("rel-1", "1.4.0", 2, ReleaseStatus.KnownGood, Day);
        await _releases.RecordReleaseAsync(new Release("rel-2", Service, "1.4.2", Day.AddDays(1), new Dictionary<string, string> { ["api"] = FakeEcs.TaskDefinition(3) },
            new CanaryWeights(90, 10), new Dictionary<string, string> { ["db"] = "v-7" }, "abc123", "E123", ReleaseStatus.KnownGood), Ct);
        await ReleaseAsync("rel-3", "1.4.3", 4, ReleaseStatus.Deployed, Day.AddDays(2));
        await ReleaseAsync("rel-4", "1.4.4", 1, ReleaseStatus.KnownGood, Day.AddDays(3), ecsService: "worker");

        var target = await SelectAsync();

        AssertTarget(target, "release", "release 1.4.2 (rel-2)", "last known-good release in the ledger", "rel-2", FakeEcs.TaskDefinition(3));
        Assert.Equal(new Dictionary<string, string> { ["canary"] = "90/10", ["secret:db"] = "v-7", ["terraform"] = "abc123", ["distribution"] = "E123" }, target.Snapshot);
    }

    [Fact]
    public async Task Given_the_service_already_on_its_known_good_release_when_selected_then_it_stays_there_and_says_so()
    {
        _ecs.WithService("prod", "api", 3);
        await ReleaseAsync("rel-2", "1.4.2", 3, ReleaseStatus.KnownGood, Day);

        var target = await SelectAsync();

        Assert.Equal(("release 1.4.2 (rel-2)", "last known-good release in the ledger, which the service already runs"), (target.Label, target.Reason));
        Assert.Empty(target.Snapshot);
    }

    [Fact]
    public async Task Given_no_ledger_and_no_deployment_history_when_selected_then_the_next_lower_ACTIVE_revision_is_the_target()
    {
        _ecs.WithService("prod", "api", 5);

        var target = await SelectAsync();

        AssertTarget(target, "revision", "claude-proxy-api:4", "next lower ACTIVE revision below the running claude-proxy-api:5 (no known-good release in the ledger; ECS deployment history not supported by this endpoint)", null, FakeEcs.TaskDefinition(4));
    }

    [Fact]
    public async Task Given_revisions_above_the_running_one_when_the_lower_one_is_chosen_then_only_lower_revisions_count()
    {
        _ecs.WithService("prod", "api", 3);
        _ecs.ActiveRevisions = 6;

        Assert.Equal("claude-proxy-api:2", (await SelectAsync()).Label);
    }

    [Fact]
    public async Task Given_the_first_revision_running_and_no_ledger_when_selected_then_there_is_no_target_and_the_hint_says_how_to_pin()
    {
        _ecs.WithService("prod", "api", 1);

        var e = await FailsAsync(() => SelectAsync());

        Assert.Equal(
            ("no rollback target for api: no known-good release in the ledger and no ACTIVE revision of claude-proxy-api below 1", "pin one with --to REVISION or --to RELEASE, or record releases with 'rewind record'", FailureKind.BadInput),
            (e.Message, e.Hint, e.Kind));
    }

    [Fact]
    public async Task Given_successful_deployments_in_ECS_history_when_selected_then_the_newest_of_another_ACTIVE_revision_not_rolled_back_from_is_the_target()
    {
        _ecs.WithService("prod", "api", 5);
        _ecs.WithPastDeployment("prod", "api", 2, Day);
        var three = _ecs.WithPastDeployment("prod", "api", 3, Day.AddHours(1));
        _ecs.WithPastDeployment("prod", "api", 4, Day.AddHours(2));
        _ecs.WithPastDeployment("prod", "api", 6, Day.AddHours(3));
        _ecs.WithPastDeployment("prod", "api", 5, Day.AddHours(4));
        _ecs.WithPastDeployment("prod", "api", 1, Day.AddHours(5), ServiceDeploymentStatus.Stopped);
        await ReleaseAsync("rel-4", "1.4.4", 4, ReleaseStatus.RolledBack, Day);

        var target = await SelectAsync();

        AssertTarget(target, "revision", "claude-proxy-api:3", $"last successful ECS deployment of another revision (2026-12-01 11:00Z, {three})", null, FakeEcs.TaskDefinition(3));
    }

    [Fact]
    public async Task Given_a_history_without_a_successful_deployment_when_selected_then_the_fallback_says_so()
    {
        _ecs.WithService("prod", "api", 5);
        _ecs.WithPastDeployment("prod", "api", 3, Day, ServiceDeploymentStatus.Stopped);

        Assert.Equal("next lower ACTIVE revision below the running claude-proxy-api:5 (no known-good release in the ledger; no successful deployment in ECS's deployment history)", (await SelectAsync()).Reason);
    }

    [Fact]
    public async Task Given_a_history_whose_revisions_cannot_be_described_when_selected_then_the_fallback_says_why()
    {
        _ecs.WithService("prod", "api", 5);
        _ecs.WithPastDeployment("prod", "api", 3, Day);
        _ecs.ServiceRevisionsSupported = false;

        var target = await SelectAsync();

        Assert.Equal(("claude-proxy-api:4", "next lower ACTIVE revision below the running claude-proxy-api:5 (no known-good release in the ledger; ECS service revisions not supported by this endpoint)"), (target.Label, target.Reason));
    }

    [Fact]
    public async Task Given_a_history_of_only_the_running_revision_when_selected_then_the_fallback_says_no_other_revision()
    {
        _ecs.WithService("prod", "api", 5);
        _ecs.WithPastDeployment("prod", "api", 5, Day);

        Assert.Equal("next lower ACTIVE revision below the running claude-proxy-api:5 (no known-good release in the ledger; no other ACTIVE revision in ECS's deployment history)", (await SelectAsync()).Reason);
    }

    [Theory]
    [InlineData(DeploymentControllerType.External, "EXTERNAL")]
    [InlineData(DeploymentControllerType.CodeDeploy, "CODE_DEPLOY")]
    public async Task Given_a_service_ECS_does_not_deploy_when_selected_without_CodeDeploy_history_then_its_history_is_not_read(DeploymentControllerType controller, string wire)
    {
        _ecs.WithService("prod", "api", 5).Reshape("prod", "api", s => s with { DeploymentController = new DeploymentController(controller) });

        var target = await SelectAsync();

        Assert.Equal($"next lower ACTIVE revision below the running claude-proxy-api:5 (no known-good release in the ledger; ECS deployment history not read ({wire} controller))", target.Reason);
        Assert.Equal(0, _ecs.CallCount("ListServiceDeployments"));
    }

    [Fact]
    public async Task Given_a_service_without_a_task_definition_when_selected_then_it_is_bad_input()
    {
        _ecs.WithService("prod", "api", 5).Reshape("prod", "api", s => s with { TaskDefinition = null, Deployments = [] });

        var e = await FailsAsync(() => SelectAsync());
        var pinned = await FailsAsync(() => SelectAsync("3"));

        Assert.Equal(("ECS service api has no task definition", "check the service in the ECS console", FailureKind.BadInput), (e.Message, e.Hint, e.Kind));
        Assert.Equal(e.Message, pinned.Message);
    }

    [Fact]
    public async Task Given_a_pinned_release_id_or_version_when_selected_then_that_release_is_the_target()
    {
        _ecs.WithService("prod", "api", 5);
        await ReleaseAsync("rel-1", "1.4.0", 2, ReleaseStatus.RolledBack, Day);
        await ReleaseAsync("rel-2", "1.4.2", 3, ReleaseStatus.KnownGood, Day);

        var byId = await SelectAsync("rel-1");
        var byVersion = await SelectAsync("1.4.2");

        Assert.Equal(("release", "release 1.4.0 (rel-1)", "pinned", "rel-1", FakeEcs.TaskDefinition(2)), (byId.Kind, byId.Label, byId.Reason, byId.ReleaseId, byId.TaskDefinitionArn));
        Assert.Equal(("release 1.4.2 (rel-2)", "pinned"), (byVersion.Label, byVersion.Reason));
    }

    [Fact]
    public async Task Given_a_pinned_release_of_another_ecs_service_when_selected_then_it_is_bad_input()
    {
        _ecs.WithService("prod", "api", 5);
        await ReleaseAsync("rel-9", "2.0.0", 2, ReleaseStatus.KnownGood, Day, ecsService: "worker");

        var e = await FailsAsync(() => SelectAsync("rel-9"));

        Assert.Equal(("release rel-9 has no task definition for ECS service api", "pin another release or a revision with --to", FailureKind.BadInput), (e.Message, e.Hint, e.Kind));
    }

    [Theory]
    [InlineData("3")]
    [InlineData("claude-proxy-api:3")]
    [InlineData(FakeEcs.Account + ":task-definition/claude-proxy-api:3")]
    public async Task Given_a_pinned_revision_when_selected_then_that_ACTIVE_revision_is_the_target(string pinned)
    {
        _ecs.WithService("prod", "api", 5);

        var target = await SelectAsync(pinned);

        AssertTarget(target, "revision", "claude-proxy-api:3", "pinned", null, FakeEcs.TaskDefinition(3));
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("claude-proxy-api:x")]
    public async Task Given_a_pin_that_is_neither_a_release_nor_a_revision_when_selected_then_it_is_bad_input(string pinned)
    {
        _ecs.WithService("prod", "api", 5);

        var e = await FailsAsync(() => SelectAsync(pinned));

        Assert.Equal(
            ($"--to '{pinned}' is neither a release in the ledger nor a task definition revision", "give a release id or version (rewind history), a revision number, family:revision or an ARN", FailureKind.BadInput),
            (e.Message, e.Hint, e.Kind));
    }

    [Fact]
    public async Task Given_a_pinned_revision_that_does_not_exist_when_selected_then_it_is_bad_input_with_ECSs_message()
    {
        _ecs.WithService("prod", "api", 5);
        _ecs.Unregistered.Add(9);

        var e = await FailsAsync(() => SelectAsync("9"));

        Assert.Equal(
            ("task definition claude-proxy-api:9 does not exist (Unable to describe task definition.)", "list revisions with 'aws ecs list-task-definitions --family-prefix claude-proxy-api'", FailureKind.BadInput),
            (e.Message, e.Hint, e.Kind));
    }

    [Fact]
    public async Task Given_a_pinned_INACTIVE_revision_when_selected_then_it_is_refused()
    {
        _ecs.WithService("prod", "api", 5);

        var e = await FailsAsync(() => SelectAsync("7"));

        Assert.Equal(("task definition claude-proxy-api:7 is INACTIVE", "pick an ACTIVE revision: an INACTIVE one cannot start new tasks", FailureKind.BadInput), (e.Message, e.Hint, e.Kind));
    }
}
