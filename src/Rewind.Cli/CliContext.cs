using System.CommandLine;
using Rewind.Aws;
using Rewind.Core.Configuration;
using Rewind.Core.Files;
using Rewind.Core.Ledger;
using Rewind.Ledger;
using Rewind.Ledger.DynamoDb;
using Rewind.Ledger.Sqlite;

namespace Rewind.Cli;

/// <summary>What one invocation of a command works with: its streams, its parsed global options, its AWS factory.</summary>
public sealed class CliContext(TextWriter stdout, TextWriter stderr, GlobalOptions globals, ParseResult parse, Func<AwsSettings, AwsClients> awsFactory)
{
    private readonly Lock _logGate = new();
    private RewindConfig? _config;

    public TextWriter Out { get; } = stdout;
    public TextWriter Error { get; } = stderr;
    public ParseResult Parse { get; } = parse;
    public OutputFormat Output => Parse.GetValue(globals.Output) == "json" ? OutputFormat.Json : OutputFormat.Text;
    public bool Verbose => Parse.GetValue(globals.Verbose);
    public AwsSettings AwsSettings => globals.AwsSettings(Parse) with
    {
        ConfiguredRegion = Config.Aws.Region,
        ConfiguredEndpointUrl = Config.Aws.EndpointUrl,
        Profile = globals.AwsSettings(Parse).Profile ?? Config.Aws.Profile,
    };

    /// <summary>--endpoint-url as given, without reading any configuration.</summary>
    public string? EndpointUrlFlag => Parse.GetValue(globals.EndpointUrl);

    /// <summary>The path --config names, else ./rewind.yaml.</summary>
    public string ConfigPath => Parse.GetValue(globals.Config) ?? RewindConfigLoader.DefaultFileName;

    /// <summary>
    /// The absolute folder of <see cref="ConfigPath"/> (the working directory when it is ./rewind.yaml or the defaults):
    /// what the project writes beside its rewind.yaml, such as <c>logs/smoke_tests</c>, goes here wherever rewind runs from.
    /// </summary>
    public string ConfigFolder => Path.GetDirectoryName(Path.GetFullPath(ConfigPath))!;

    /// <summary>
    /// rewind.yaml (from --config, else ./rewind.yaml when it exists, else the playbook's defaults with the
    /// CLUSTER_NAME / SERVICE_NAME_API / TASK_FAMILY overrides). A named file that is missing is an error.
    /// </summary>
    public RewindConfig Config => _config ??= Parse.GetValue(globals.Config) is null && !File.Exists(ConfigPath)
        ? RewindConfigLoader.Parse("", "(defaults)", Environment.GetEnvironmentVariable)
        : RewindConfigLoader.Load(ConfigPath, Environment.GetEnvironmentVariable);

    /// <summary>Opens the configured ledger: SQLite (default file under the user's state folder) or DynamoDB.</summary>
    public async Task<ILedger> OpenLedgerAsync(AwsClients? aws, CancellationToken cancellationToken)
    {
        var ledger = Config.Ledger;
        if (ledger.Backend == LedgerBackend.DynamoDb)
            return await DynamoDbLedger.OpenAsync((aws ?? Aws()).DynamoDb(), ledger.Table!, TimeProvider.System, cancellationToken);
        var path = ledger.Path ?? LedgerPaths.DefaultSqlitePath();
        PrivateFiles.CreateFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return await SqliteLedger.OpenAsync(path, cancellationToken);
    }

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

    /// <summary>Progress and logs go to stderr; stdout carries only data. Safe from any thread (retries, Terraform's output).</summary>
    public void Log(string line)
    {
        lock (_logGate)
            Error.WriteLine(line);
    }
}
