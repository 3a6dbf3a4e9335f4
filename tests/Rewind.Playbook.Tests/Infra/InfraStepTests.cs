using Rewind.Core.Engine;
using Rewind.Playbook.Infra;
using Rewind.Playbook.Tests.Edge;
using Xunit;

namespace Rewind.Playbook.Tests.Infra;

/// <summary>
/// The Terraform step without Terraform or git (the emulator suite runs both): the plan it stores and reads back (of
/// either schema version), the files a plan leaves, the one approval gate, and the configuration drift.
/// </summary>
public sealed class InfraStepTests
{
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, string> StoredBy418e7ad = new()
    {
        ["repository"] = "/repo",
        ["directory"] = "infra/terraform",
        ["ref"] = "HEAD~1",
        ["refReason"] = "the commit before HEAD; the target release recorded no Terraform commit",
        ["commit"] = Commit,
        ["planFile"] = "/state/terraform-plans/0123456789ab-1.tfplan",
        ["state"] = "local /repo/infra/terraform/terraform.tfstate",
        ["stateVersion"] = "lineage-1#4",
        ["hasChanges"] = "true",
        ["adds"] = "1",
        ["changes"] = "0",
        ["destroys"] = "2",
        ["resources"] = "create terraform_data.a\ndelete terraform_data.b\ndelete terraform_data.c",
        ["maxDestroys"] = "1",
    };

    private static InfraPlan Planned(bool hasChanges = true) => new(
        "/repo", "infra/terraform", "v1.4.2", "--ref", Commit, "/state/terraform-plans", hasChanges ? "/state/terraform-plans/a.tfplan" : "",
        hasChanges ? new string('a', 64) : "", "local /repo/infra/terraform/terraform.tfstate", "lineage-1#4", hasChanges, 1, 1, 2,
        [new ResourceChange("terraform_data.a", "create"), new ResourceChange("terraform_data.b", "replace")], MaxDestroys: 1);

    private static StepPlan StepPlanOf(InfraPlan plan) =>
        Assert.Single(EdgeRun.Stored(new RollbackPlan(EdgeRun.Service, null, DateTimeOffset.UnixEpoch, [
            StepPlan.Of("infra", StepStage.Infrastructure, "terraform", [], !plan.HasChanges, 30, 1800, plan, InfraJson.Default.InfraPlan)])).Steps);

    private static InfraStep Configured(string repository = "/repo", string directory = "infra/terraform") =>
        new(new InfraSettings(repository, directory, 1, "/state/terraform-plans"));

    [Fact]
    public void Given_a_typed_plan_when_stored_and_read_back_then_every_field_survives()
    {
        var planned = Planned();

        var read = InfraStep.Read(StepPlanOf(planned));

        Assert.Equal(planned with { Resources = read.Resources }, read);
        Assert.Equal(planned.Resources, read.Resources);
        Assert.Equal("1 to add, 1 to change, 2 to destroy", read.Summary().ToString());
    }

    [Fact]
    public void Given_a_plan_stored_by_418e7ad_when_read_then_its_text_values_become_the_typed_plan_with_no_recorded_hash()
    {
        var read = InfraStep.Read(Assert.Single(EdgeRun.Version1("infra", "Infrastructure", StoredBy418e7ad).Steps));

        Assert.Equal(("/repo", "infra/terraform", "HEAD~1", Commit), (read.Repository, read.Directory, read.Ref, read.Commit));
        Assert.Equal(("/state/terraform-plans", "/state/terraform-plans/0123456789ab-1.tfplan", ""), (read.PlanFolder, read.PlanFile, read.PlanSha256));
        Assert.Equal((true, 1, 0, 2, 1, false), (read.HasChanges, read.Adds, read.Changes, read.Destroys, read.MaxDestroys, read.AllowDestroy));
        Assert.Equal(["create terraform_data.a", "delete terraform_data.b", "delete terraform_data.c"], read.Resources.Select(r => r.ToString()));
        Assert.Equal("lineage-1#4", read.StateVersion);
    }

    [Fact]
    public void Given_a_plan_stored_by_main_before_typed_plans_when_read_then_its_saved_plan_hash_is_kept()
    {
        var parameters = new Dictionary<string, string>(StoredBy418e7ad) { [InfraStep.PlanHash] = new string('b', 64) };

        var read = InfraStep.Read(Assert.Single(EdgeRun.Version1("infra", "Infrastructure", parameters).Steps));

        Assert.Equal(new string('b', 64), read.PlanSha256);
    }

    [Fact]
    public void Given_plans_with_and_without_changes_when_asked_which_files_they_left_then_only_the_saved_plan_of_changes_is_named()
    {
        var other = StepPlan.Of("cdn", StepStage.Edge, "x", [], false, 1, 1, new Playbook.Cdn.CdnPlan("E1", ["/*"]), Playbook.Cdn.CdnJson.Default.CdnPlan);

        Assert.Equal(["/state/terraform-plans/a.tfplan"], InfraStep.FilesLeftBy(StepPlanOf(Planned())));
        Assert.Empty(InfraStep.FilesLeftBy(StepPlanOf(Planned(hasChanges: false))));
        Assert.Empty(InfraStep.FilesLeftBy(other));
        Assert.Equal(["/state/terraform-plans/0123456789ab-1.tfplan"], InfraStep.FilesLeftBy(Assert.Single(EdgeRun.Version1("infra", "Infrastructure", StoredBy418e7ad).Steps)));
    }

    [Theory]
    [InlineData(1, false, true, InfraVerdict.Approved)]
    [InlineData(1, false, false, InfraVerdict.AwaitingConfirmation)]
    [InlineData(2, false, true, InfraVerdict.OverDestroyLimit)]
    [InlineData(2, false, false, InfraVerdict.OverDestroyLimit)]
    [InlineData(2, true, true, InfraVerdict.Approved)]
    [InlineData(2, true, false, InfraVerdict.AwaitingConfirmation)]
    [InlineData(0, false, true, InfraVerdict.Approved)]
    public void Given_destroys_the_limit_and_a_confirmation_when_the_gate_decides_then_the_limit_comes_first_then_the_confirmation(
        int destroys, bool allowDestroy, bool confirmed, InfraVerdict verdict)
    {
        var gate = new InfraApproval(MaxDestroys: 1, allowDestroy, confirmed);

        Assert.Equal(verdict, gate.Decide(destroys));
        Assert.Equal(verdict == InfraVerdict.OverDestroyLimit, gate.ExceedsDestroyLimit(destroys));
    }

    [Fact]
    public void Given_a_plan_over_the_limit_when_refused_then_the_problem_names_the_destroys_and_the_limit()
    {
        var gate = Planned().Approval(confirmed: true);

        Assert.Equal(InfraVerdict.OverDestroyLimit, gate.Decide(2));
        Assert.Equal("the plan destroys 2 resource(s), more than infra.max_destroys 1", gate.DestroyLimitProblem(2));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", false)]
    [InlineData("1", false)]
    [InlineData(null, false)]
    public void Given_the_CONFIRM_variable_when_read_then_only_the_exact_value_true_confirms(string? value, bool confirmed) =>
        Assert.Equal(confirmed, InfraApproval.ConfirmedIn(name => name == "CONFIRM" ? value : null));

    [Fact]
    public void Given_another_repository_or_directory_in_the_configuration_when_compared_with_the_plan_then_each_difference_is_one_line()
    {
        var plan = StepPlanOf(Planned());

        Assert.Empty(Configured().DriftFrom(plan));
        Assert.Equal(["infra.repository is now /other; the plan names /repo"], Configured(repository: "/other").DriftFrom(plan));
        Assert.Equal(["infra.directory is now tf; the plan names infra/terraform"], Configured(directory: "tf").DriftFrom(plan));
        Assert.Empty(InfraStep.ForResume().DriftFrom(plan));
    }

    [Fact]
    public async Task Given_a_step_built_for_resume_when_asked_to_plan_then_it_refuses_having_no_settings()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => InfraStep.ForResume().PlanAsync(new PlanningContext(EdgeRun.Service, null), Ct));

        Assert.Contains("no settings to plan from", error.Message, StringComparison.Ordinal);
    }
}
