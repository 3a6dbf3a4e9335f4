using Xunit;

namespace Rewind.Cli.Tests;

public sealed class ExitCodeTests
{
    [Fact]
    public void The_exit_code_table_in_docs_cli_md_matches_the_code()
    {
        var doc = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "cli.md"));
        var start = Array.IndexOf(doc, "## Exit codes");
        Assert.True(start >= 0, "docs/cli.md has no '## Exit codes' section");
        var rows = doc.Skip(start + 3).TakeWhile(line => line.StartsWith('|')).Select(line => line.Split('|', StringSplitOptions.TrimEntries)).ToList();

        Assert.Equal(
            ExitCodes.Table.Select(e => $"{e.Code} {e.Name} {e.Meaning}"),
            rows.Select(r => $"{r[1]} {r[2]} {r[3]}"));
    }

    [Fact]
    public void Exit_codes_are_positive_and_distinct()
    {
        var codes = ExitCodes.Table.Select(e => e.Code).ToList();
        Assert.All(codes, code => Assert.InRange(code, 0, 255));
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }

    internal static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Rewind.slnx")))
                return folder.FullName;
        }
        throw new InvalidOperationException("Rewind.slnx not found above " + AppContext.BaseDirectory);
    }
}
