using System.CommandLine;
using Rewind.Aws;

namespace Rewind.Cli;

/// <summary>What one invocation of a command works with: its streams, its parsed global options, its AWS factory.</summary>
public sealed class CliContext(TextWriter stdout, TextWriter stderr, GlobalOptions globals, ParseResult parse, Func<AwsSettings, AwsClients> awsFactory)
{
    public TextWriter Out { get; } = stdout;
    public TextWriter Error { get; } = stderr;
    public ParseResult Parse { get; } = parse;
    public OutputFormat Output => Parse.GetValue(globals.Output) == "json" ? OutputFormat.Json : OutputFormat.Text;
    public bool Verbose => Parse.GetValue(globals.Verbose);
    public AwsSettings AwsSettings => globals.AwsSettings(Parse);

    /// <summary>Resolves the AWS session (credentials, region, endpoints) and builds the clients.</summary>
    public AwsClients Aws()
    {
        var clients = awsFactory(AwsSettings);
        if (Verbose)
        {
            clients.Transport.Sending += (service, request) => Log($"aws: {service.DisplayName} {request.Operation}");
            clients.Transport.Retrying += e => Log($"aws: {e.Service.DisplayName} retry {e.NextAttempt} in {e.Delay.TotalMilliseconds:0} ms after {e.Failure?.Message}");
        }
        return clients;
    }

    /// <summary>Progress and logs go to stderr; stdout carries only data.</summary>
    public void Log(string line) => Error.WriteLine(line);
}
