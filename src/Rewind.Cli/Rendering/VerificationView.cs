using System.Globalization;
using System.Text.Json.Serialization;
using Rewind.Playbook.Smoke;
using Rewind.Playbook.Verify;
using Spectre.Console;

namespace Rewind.Cli.Rendering;

/// <summary>The answer of <c>rewind smoke</c> with <c>--output json</c>.</summary>
public sealed record SmokeCommandReport(string Url, int Checks, int Passed, int Failed, string Log, IReadOnlyList<SmokeCheckOutcome> Results);

/// <summary>The answer of <c>rewind verify</c> with <c>--output json</c>: the verdict, why, and the evidence.</summary>
public sealed record VerifyCommandReport(string Verdict, string Reason, IReadOnlyDictionary<string, string> Evidence);

/// <summary>Renders smoke results and verification readings: a table for people, one JSON document for programs.</summary>
public static class VerificationView
{
    public static async Task WriteAsync(CliContext context, SmokeReport report, CancellationToken cancellationToken)
    {
        if (context.Output == OutputFormat.Json)
        {
            await Json.WriteAsync(context.Out,
                new SmokeCommandReport(report.Url, report.Results.Count, report.Passed, report.Failed, report.LogPath, report.Results),
                VerificationJson.Default.SmokeCommandReport, cancellationToken);
            return;
        }
        var console = Consoles.For(context.Out);
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("check").AddColumn("result").AddColumn(new TableColumn("status").RightAligned())
            .AddColumn(new TableColumn("latency").RightAligned()).AddColumn(new TableColumn("attempts").RightAligned()).AddColumn("error");
        foreach (var r in report.Results)
        {
            table.AddRow(
                Markup.Escape(r.Check),
                r.Ok ? "[green]pass[/]" : "[red]FAIL[/]",
                r.Status?.ToString(CultureInfo.InvariantCulture) ?? "-",
                r.LatencyMs.ToString(CultureInfo.InvariantCulture) + " ms",
                r.Attempts.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(r.Error ?? ""));
        }
        console.Write(table);
        console.MarkupLine($"{report.Passed}/{report.Results.Count} checks passed against {Markup.Escape(report.Url)}; log [grey]{Markup.Escape(report.LogPath)}[/]");
    }

    public static async Task WriteAsync(CliContext context, VerifyReading reading, CancellationToken cancellationToken)
    {
        var evidence = Lines(reading.Evidence());
        if (context.Output == OutputFormat.Json)
        {
            await Json.WriteAsync(context.Out, new VerifyCommandReport(reading.Verdict, reading.Reason, evidence), VerificationJson.Default.VerifyCommandReport, cancellationToken);
            return;
        }
        var console = Consoles.For(context.Out);
        var table = new Table().Border(TableBorder.Simple).AddColumn("measure").AddColumn("value");
        foreach (var (key, value) in evidence.Where(e => e.Key != "verdict"))
            table.AddRow(Markup.Escape(key), Markup.Escape(value));
        console.Write(table);
        console.MarkupLine($"verdict: {(reading.Normalized ? "[green]" : "[red]")}{Markup.Escape(reading.Verdict)}[/]: {Markup.Escape(reading.Reason)}");
    }

    /// <summary>The evidence as the command shows it: percentages with two decimals, "none" for what was not measured.</summary>
    private static Dictionary<string, string> Lines(Core.Evidence.ErrorRatesNormalized evidence) => new()
    {
        ["metric"] = evidence.Metric,
        ["windowStart"] = Iso(evidence.WindowStart),
        ["windowEnd"] = Iso(evidence.WindowEnd),
        ["requests"] = evidence.Requests?.ToString(CultureInfo.InvariantCulture) ?? "none",
        ["errors"] = evidence.Errors?.ToString(CultureInfo.InvariantCulture) ?? "none",
        ["rate5xxPercent"] = evidence.Rate5xxPercent is { } rate ? VerifyReading.Percent(rate) : "none",
        ["thresholdPercent"] = VerifyReading.Percent(evidence.ThresholdPercent),
        ["baselinePercent"] = evidence.BaselinePercent is { } baseline ? VerifyReading.Percent(baseline) : "none",
        ["baseline"] = evidence.Baseline ?? "none",
        ["alarms"] = evidence.Alarms.Count == 0 ? "none" : string.Join(';', evidence.Alarms.Select(a => $"{a.Alarm}={a.State}")),
        ["verdict"] = evidence.Verdict,
    };

    private static string Iso(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "none";
}

/// <summary>Source-generated serialisation of the verification documents (NativeAOT: no reflection).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SmokeCommandReport))]
[JsonSerializable(typeof(VerifyCommandReport))]
internal sealed partial class VerificationJson : JsonSerializerContext;
