using System.Globalization;
using Rewind.Core.Engine;
using Rewind.Core.Evidence;
using Spectre.Console;

namespace Rewind.Cli.Rendering;

/// <summary>Renders a plan and, after a live run, each step's result: a table for people, one JSON document for programs.</summary>
public static class PlanView
{
    public static Task WriteAsync(CliContext context, RollbackPlan plan, RunOutcome? outcome, CancellationToken cancellationToken) =>
        WriteAsync(context, plan, outcome, null, cancellationToken);

    /// <summary>As above, with the run's checklist: in the JSON document, else on stderr after the table.</summary>
    public static Task WriteAsync(CliContext context, RollbackPlan plan, RunOutcome? outcome, IReadOnlyList<ChecklistItem>? checklist, CancellationToken cancellationToken) =>
        WriteAsync(context, plan, outcome, checklist, null, cancellationToken);

    /// <summary>As above, for a resume: with how rewind.yaml differs from what the plan was made from (in the JSON document; text mode said it on stderr).</summary>
    public static async Task WriteAsync(
        CliContext context, RollbackPlan plan, RunOutcome? outcome, IReadOnlyList<ChecklistItem>? checklist, IReadOnlyList<string>? drift, CancellationToken cancellationToken)
    {
        if (context.Output == OutputFormat.Json)
        {
            var report = new RunReport(
                outcome is not null, outcome?.RunId, outcome?.Status.ToString(), plan,
                outcome?.Steps.Select(s => new StepReport(s.Step.Step, s.Result.Status.ToString(), s.Result.Summary, s.Result.ToJson()["evidence"]?.DeepClone())).ToList() ?? [])
            { Checklist = checklist, ConfigDrift = drift };
            await Json.WriteAsync(context.Out, report, CliJson.Default.RunReport, cancellationToken);
            return;
        }
        if (outcome is null)
        {
            RenderPlan(context.Out, plan);
            return;
        }
        var console = Consoles.For(context.Out);
        var table = new Table().Border(TableBorder.Simple).AddColumn("step").AddColumn("result").AddColumn("summary");
        foreach (var (step, result) in outcome.Steps)
            table.AddRow(Markup.Escape(step.Step), Status(result.Status), Markup.Escape(result.Summary));
        console.Write(table);
        console.MarkupLine($"run [bold]{Markup.Escape(outcome.RunId)}[/]: {Markup.Escape(outcome.Status.ToString().ToLowerInvariant())}");
        if (checklist is not null)
            ChecklistView.Render(context.Error, outcome.RunId, checklist);
    }

    public static void RenderPlan(TextWriter writer, RollbackPlan plan)
    {
        var console = Consoles.For(writer);
        console.MarkupLine(plan.Undoes is { } undoes
            ? $"[bold]{Markup.Escape(plan.Service)}[/]: undo of [bold]{Markup.Escape(undoes)}[/]: restore what it replaced"
            : plan.Target is { } target
            ? $"[bold]{Markup.Escape(plan.Service)}[/]: roll back to [bold]{Markup.Escape(target.Label)}[/] [grey]({Markup.Escape(target.Reason)})[/]"
            : $"[bold]{Markup.Escape(plan.Service)}[/]: {Markup.Escape(string.Join(", ", plan.Steps.Select(s => s.Step)))} (no rollback target needed)");
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("stage").AddColumn("step").AddColumn("change").AddColumn(new TableColumn("expected").RightAligned());
        foreach (var step in plan.Steps)
        {
            table.AddRow(
                step.Stage.ToString().ToLowerInvariant(),
                Markup.Escape(step.Step),
                (step.NothingToDo ? "[grey]nothing to do: [/]" : "") + Markup.Escape(string.Join("\n", step.Changes)),
                step.ExpectedSeconds.ToString("0", CultureInfo.InvariantCulture) + " s");
        }
        console.Write(table);
        foreach (var note in plan.Notes ?? [])
            console.MarkupLine($"[grey]{Markup.Escape(note)}[/]");
        console.MarkupLine($"[grey]expected duration about {plan.ExpectedSeconds:0} s[/]");
    }

    private static string Status(StepStatus status) => status switch
    {
        StepStatus.Succeeded => "[green]succeeded[/]",
        StepStatus.Skipped => "[grey]skipped[/]",
        StepStatus.AwaitingApproval => "[yellow]awaiting approval[/]",
        _ => "[red]failed[/]",
    };
}

/// <summary>The JSON document of plan/run/resume/ecs/canary.</summary>
public sealed record RunReport(bool Live, string? RunId, string? Status, RollbackPlan Plan, IReadOnlyList<StepReport> Steps)
{
    /// <summary>The playbook's checklist after a live run or resume, each item ticked only by the journal's evidence; null otherwise.</summary>
    public IReadOnlyList<ChecklistItem>? Checklist { get; init; }

    /// <summary>
    /// A resume only: how rewind.yaml differs from what the stored plan was made from, one line per difference (the
    /// stored plan ran regardless); empty when nothing differs, absent from other commands' documents.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ConfigDrift { get; init; }
}

/// <summary>A step's end as <c>--output json</c> prints it: the evidence in its journal form (a typed record with its <c>type</c>).</summary>
public sealed record StepReport(string Step, string Status, string Summary, System.Text.Json.Nodes.JsonNode? Evidence);
