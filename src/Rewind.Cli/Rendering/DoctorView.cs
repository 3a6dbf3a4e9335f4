using Rewind.Cli.Commands;
using Spectre.Console;

namespace Rewind.Cli.Rendering;

/// <summary>The text form of <c>rewind doctor</c>: the setup, then one row per service.</summary>
public static class DoctorView
{
    public static void Render(TextWriter writer, DoctorReport report)
    {
        var console = Consoles.For(writer);
        var setup = new Grid().AddColumn().AddColumn();
        setup.AddRow("[grey]profile[/]", Markup.Escape(report.Profile ?? "(none)"));
        setup.AddRow("[grey]region[/]", $"{Markup.Escape(report.Region)} [grey](from {report.RegionSource})[/]");
        setup.AddRow("[grey]credentials[/]", $"{Markup.Escape(report.CredentialSource)} [grey]{Markup.Escape(report.AccessKeyId)}[/]");
        setup.AddRow("[grey]identity[/]", Markup.Escape(report.Arn ?? "unknown"));
        console.Write(setup);

        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("service").AddColumn("call").AddColumn("result").AddColumn(new TableColumn("ms").RightAligned()).AddColumn("endpoint");
        foreach (var check in report.Checks)
        {
            table.AddRow(
                Markup.Escape(check.Service),
                Markup.Escape(check.Operation),
                check.Ok ? "[green]ok[/]" : $"[red]{Markup.Escape(check.Code ?? "failed")}[/]",
                check.LatencyMs.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(check.Endpoint));
        }
        console.Write(table);
        foreach (var check in report.Checks.Where(c => !c.Ok))
            console.MarkupLine($"[red]{Markup.Escape(check.Service)}[/]: {Markup.Escape(check.Error ?? "")}\n  fix: {Markup.Escape(check.Fix ?? "")}");
        console.MarkupLine(report.Ok ? "[green]all checks passed[/]" : "[red]some checks failed[/]");
    }
}
