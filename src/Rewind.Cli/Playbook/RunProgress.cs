using System.Diagnostics;
using Rewind.Cli.Rendering;
using Rewind.Core.Engine;
using Spectre.Console;

namespace Rewind.Cli.Playbook;

/// <summary>
/// Live progress of a run: on a terminal, a step table redrawn in place (status, elapsed, the latest deployment counts
/// or ECS event); anywhere else, plain timestamped lines on stderr that a log keeps.
/// </summary>
public static class RunProgress
{
    public static async Task<RunOutcome> ShowAsync(CliContext context, RollbackPlan plan, Func<IRunObserver, Task<RunOutcome>> run)
    {
        var terminal = context.Terminal.ShowsLiveProgress && context.Output == OutputFormat.Text;
        if (!terminal)
            return await run(new ConsoleRunObserver(context.Error, context.Time));

        var table = new Table().Border(TableBorder.Rounded).AddColumn("step").AddColumn("status").AddColumn(new TableColumn("s").RightAligned()).AddColumn("progress");
        foreach (var step in plan.Steps)
            table.AddRow(Markup.Escape(step.Step), "[grey]waiting[/]", "", Markup.Escape(step.Summary));
        RunOutcome? outcome = null;
        await Consoles.For(context.Error).Live(table).AutoClear(false).StartAsync(async live =>
        {
            var observer = new TableObserver(table, plan, live);
            outcome = await run(observer);
        });
        return outcome!;
    }

    private sealed class TableObserver(Table table, RollbackPlan plan, LiveDisplayContext live) : IRunObserver
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, long> _started = new(StringComparer.Ordinal);

        public void StepStarted(StepPlan step) => Update(step.Step, "[yellow]running[/]", step.Summary, started: true);

        public void StepProgress(string step, string message) => Update(step, null, message);

        public void StepFinished(StepPlan step, StepResult result, TimeSpan duration) => Update(step.Step, result.Status switch
        {
            StepStatus.Succeeded => "[green]succeeded[/]",
            StepStatus.Skipped => "[grey]skipped[/]",
            StepStatus.AwaitingApproval => "[yellow]awaiting approval[/]",
            _ => "[red]failed[/]",
        }, result.Summary);

        private void Update(string step, string? status, string? message, bool started = false)
        {
            lock (_gate)
            {
                var row = plan.Steps.ToList().FindIndex(s => s.Step == step);
                if (row < 0)
                    return;
                if (started)
                    _started[step] = Stopwatch.GetTimestamp();
                if (status is not null)
                    table.UpdateCell(row, 1, status);
                if (_started.TryGetValue(step, out var since))
                    table.UpdateCell(row, 2, Stopwatch.GetElapsedTime(since).TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));
                if (message is not null)
                    table.UpdateCell(row, 3, Markup.Escape(message));
                live.Refresh();
            }
        }
    }
}
