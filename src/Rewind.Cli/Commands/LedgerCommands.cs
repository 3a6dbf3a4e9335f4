using System.CommandLine;
using Rewind.Cli.Rendering;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Core.Files;
using Rewind.Core.Ledger;
using Rewind.Ledger;
using Rewind.Ledger.DynamoDb;
using Rewind.Ledger.Sqlite;
using Spectre.Console;

namespace Rewind.Cli.Commands;

/// <summary><c>rewind ledger init|verify</c> and <c>rewind history</c>: the ledger's own commands.</summary>
public static class LedgerCommands
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var ledger = new Command("ledger", "The ledger: where releases, runs, locks, freezes and incidents are kept");

        var backend = new Option<string?>("--backend") { Description = "sqlite (default) or dynamodb; default: the configuration's ledger.backend" }
            .AcceptOnlyFromAmong("sqlite", "dynamodb");
        var table = new Option<string?>("--table") { Description = "DynamoDB table name (with --backend dynamodb)", HelpName = "TABLE" };
        var init = new Command("init", "Create the ledger: the SQLite file, or the DynamoDB table (on-demand, pk/sk)") { backend, table };
        init.SetAction((parse, ct) => InitAsync(context(parse), parse.GetValue(backend), parse.GetValue(table), ct));

        var runArgument = new Argument<string?>("RUN") { Description = "a run id; all runs when omitted", Arity = ArgumentArity.ZeroOrOne };
        var verify = new Command("verify", "Walk the journals' hash chains and name the first broken entry") { runArgument };
        verify.SetAction((parse, ct) => VerifyAsync(context(parse), parse.GetValue(runArgument), ct));

        ledger.Subcommands.Add(init);
        ledger.Subcommands.Add(verify);
        return ledger;
    }

    public static Command History(Func<ParseResult, CliContext> context)
    {
        // --service is the global option: only this service (default: the file's only one, else every service; 'all' for every service).
        var limit = new Option<int>("--limit") { Description = "how many releases and runs, 1–10000", DefaultValueFactory = _ => 20 }.Between(1, 10_000);
        var history = new Command("history", "Releases and runs from the ledger, newest first (--service NAME or all: whose)") { limit };
        history.SetAction((parse, ct) =>
        {
            var cli = context(parse);
            return HistoryAsync(cli, cli.ServiceNames is ["all"] ? "all" : cli.ServiceNames.Count == 0 && cli.Fleet.Services.Count > 1 ? "all" : null, parse.GetValue(limit), ct);
        });
        return history;
    }

    private static async Task<int> InitAsync(CliContext context, string? backend, string? table, CancellationToken cancellationToken)
    {
        var configured = context.LedgerSettings;
        var useDynamo = backend is null ? configured.Backend == LedgerBackend.DynamoDb : backend == "dynamodb";
        string location;
        if (useDynamo)
        {
            var tableName = table ?? configured.Table
                ?? throw new CliException("--backend dynamodb needs a table", "pass --table NAME or set ledger.table in rewind.yaml");
            using var aws = context.Aws();
            var creation = await DynamoDbTable.CreateTableAsync(aws.DynamoDb(), tableName, cancellationToken);
            location = $"dynamodb:{tableName}";
            context.Log($"rewind: {creation}");
        }
        else
        {
            if (table is not null)
                throw new CliException("--table goes with --backend dynamodb", "drop --table, or add --backend dynamodb");
            var path = configured.Path ?? LedgerPaths.DefaultSqlitePath();
            PrivateFiles.CreateFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await using var ledger = await SqliteLedger.OpenAsync(path, cancellationToken);
            location = ledger.Location;
        }
        if (context.Output == OutputFormat.Json)
            await Json.WriteAsync(context.Out, new LedgerInitReport(location, true), CliJson.Default.LedgerInitReport, cancellationToken);
        else
            await context.Out.WriteLineAsync($"ledger ready: {location}");
        return ExitCodes.Ok;
    }

    private static async Task<int> VerifyAsync(CliContext context, string? runId, CancellationToken cancellationToken)
    {
        await using var ledger = await context.OpenLedgerAsync(null, cancellationToken);
        var result = await LedgerVerifier.VerifyAsync(ledger, runId, cancellationToken);
        var report = new LedgerVerifyReport(ledger.Location, result.RunsChecked, result.EntriesChecked, result.IsIntact,
            result.FirstBreak?.RunId, result.FirstBreak?.Seq, result.FirstBreak?.Reason.ToString(), result.FirstBreak?.Detail);
        if (context.Output == OutputFormat.Json)
            await Json.WriteAsync(context.Out, report, CliJson.Default.LedgerVerifyReport, cancellationToken);
        else if (result.IsIntact)
            await context.Out.WriteLineAsync($"intact: {result.RunsChecked} runs, {result.EntriesChecked} journal entries verified in {ledger.Location}");
        else
            await context.Out.WriteLineAsync($"BROKEN: {result.FirstBreak}");
        if (result.FirstBreak is { } broken)
        {
            context.Log($"rewind: the journal of {broken.RunId} is broken at entry {broken.Seq} ({broken.Reason}): it was changed after it was written; keep the file for the investigation");
            return ExitCodes.VerificationFailed;
        }
        return ExitCodes.Ok;
    }

    /// <summary>The run <paramref name="run"/>'s stored plan undoes, if it is an undo.</summary>
    private static string? UndoesOf(Run run)
    {
        try
        {
            return EngineJson.DeserializePlan(run.PlanJson).Undoes;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static async Task<int> HistoryAsync(CliContext context, string? service, int limit, CancellationToken cancellationToken)
    {
        var name = service is "all" ? null : service ?? context.Config.Service.Name;
        await using var ledger = await context.OpenLedgerAsync(null, cancellationToken);
        var releases = await ledger.Releases.ListReleasesAsync(name, limit, cancellationToken);
        var runs = await ledger.Runs.ListRunsAsync(name, limit, cancellationToken);
        var report = new HistoryReport(
            ledger.Location,
            [.. releases.Select(r => new HistoryRelease(r.Id, r.Service, r.Version, r.RecordedAt, r.Status.ToString(), r.TaskDefinitions))],
            [.. runs.Select(r => new HistoryRun(r.Id, r.Service, r.StartedAt, r.Status.ToString(), r.TargetReleaseId, r.IncidentId) { Undoes = UndoesOf(r) })]);
        if (context.Output == OutputFormat.Json)
        {
            await Json.WriteAsync(context.Out, report, CliJson.Default.HistoryReport, cancellationToken);
            return ExitCodes.Ok;
        }
        var console = Consoles.For(context.Out);
        var releaseTable = new Table().Border(TableBorder.Simple).Title("releases")
            .AddColumn("id").AddColumn("service").AddColumn("version").AddColumn("recorded").AddColumn("status").AddColumn("task definitions");
        foreach (var r in report.Releases)
            releaseTable.AddRow(Markup.Escape(r.Id), Markup.Escape(r.Service), Markup.Escape(r.Version), $"{r.RecordedAt:yyyy-MM-dd HH:mm}Z", r.Status, Markup.Escape(string.Join(", ", r.TaskDefinitions.Values)));
        var runTable = new Table().Border(TableBorder.Simple).Title("runs")
            .AddColumn("id").AddColumn("service").AddColumn("started").AddColumn("status").AddColumn("target release").AddColumn("incident").AddColumn("note");
        foreach (var r in report.Runs)
        {
            runTable.AddRow(Markup.Escape(r.Id), Markup.Escape(r.Service), $"{r.StartedAt:yyyy-MM-dd HH:mm}Z", r.Status, Markup.Escape(r.TargetReleaseId ?? "-"), Markup.Escape(r.IncidentId ?? "-"),
                r.Undoes is { } undoes ? Markup.Escape($"undo of {undoes}") : "-");
        }
        console.Write(releaseTable);
        console.Write(runTable);
        return ExitCodes.Ok;
    }
}

/// <summary>What <c>rewind ledger init</c> made.</summary>
public sealed record LedgerInitReport(string Location, bool Ready);

/// <summary>What <c>rewind ledger verify</c> found.</summary>
public sealed record LedgerVerifyReport(string Location, int RunsChecked, long EntriesChecked, bool Intact, string? BrokenRun, long? BrokenSeq, string? Reason, string? Detail);

/// <summary>What <c>rewind history</c> lists.</summary>
public sealed record HistoryReport(string Location, IReadOnlyList<HistoryRelease> Releases, IReadOnlyList<HistoryRun> Runs);

public sealed record HistoryRelease(string Id, string Service, string Version, DateTimeOffset RecordedAt, string Status, IReadOnlyDictionary<string, string> TaskDefinitions);

public sealed record HistoryRun(string Id, string Service, DateTimeOffset StartedAt, string Status, string? TargetReleaseId, string? IncidentId)
{
    /// <summary>The run this one undoes (<c>rewind undo</c>); null for every other run.</summary>
    public string? Undoes { get; init; }
}
