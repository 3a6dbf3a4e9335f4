using System.CommandLine;
using Rewind.Aws;
using Rewind.Aws.Transport;
using Rewind.Cli.Commands;
using Rewind.Core;
using Rewind.Core.Ledger;

namespace Rewind.Cli;

/// <summary>The whole CLI as a library: parse, run one command, map failures to one stderr line and an exit code.</summary>
public static class RewindApp
{
    /// <summary>The version and the commit it was built from, as <c>rewind --version</c> prints them.</summary>
    public const string Version = BuildInfo.Version;

    public static async Task<int> RunAsync(
        string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken,
        Func<AwsSettings, AwsClients>? awsFactory = null, Func<ILedger, ILedger>? ledgerOpened = null, TimeProvider? time = null, ITerminal? terminal = null)
    {
        var (root, globals) = CreateRoot(
            stdout, stderr, awsFactory ?? (settings => new AwsClients(AwsSession.Resolve(settings), options: AwsTransportOptions.FromEnvironment())), ledgerOpened,
            time ?? TimeProvider.System, terminal ?? NoTerminal.Instance);

        var parse = root.Parse(args, Parsing);
        if (parse.Errors.Count > 0)
        {
            var command = CommandPath(parse.CommandResult);
            // An unknown token explains more than the "required command" error it causes.
            var error = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            var message = NotANumber(error) ?? string.Join(' ', error.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.');
            await stderr.WriteLineAsync(MessageText.Line($"rewind: {message}: see 'rewind {command}{(command.Length > 0 ? " " : "")}--help'"));
            return ExitCodes.BadInput;
        }

        var verbose = parse.GetValue(globals.Verbose);
        try
        {
            return await parse.InvokeAsync(
                new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false },
                cancellationToken);
        }
        catch (Exception e)
        {
            var (line, code) = Describe(e, cancellationToken);
            await stderr.WriteLineAsync(MessageText.Line($"rewind: {line}"));
            if (verbose && e is not IRewindFailure && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
                await stderr.WriteLineAsync(e.ToString());
            return code;
        }
    }

    /// <summary>"incident open" for <c>rewind incident open …</c>: where that command's --help is.</summary>
    private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (var current = result; current.Parent is System.CommandLine.Parsing.CommandResult parent; current = parent)
            names.Insert(0, current.Command.Name);
        return string.Join(' ', names);
    }

    /// <summary>
    /// No response files: an argument starting with '@' is ordinary text (a Slack mention, a message), never "read more
    /// arguments from this file", which let a file turn a dry run into a live one.
    /// </summary>
    private static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null };

    /// <summary>
    /// A value that does not parse as the number an option takes, said in words ("a whole number"), not as the .NET type
    /// System.CommandLine names; null for every other error.
    /// </summary>
    private static string? NotANumber(System.CommandLine.Parsing.ParseError error)
    {
        if (error.SymbolResult is not System.CommandLine.Parsing.OptionResult { Option: var option } result
            || !error.Message.StartsWith("Cannot parse argument", StringComparison.Ordinal))
            return null;
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        var kind = type == typeof(int) || type == typeof(long) ? "a whole number" : type == typeof(double) ? "a number" : null;
        if (kind is null)
            return null;
        var given = string.Join(' ', result.Tokens.Select(t => t.Value));
        return $"{option.Name} '{MessageText.Value(given)}' is not {kind}: give {kind}{(kind == "a whole number" ? " such as 5" : " such as 2.5")}";
    }

    /// <summary>Every command, as the parser sees it: for documentation checks and completion tests.</summary>
    public static RootCommand Commands() => CreateRoot(TextWriter.Null, TextWriter.Null, settings => new AwsClients(AwsSession.Resolve(settings), options: AwsTransportOptions.FromEnvironment())).Root;

    private static (RootCommand Root, GlobalOptions Globals) CreateRoot(
        TextWriter stdout, TextWriter stderr, Func<AwsSettings, AwsClients> awsFactory, Func<ILedger, ILedger>? ledgerOpened = null,
        TimeProvider? time = null, ITerminal? terminal = null)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("Rewind: the production rollback playbook as one fast, safe, verified command.");
        foreach (var option in globals.All)
            root.Options.Add(option);
        CliContext Context(ParseResult parse) => new(stdout, stderr, globals, parse, awsFactory)
        {
            LedgerOpened = ledgerOpened ?? (ledger => ledger),
            Time = time ?? TimeProvider.System,
            Terminal = terminal ?? NoTerminal.Instance,
        };

        root.Subcommands.Add(InitCommand.Create(Context));
        root.Subcommands.Add(DoctorCommand.Create(Context));
        root.Subcommands.Add(LedgerCommands.Create(Context));
        root.Subcommands.Add(LedgerCommands.History(Context));
        root.Subcommands.Add(Demo.DemoCommand.Create(Context));
        root.Subcommands.Add(StatusCommands.Status(Context));
        root.Subcommands.Add(StatusCommands.Record(Context));
        root.Subcommands.Add(CompletionCommand.Create(Context));
        root.Subcommands.Add(InfraCommands.Create(Context));
        root.Subcommands.Add(IncidentCommands.Create(Context));
        root.Subcommands.Add(FreezeCommands.Create(Context));
        root.Subcommands.Add(NotifyCommands.Create(Context));
        root.Subcommands.Add(UndoCommand.Create(Context));
        root.Subcommands.Add(IamPolicyCommand.Create(Context));
        foreach (var command in RollbackCommands.Create(Context))
            root.Subcommands.Add(command);
        foreach (var command in ReportCommands.Create(Context))
            root.Subcommands.Add(command);
        foreach (var command in VerificationCommands.Create(Context))
            root.Subcommands.Add(command);
        return (root, globals);
    }

    /// <summary>
    /// The one line and exit code for a failure: every expected failure is an <see cref="IRewindFailure"/>, whose kind
    /// alone picks the code (<see cref="ExitCodes.Of"/>); anything else is a bug.
    /// </summary>
    internal static (string Line, int Code) Describe(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested =>
            ("cancelled", ExitCodes.Of(FailureKind.Cancelled)),
        IRewindFailure failure => (failure.Hint.Length == 0 ? e.Message : $"{e.Message}: {failure.Hint}", ExitCodes.Of(failure.Kind)),
        _ => ($"internal error: {e.GetType().Name}: {e.Message} (a bug: run again with --verbose for the stack trace and report it)", ExitCodes.Of(FailureKind.Failed)),
    };
}
