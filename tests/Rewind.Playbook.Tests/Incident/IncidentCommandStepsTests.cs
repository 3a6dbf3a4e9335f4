using System.Text.Json.Nodes;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Incident;
using Rewind.Playbook.Tests.Fakes;
using Xunit;

namespace Rewind.Playbook.Tests.Incident;

/// <summary>
/// <c>rewind incident assign|close</c> as runs: planned from the incident as stored, executed through the executor from
/// the stored plan alone, and resumed after a kill at every journaled call without writing twice.
/// </summary>
public sealed class IncidentCommandStepsTests
{
    private const string Service = "claude-proxy-api";
    private const string Id = "INC-0001";

    private readonly FakeIncidentStore _incidents = new();
    private readonly CommandRun _run = new(Service);

    public IncidentCommandStepsTests() =>
        _incidents.Add(new Core.Ledger.Incident(
            Id, "5xx after v4", "SEV2", "carol", new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero),
            null, IncidentStatus.Open, Service));

    [Fact]
    public async Task Given_an_incident_owned_by_carol_when_assigning_to_dave_is_planned_then_the_plan_names_both_and_nothing_is_written()
    {
        var plan = await _run.PlanAsync(new AssignIncidentStep(_incidents, Id, "dave"));

        var step = Assert.Single(plan.Steps);
        Assert.Equal(("incident-assign", StepStage.Process, false), (step.Step, step.Stage, step.NothingToDo));
        Assert.Equal("give the postmortem of INC-0001 to dave", step.Summary);
        Assert.Equal(["ledger: INC-0001 owner carol → dave"], step.Changes);
        Assert.Equal(new AssignIncidentPlan(Id, "dave", "carol"), step.Read(IncidentCommandsJson.Default.AssignIncidentPlan));
        Assert.Empty(_incidents.Writes);
    }

    [Fact]
    public async Task Given_a_planned_assignment_when_executed_then_one_write_is_journaled_before_and_after_and_the_evidence_is_typed()
    {
        var plan = await _run.PlanAsync(new AssignIncidentStep(_incidents, Id, "dave"));

        var outcome = await _run.ExecuteAsync(new AssignIncidentStep(_incidents), plan);

        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(["UpdateIncident INC-0001"], _incidents.Writes);
        Assert.Equal("dave", _incidents[Id].Owner);
        var evidence = Assert.IsType<IncidentAssigned>(outcome.Steps[0].Result.Evidence);
        Assert.Equal(new IncidentAssigned(Id, "carol", "dave", AlreadyAssigned: false), evidence);
        var journal = await _run.JournalAsync();
        Assert.Equal(
            [JournalKind.Planned, JournalKind.Started, JournalKind.CallSent, JournalKind.CallSucceeded, JournalKind.Completed],
            journal.Select(e => e.Kind));
        var sent = JsonNode.Parse(journal[2].Detail)!;
        Assert.Equal(("AssignIncident", Id, "dave", "carol"), (sent["call"]!.GetValue<string>(), sent["incident"]!.GetValue<string>(), sent["owner"]!.GetValue<string>(), sent["previousOwner"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Given_the_incident_already_has_the_owner_when_planned_and_executed_then_nothing_to_do_and_nothing_is_written()
    {
        var plan = await _run.PlanAsync(new AssignIncidentStep(_incidents, Id, "carol"));

        var outcome = await _run.ExecuteAsync(new AssignIncidentStep(_incidents), plan);

        Assert.True(plan.Steps[0].NothingToDo);
        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Empty(_incidents.Writes);
        Assert.Equal(new IncidentAssigned(Id, "carol", "carol", AlreadyAssigned: true), outcome.Steps[0].Result.Evidence);
        Assert.DoesNotContain(await _run.JournalAsync(), e => e.Kind == JournalKind.CallSent);
    }

    [Fact]
    public async Task Given_an_assignment_killed_after_its_write_landed_but_before_it_was_journaled_when_resumed_then_it_is_not_written_again()
    {
        var plan = await _run.PlanAsync(new AssignIncidentStep(_incidents, Id, "dave"));
        _incidents.AfterWrite = _run.Killing;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _run.ExecuteAsync(new AssignIncidentStep(_incidents), plan));
        Assert.DoesNotContain(await _run.JournalAsync(), e => e.Kind == JournalKind.CallSucceeded);

        var resumed = await _run.ResumeAsync(new AssignIncidentStep(_incidents));

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal(["UpdateIncident INC-0001"], _incidents.Writes);
        Assert.Equal(new IncidentAssigned(Id, "carol", "dave", AlreadyAssigned: true), resumed.Steps[0].Result.Evidence);
        Assert.Single(await _run.JournalAsync(), e => e.Kind == JournalKind.CallSent);
    }

    [Fact]
    public async Task Given_an_assignment_killed_after_its_call_was_journaled_but_before_it_was_written_when_resumed_then_it_is_written_once()
    {
        var plan = await _run.PlanAsync(new AssignIncidentStep(_incidents, Id, "dave"));
        _incidents.BeforeWrite = _run.Killing;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _run.ExecuteAsync(new AssignIncidentStep(_incidents), plan));
        Assert.Empty(_incidents.Writes);

        var resumed = await _run.ResumeAsync(new AssignIncidentStep(_incidents));

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal(["UpdateIncident INC-0001"], _incidents.Writes);
        Assert.Equal(new IncidentAssigned(Id, "carol", "dave", AlreadyAssigned: false), resumed.Steps[0].Result.Evidence);
    }

    [Fact]
    public async Task Given_an_assignment_that_succeeded_when_resumed_then_the_step_is_skipped_and_nothing_is_read_or_written()
    {
        var plan = await _run.PlanAsync(new AssignIncidentStep(_incidents, Id, "dave"));
        await _run.ExecuteAsync(new AssignIncidentStep(_incidents), plan);

        var resumed = await _run.ResumeAsync(new AssignIncidentStep(_incidents));

        Assert.Equal(StepStatus.Skipped, resumed.Steps[0].Result.Status);
        Assert.Equal(["UpdateIncident INC-0001"], _incidents.Writes);
    }

    [Fact]
    public async Task Given_the_ledger_refuses_the_write_when_executed_then_the_failure_is_journaled_and_the_step_fails()
    {
        var plan = await _run.PlanAsync(new AssignIncidentStep(_incidents, Id, "dave"));
        _incidents.BeforeWrite = () => throw new LedgerException(LedgerFailureReason.Conflict, "incident INC-0001 kept changing");

        var outcome = await _run.ExecuteAsync(new AssignIncidentStep(_incidents), plan);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal("incident INC-0001 kept changing", outcome.Steps[0].Result.Summary);
        Assert.Equal(new StepFailed(nameof(LedgerException), null, Core.FailureKind.Failed), outcome.Steps[0].Result.Evidence);
        Assert.Equal("carol", _incidents[Id].Owner);
        var failure = (await _run.JournalAsync()).First(e => e.Kind == JournalKind.CallFailed);
        Assert.Equal("AssignIncident", JsonNode.Parse(failure.Detail)!["call"]!.GetValue<string>());
    }

    [Fact]
    public async Task Given_the_incident_is_gone_when_executed_then_the_step_fails_saying_so_and_nothing_is_sent()
    {
        var plan = await _run.PlanAsync(new AssignIncidentStep(_incidents, Id, "dave"));
        _incidents.Remove(Id);

        var outcome = await _run.ExecuteAsync(new AssignIncidentStep(_incidents), plan);

        Assert.Equal(RunStatus.Failed, outcome.Status);
        Assert.Equal("incident INC-0001 is not in the ledger", outcome.Steps[0].Result.Summary);
        Assert.DoesNotContain(await _run.JournalAsync(), e => e.Kind == JournalKind.CallSent);
    }

    [Fact]
    public async Task Given_a_step_built_for_resume_when_asked_to_plan_then_it_refuses()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => _run.PlanAsync(new AssignIncidentStep(_incidents)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _run.PlanAsync(new CloseIncidentStep(_incidents)));
    }

    [Fact]
    public async Task Given_an_open_incident_when_closing_is_planned_and_executed_then_it_is_closed_with_one_journaled_write()
    {
        var plan = await _run.PlanAsync(new CloseIncidentStep(_incidents, Id));

        var outcome = await _run.ExecuteAsync(new CloseIncidentStep(_incidents), plan);

        var step = plan.Steps[0];
        Assert.Equal(("incident-close", "close INC-0001", false), (step.Step, step.Summary, step.NothingToDo));
        Assert.Equal(["ledger: INC-0001 status open → closed"], step.Changes);
        Assert.Equal(new CloseIncidentPlan(Id, "carol"), step.Read(IncidentCommandsJson.Default.CloseIncidentPlan));
        Assert.Equal(RunStatus.Succeeded, outcome.Status);
        Assert.Equal(IncidentStatus.Closed, _incidents[Id].Status);
        Assert.Equal(["UpdateIncident INC-0001"], _incidents.Writes);
        Assert.Equal(new IncidentClosed(Id, "carol", AlreadyClosed: false), outcome.Steps[0].Result.Evidence);
        Assert.Equal(
            [JournalKind.Planned, JournalKind.Started, JournalKind.CallSent, JournalKind.CallSucceeded, JournalKind.Completed],
            (await _run.JournalAsync()).Select(e => e.Kind));
    }

    [Fact]
    public async Task Given_a_closed_incident_when_closing_is_planned_and_executed_then_nothing_to_do_and_nothing_is_written()
    {
        _incidents.Add(_incidents[Id] with { Status = IncidentStatus.Closed });

        var plan = await _run.PlanAsync(new CloseIncidentStep(_incidents, Id));
        var outcome = await _run.ExecuteAsync(new CloseIncidentStep(_incidents), plan);

        Assert.True(plan.Steps[0].NothingToDo);
        Assert.Empty(_incidents.Writes);
        Assert.Equal(new IncidentClosed(Id, "carol", AlreadyClosed: true), outcome.Steps[0].Result.Evidence);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Given_a_close_killed_before_or_after_its_write_when_resumed_then_the_incident_is_written_closed_exactly_once(bool afterWrite)
    {
        var plan = await _run.PlanAsync(new CloseIncidentStep(_incidents, Id));
        if (afterWrite)
            _incidents.AfterWrite = _run.Killing;
        else
            _incidents.BeforeWrite = _run.Killing;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _run.ExecuteAsync(new CloseIncidentStep(_incidents), plan));

        var resumed = await _run.ResumeAsync(new CloseIncidentStep(_incidents));

        Assert.Equal(RunStatus.Succeeded, resumed.Status);
        Assert.Equal(["UpdateIncident INC-0001"], _incidents.Writes);
        Assert.Equal(IncidentStatus.Closed, _incidents[Id].Status);
        Assert.Equal(new IncidentClosed(Id, "carol", AlreadyClosed: afterWrite), resumed.Steps[0].Result.Evidence);
    }
}
