using Rewind.Core.Engine;
using Rewind.Core.Evidence;
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
    public void A_step_that_aws_refused_with_access_denied_exits_2_unreachable_aws_5_and_a_steps_own_finding_or_an_older_journals_failure_1()
    {
        var denied = new Aws.Errors.AwsServiceException(Aws.AwsService.Ssm, "PutParameter", "AccessDeniedException", "not authorized", 400, "req-1");
        var unreachable = new Aws.Errors.AwsUnavailableException(Aws.AwsService.Ssm, "PutParameter", "connection refused", "try again");

        Assert.Equal(ExitCodes.BadInput, ExitCodes.OfStep(StepResult.Failed(denied.Message, StepFailed.Of(denied, null))));
        Assert.Equal(ExitCodes.Unavailable, ExitCodes.OfStep(StepResult.Failed(unreachable.Message, StepFailed.Of(unreachable, 60))));
        Assert.Equal(ExitCodes.Failed, ExitCodes.OfStep(StepResult.Failed("rollout FAILED", new StepFailed(nameof(InvalidOperationException), null))));
        Assert.Equal(ExitCodes.Failed, ExitCodes.OfStep(StepResult.Failed("the parameter does not read back", FakeProof)));
    }

    private static readonly StepEvidence FakeProof = new CacheInvalidated("E2ABC", "I3XYZ", "Completed", ["/*"]);

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

public sealed class CommandDocsTests
{
    [Fact]
    public async Task Every_command_in_the_parser_has_a_section_in_docs_cli_md()
    {
        var help = await CliRunner.RunAsync(["--help"], cancellationToken: TestContext.Current.CancellationToken);
        var doc = await File.ReadAllTextAsync(Path.Combine(ExitCodeTests.RepositoryRoot(), "docs", "cli.md"), TestContext.Current.CancellationToken);
        var commands = help.Stdout[help.Stdout.IndexOf("Commands:", StringComparison.Ordinal)..]
            .Split('\n').Skip(1).Select(line => line.Trim()).Where(line => line.Length > 0)
            .Select(line => line.Split(' ')[0]).ToList();

        Assert.Contains("doctor", commands);
        Assert.True(commands.Count >= 10, string.Join(", ", commands));
        Assert.All(commands, command => Assert.Contains($"### `rewind {command}", doc, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_option_of_every_command_is_named_in_that_command_s_section_of_docs_cli_md()
    {
        var doc = File.ReadAllText(Path.Combine(ExitCodeTests.RepositoryRoot(), "docs", "cli.md"));
        var sections = doc.Split("\n### ").Skip(1).Select(section => (Heading: section.Split('\n')[0], Text: section)).ToList();
        var root = RewindApp.Commands();
        var globals = root.Options.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var (path, command) in Walk(root, []))
        {
            // A section documents a command when its heading names the command's path: "rewind ledger init", "rewind freeze on|off".
            var text = string.Concat(sections
                .Where(s => s.Heading.StartsWith("`rewind " + path[0], StringComparison.Ordinal)
                    && path.All(word => s.Heading.Split(' ', '|', '[', ']', '`').Contains(word)))
                .Select(s => s.Text));
            if (text.Length == 0)
                missing.Add($"rewind {string.Join(' ', path)}: no section");
            foreach (var option in command.Options.Where(o => !globals.Contains(o.Name) && o.Name is not "--help" and not "--version"))
            {
                if (!text.Contains(option.Name, StringComparison.Ordinal))
                    missing.Add($"rewind {string.Join(' ', path)}: {option.Name}");
            }
        }
        Assert.True(missing.Count == 0, "docs/cli.md does not mention:\n" + string.Join('\n', missing));
    }

    private static IEnumerable<(string[] Path, System.CommandLine.Command Command)> Walk(System.CommandLine.Command command, string[] path)
    {
        foreach (var sub in command.Subcommands)
        {
            string[] subPath = [.. path, sub.Name];
            yield return (subPath, sub);
            foreach (var nested in Walk(sub, subPath))
                yield return nested;
        }
    }
}
