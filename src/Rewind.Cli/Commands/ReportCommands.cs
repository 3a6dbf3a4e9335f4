using System.CommandLine;
using Rewind.Cli.Rendering;
using Rewind.Core.Evidence;
using Rewind.Core.Files;
using Rewind.Core.Ledger;
using Rewind.Core.Reports;

namespace Rewind.Cli.Commands;

/// <summary>
/// <c>rewind checklist [RUN]</c> and <c>rewind report [RUN] --format md|html|json</c>: read a run's journal from the
/// ledger (nothing else, no AWS call) and show the playbook's checklist or the whole rollback report.
/// </summary>
public static class ReportCommands
{
    public static IEnumerable<Command> Create(Func<ParseResult, CliContext> context)
    {
        var checklistRun = new Argument<string?>("RUN") { Description = "the run; default: the service's latest run", Arity = ArgumentArity.ZeroOrOne };
        var checklist = new Command("checklist", "The playbook's rollback checklist for a run, each item ticked only by the journal's evidence (exit 4 unless all are)") { checklistRun };
        checklist.SetAction((parse, ct) => ChecklistAsync(context(parse), parse.GetValue(checklistRun), ct));

        var reportRun = new Argument<string?>("RUN") { Description = "the run; default: the service's latest run", Arity = ArgumentArity.ZeroOrOne };
        var format = new Option<string>("--format") { Description = "md (paste into a postmortem), html (one self-contained file) or json (docs/report.schema.json)", DefaultValueFactory = _ => "md", HelpName = "md|html|json" };
        format.Validators.Add(result =>
        {
            if (result.Tokens is [{ } token] && !ReportFormats.Names.Contains(token.Value, StringComparer.Ordinal))
                result.AddError($"unknown report format '{token.Value}': use --format md, html or json");
        });
        var output = new Option<string?>("--out") { Description = "write the report to this file and print its path (default: stdout)", HelpName = "FILE" };
        var report = new Command("report", "The rollback report of a run: plan, timeline of every step, evidence, checklist") { reportRun, format, output };
        report.SetAction((parse, ct) => ReportAsync(context(parse), parse.GetValue(reportRun), parse.GetValue(format)!, parse.GetValue(output), ct));

        return [checklist, report];
    }

    private static async Task<int> ChecklistAsync(CliContext context, string? runId, CancellationToken cancellationToken)
    {
        var record = await ReadAsync(context, runId, cancellationToken);
        var items = Checklist.Evaluate(record);
        if (context.Output == OutputFormat.Json)
        {
            var document = new ChecklistReport(record.Run.Id, record.Run.Service, record.Run.Status.ToString(), record.IsIntact, Checklist.AllTicked(items), items);
            await Json.WriteAsync(context.Out, document, CliJson.Default.ChecklistReport, cancellationToken);
        }
        else
        {
            ChecklistView.Render(context.Out, record.Run.Id, items);
        }
        if (Checklist.AllTicked(items))
            return ExitCodes.Ok;
        context.Log($"rewind: {items.Count(i => !i.Ticked)} of {items.Count} checklist items of {record.Run.Id} are not proven by evidence: each says what is missing and the command that provides it");
        return ExitCodes.VerificationFailed;
    }

    private static async Task<int> ReportAsync(CliContext context, string? runId, string format, string? path, CancellationToken cancellationToken)
    {
        var record = await ReadAsync(context, runId, cancellationToken);
        var text = ReportFormats.Render(RollbackReport.Build(record, context.Time.GetUtcNow()), format);
        if (path is null)
        {
            await context.Out.WriteAsync(text.AsMemory(), cancellationToken);
            await context.Out.FlushAsync(cancellationToken);
        }
        else
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
                throw new CliException($"--out {path} is a folder", "name a file, e.g. --out report." + format);
            if (Path.GetDirectoryName(full) is { } folder && !Directory.Exists(folder))
                throw new CliException($"the folder of --out {path} does not exist", "create it first, or name a file in an existing folder");
            try
            {
                await PrivateFiles.WriteAllTextAsync(full, text, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot write --out {path} ({e.Message.TrimEnd('.')})", "name a file in a folder you can write, or leave --out out to print the report");
            }
            await context.Out.WriteLineAsync(full.AsMemory(), cancellationToken);
        }
        if (record.ChainBreak is { } broken)
        {
            context.Log($"rewind: the journal of {record.Run.Id} is broken at entry {broken.Seq} ({broken.Reason}): the report says so and ticks nothing; keep the ledger for the investigation");
            return ExitCodes.VerificationFailed;
        }
        return ExitCodes.Ok;
    }

    /// <summary>The named run, else the configured service's latest; a run that does not exist is bad input.</summary>
    private static async Task<RunRecord> ReadAsync(CliContext context, string? runId, CancellationToken cancellationToken)
    {
        await using var ledger = await context.OpenLedgerAsync(null, cancellationToken);
        var id = runId
            ?? (await ledger.Runs.ListRunsAsync(context.Config.Service.Name, 1, cancellationToken)).FirstOrDefault()?.Id
            ?? throw new CliException($"{context.Config.Service.Name} has no run in the ledger {ledger.Location}", "run 'rewind run --live' first, or name a run (list them with 'rewind history')");
        return await RunRecord.ReadAsync(ledger, id, cancellationToken)
            ?? throw new CliException($"run {id} is not in the ledger {ledger.Location}", "list runs with 'rewind history'");
    }
}
