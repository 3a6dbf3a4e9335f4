using System.CommandLine;
using Rewind.Aws;
using Rewind.Aws.Errors;
using Rewind.Cli.Commands;
using Rewind.Core;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;

namespace Rewind.Cli;

/// <summary>The whole CLI as a library: parse, run one command, map failures to one stderr line and an exit code.</summary>
public static class RewindApp
{
    /// <summary>The version and the commit it was built from, as <c>rewind --version</c> prints them.</summary>
    public const string Version = BuildInfo.Version;

    public static async Task<int> RunAsync(
        string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken,
        Func<AwsSettings, AwsClients>? awsFactory = null)
    {
        var (root, globals) = CreateRoot(stdout, stderr, awsFactory ?? (settings => new AwsClients(AwsSession.Resolve(settings))));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var command = string.Join(' ', parse.CommandResult.Command.Name == root.Name ? [] : [parse.CommandResult.Command.Name]);
            // An unknown token explains more than the "required command" error it causes.
            var error = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            var message = string.Join(' ', error.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.');
            await stderr.WriteLineAsync($"rewind: {message}: see 'rewind {command}{(command.Length > 0 ? " " : "")}--help'");
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
            await stderr.WriteLineAsync($"rewind: {line}");
            if (verbose && code == ExitCodes.Failed && e is not AwsException and not CliException)
                await stderr.WriteLineAsync(e.ToString());
            return code;
        }
    }

    /// <summary>Every command, as the parser sees it: for documentation checks and completion tests.</summary>
    public static RootCommand Commands() => CreateRoot(TextWriter.Null, TextWriter.Null, settings => new AwsClients(AwsSession.Resolve(settings))).Root;

    private static (RootCommand Root, GlobalOptions Globals) CreateRoot(TextWriter stdout, TextWriter stderr, Func<AwsSettings, AwsClients> awsFactory)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("Rewind: the production rollback playbook as one fast, safe, verified command.");
        foreach (var option in globals.All)
            root.Options.Add(option);
        CliContext Context(ParseResult parse) => new(stdout, stderr, globals, parse, awsFactory);

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
        foreach (var command in RollbackCommands.Create(Context))
            root.Subcommands.Add(command);
        foreach (var command in ReportCommands.Create(Context))
            root.Subcommands.Add(command);
        foreach (var command in VerificationCommands.Create(Context))
            root.Subcommands.Add(command);
        return (root, globals);
    }

    /// <summary>The one line and exit code for a failure; anything unexpected is a bug.</summary>
    internal static (string Line, int Code) Describe(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested =>
            ("cancelled", ExitCodes.Cancelled),
        CliException cli => ($"{cli.Message}: {cli.Hint}", cli.ExitCode),
        ConfigException config => (config.Message, ExitCodes.BadInput),
        LedgerException ledger => (ledger.Message, ledger.Reason switch
        {
            LedgerFailureReason.Unreachable => ExitCodes.Unavailable,
            LedgerFailureReason.Conflict => ExitCodes.Failed,
            _ => ExitCodes.BadInput,
        }),
        RunStoppedByTakeoverException stopped => (stopped.Message, ExitCodes.Blocked),
        ServiceLockedException locked => ($"{locked.Message}: wait for that run to finish, or take the lock over with --takeover", ExitCodes.Blocked),
        RewindException rewind => ($"{rewind.Message}: {rewind.Hint}", rewind.Kind switch
        {
            FailureKind.BadInput => ExitCodes.BadInput,
            FailureKind.Blocked => ExitCodes.Blocked,
            FailureKind.VerificationFailed => ExitCodes.VerificationFailed,
            _ => ExitCodes.Failed,
        }),
        AwsConfigurationException config => ($"{config.Message}: {config.Hint}", ExitCodes.BadInput),
        AwsUnavailableException unavailable => ($"{unavailable.Message}: {unavailable.Hint}", ExitCodes.Unavailable),
        AwsServiceException { IsAuthFailure: true } auth => ($"{auth.Message}: {auth.Hint}", ExitCodes.BadInput),
        AwsServiceException service when service.IsRetryable => ($"{service.Message}: {service.Hint}", ExitCodes.Unavailable),
        AwsServiceException service => ($"{service.Message}: {service.Hint}", ExitCodes.Failed),
        _ => ($"internal error: {e.GetType().Name}: {e.Message} (a bug: run again with --verbose for the stack trace and report it)", ExitCodes.Failed),
    };
}
