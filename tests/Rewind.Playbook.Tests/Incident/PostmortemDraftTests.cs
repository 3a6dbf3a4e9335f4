using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Rewind.Core.Ledger;
using Rewind.Playbook.Incident;
using Xunit;

namespace Rewind.Playbook.Tests.Incident;

/// <summary>The postmortem draft, line by line: what each part is made of, and what it says when a part is missing.</summary>
public sealed class PostmortemDraftTests
{
    private static readonly DateTimeOffset Opened = new(2026, 12, 6, 12, 0, 0, TimeSpan.FromHours(2));

    private static readonly Core.Ledger.Incident Full = new(
        "INC-0007", "api | <down>", "SEV2", "dana@acme.example", Opened, Opened.AddHours(48), null, IncidentStatus.Open, "claude-proxy-api", "bad config", "frz-1");

    private static readonly Core.Ledger.Incident Bare = new("INC-0008", "by hand", "SEV3", null, Opened, Opened.AddHours(48), null, IncidentStatus.Closed, null);

    private static JournalEntry Entry(long seq, string step, JournalKind kind, string detail) =>
        new("run-1", seq, Opened.AddMinutes(seq), step, kind, detail, "", "");

    private static readonly JournalEntry[] Journal =
    [
        Entry(1, "ecs", JournalKind.Planned, """{"summary":"planned"}"""),
        Entry(2, "ecs", JournalKind.Started, """{"summary":"ignored"}"""),
        Entry(3, "ecs", JournalKind.CallSent, """{"call":"UpdateService"}"""),
        Entry(4, "ecs", JournalKind.CallSucceeded, """{"call":"UpdateService","summary":"not this"}"""),
        Entry(5, "cdn", JournalKind.CallFailed, """{"error":"AccessDenied","summary":"not this"}"""),
        Entry(6, "cdn", JournalKind.CallFailed, """{"summary":"gave up | retry"}"""),
        Entry(7, "ecs", JournalKind.Completed, """{"summary":"service on :41"}"""),
        Entry(8, "verify", JournalKind.Completed, """{"summary":"old","evidence":{"verdict":"stale"}}"""),
        Entry(9, "verify", JournalKind.Completed, """{"summary":"normal","evidence":{"rate5xxPercent":"0.120","errors":3,"requests":2500,"windowStart":"09:00","verdict":"normal"}}"""),
        Entry(10, "smoke", JournalKind.Skipped, """{"summary":"nothing to check"}"""),
        Entry(11, "notify", JournalKind.Completed, "not json"),
        Entry(12, "freeze", JournalKind.CallSent, """{"call":7}"""),
    ];

    private static readonly ChecklistItem[] Items =
    [
        new("service-reverted", "Service reverted", true, new Dictionary<string, string> { ["revision"] = "41", ["results"] = "table", ["cluster"] = "<c>" }, "entry 7", null, null),
        new("smoke-tests-passing", "Smoke tests passing", false, new Dictionary<string, string>(), null, "no smoke <evidence>", "rewind run --only smoke"),
        new("team-notified", "Team notified", false, new Dictionary<string, string>(), null, null, null),
    ];

    private static readonly Ticket[] Tickets =
    [
        new("12", "acme/api#12", "https://gh.example/12", "t", null, [], null),
        new("OPS-7", "OPS-7", "https://jira.example/browse/OPS-7?a=1&b=2", "t", null, [], null),
    ];

    [Fact]
    public void Given_everything_when_rendered_then_each_part_is_written_from_its_source_escaped()
    {
        var run = new Run("run-1", "run-service", Opened.AddMinutes(-5), RunStatus.Succeeded, "rel-1", "{}");
        var plan = new RollbackPlan("claude-proxy-api", new RollbackTarget("release", "release 1.4.2", "last known-good release", "rel-1", "arn:td:41"), Opened, []);

        var draft = PostmortemDraft.Render(new PostmortemInput(Full, run, plan, Journal, Items, Tickets, "/var/drafts/INC-0007.ics"));

        Assert.Equal(
            """
            # Postmortem INC-0007: api | &lt;down&gt;

            _Draft written by Rewind from the run's journal. Fill in the parts in italics; keep the facts._

            ## Summary

            | | |
            |---|---|
            | Incident | INC-0007 |
            | Severity | SEV2 |
            | Owner | dana@acme.example |
            | Opened | 2026-12-06T10:00:00Z |
            | Postmortem due | 2026-12-08T10:00:00Z |
            | Status | open |
            | Service | claude-proxy-api |
            | Root cause | bad config (recorded when freeze frz-1 was lifted) |
            | Run | run-1 (succeeded, started 2026-12-06T09:55:00Z) |
            | Rolled back to | release 1.4.2 (last known-good release) |
            | Ticket | [acme/api#12](https://gh.example/12), [OPS-7](https://jira.example/browse/OPS-7?a=1&amp;b=2) |

            ## Impact

            - Error rate after the rollback: 0.120 % 5XX (3 of 2500 requests, 09:00 to ?), verdict normal.
            - _Who was affected, how, and for how long (from first error to recovery)._
            - _How it was detected._

            ## Timeline (UTC, from the journal)

            | Time | Step | Event | Detail |
            |---|---|---|---|
            | 2026-12-06T10:02:00Z | ecs | started |  |
            | 2026-12-06T10:03:00Z | ecs | call sent | UpdateService |
            | 2026-12-06T10:04:00Z | ecs | call succeeded | UpdateService |
            | 2026-12-06T10:05:00Z | cdn | failed | AccessDenied |
            | 2026-12-06T10:06:00Z | cdn | failed | gave up \| retry |
            | 2026-12-06T10:07:00Z | ecs | completed | service on :41 |
            | 2026-12-06T10:08:00Z | verify | completed | old |
            | 2026-12-06T10:09:00Z | verify | completed | normal |
            | 2026-12-06T10:10:00Z | smoke | skipped | nothing to check |
            | 2026-12-06T10:11:00Z | notify | completed |  |
            | 2026-12-06T10:12:00Z | freeze | call sent |  |

            ## Mitigation

            - **ecs**: service on :41
            - **verify**: old
            - **verify**: normal
            - **notify**: done

            ## Rollback checklist

            - [x] Service reverted. Evidence: revision 41, cluster &lt;c&gt;
            - [ ] Smoke tests passing. Missing: no smoke &lt;evidence&gt; (`rewind run --only smoke`)
            - [ ] Team notified. Missing: 

            ## Action items

            | Action | Owner | Due |
            |---|---|---|
            | Hold the postmortem meeting (invitation: INC-0007.ics) | dana@acme.example | 2026-12-08T10:00:00Z |
            | Find the root cause; lift the release freeze with it (`rewind freeze off`) | dana@acme.example | 2026-12-08T10:00:00Z |
            | _Fix, test, guard against recurrence_ | | |

            ## Lessons learned

            - _What went well._
            - _What went badly._
            - _Where we got lucky._

            ## References

            - Ticket acme/api#12: https://gh.example/12
            - Ticket OPS-7: https://jira.example/browse/OPS-7?a=1&amp;b=2
            - Run run-1: `rewind report run-1`, journal verified by `rewind ledger verify run-1`
            - Postmortem meeting: /var/drafts/INC-0007.ics
            - Playbook: ROLLBACK_PLAYBOOK.md

            """.ReplaceLineEndings("\n"),
            draft);
    }

    [Fact]
    public void Given_an_incident_opened_by_hand_when_rendered_then_the_missing_parts_say_so()
    {
        var draft = PostmortemDraft.Render(new PostmortemInput(Bare, null, null, [], [], [], null));

        Assert.Equal(
            """
            # Postmortem INC-0008: by hand

            _Draft written by Rewind from the run's journal. Fill in the parts in italics; keep the facts._

            ## Summary

            | | |
            |---|---|
            | Incident | INC-0008 |
            | Severity | SEV3 |
            | Owner | unassigned |
            | Opened | 2026-12-06T10:00:00Z |
            | Postmortem due | 2026-12-08T10:00:00Z |
            | Status | closed |
            | Service | - |
            | Ticket | none (ledger only) |

            ## Impact

            - _Who was affected, how, and for how long (from first error to recovery)._
            - _How it was detected._

            ## Timeline (UTC, from the journal)

            _No journal: this incident was opened without a run. Add the events by hand._

            ## Mitigation

            - _What was done to stop the impact._

            ## Rollback checklist


            ## Action items

            | Action | Owner | Due |
            |---|---|---|
            | Hold the postmortem meeting | unassigned | 2026-12-08T10:00:00Z |
            | Find the root cause; lift the release freeze with it (`rewind freeze off`) | unassigned | 2026-12-08T10:00:00Z |
            | _Fix, test, guard against recurrence_ | | |

            ## Lessons learned

            - _What went well._
            - _What went badly._
            - _Where we got lucky._

            ## References

            - Playbook: ROLLBACK_PLAYBOOK.md

            """.ReplaceLineEndings("\n"),
            draft);
    }

    [Fact]
    public void Given_a_run_and_a_plan_without_target_when_the_incident_names_no_service_then_the_runs_service_is_shown_and_no_target_row()
    {
        var run = new Run("run-2", "run-service", Opened, RunStatus.Failed, null, "{}");
        var plan = new RollbackPlan("run-service", null, Opened, []);

        var draft = PostmortemDraft.Render(new PostmortemInput(Bare with { RootCause = "disk", RootCauseFrom = null }, run, plan, [Entry(1, "ecs", JournalKind.Planned, "{}")], [], [], null));

        Assert.Contains("| Service | run-service |\n", draft, StringComparison.Ordinal);
        Assert.Contains("| Root cause | disk (recorded when freeze ? was lifted) |\n", draft, StringComparison.Ordinal);
        Assert.Contains("| Run | run-2 (failed, started 2026-12-06T10:00:00Z) |\n", draft, StringComparison.Ordinal);
        Assert.DoesNotContain("Rolled back to", draft, StringComparison.Ordinal);
        Assert.Contains("_No journal: this incident was opened without a run.", draft, StringComparison.Ordinal);
        Assert.Contains("- Run run-2: `rewind report run-2`", draft, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_time_with_an_offset_when_formatted_then_it_is_UTC_to_the_second()
    {
        Assert.Equal("2026-12-06T10:00:00Z", PostmortemDraft.Time(Opened.AddMilliseconds(999)));
    }

    [Fact]
    public void Given_a_run_record_when_the_checklist_is_evaluated_with_the_incidents_evidence_then_the_postmortem_item_is_ticked_by_it()
    {
        var run = new Run("run-1", "claude-proxy-api", Opened, RunStatus.Running, null, "{}");
        var evidence = new TicketOpened("INC-0007", "dana", Opened, Opened.AddHours(48), [new TicketLink("acme/api#12", "https://gh.example/12")], true, "/d/INC-0007.md", null);

        var items = PostmortemDraft.ChecklistWith(new RunRecord(run, null, null, [Entry(4, "ecs", JournalKind.Started, "{}")], null), evidence, Opened.AddMinutes(9));

        var postmortem = Assert.Single(items, i => i.Key == "postmortem-ticket-created");
        Assert.True(postmortem.Ticked);
        Assert.Equal("journal entry 5: incident completed at 2026-12-06T10:09:00Z", postmortem.Source);
    }

    [Fact]
    public void Given_an_empty_journal_when_the_checklist_is_evaluated_then_the_incidents_end_is_entry_1()
    {
        var run = new Run("run-1", "claude-proxy-api", Opened, RunStatus.Running, null, "{}");
        var evidence = new TicketOpened("INC-0007", "dana", Opened, Opened.AddHours(48), [new TicketLink("acme/api#12", "https://gh.example/12")], true, null, null);

        var items = PostmortemDraft.ChecklistWith(new RunRecord(run, null, null, [], null), evidence, Opened);

        Assert.StartsWith("journal entry 1: incident completed", Assert.Single(items, i => i.Key == "postmortem-ticket-created").Source, StringComparison.Ordinal);
    }
}
