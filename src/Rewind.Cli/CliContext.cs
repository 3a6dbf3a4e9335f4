using System.CommandLine;
using Rewind.Aws;
using Rewind.Aws.Credentials;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;
using Rewind.Core.Files;
using Rewind.Core.Ledger;
using Rewind.Ledger;
using Rewind.Ledger.DynamoDb;
using Rewind.Ledger.Sqlite;

namespace Rewind.Cli;

/// <summary>
/// What one invocation of a command works with: its streams, its parsed global options, its AWS factory, its clock,
/// its terminal and who is acting. Commands take all of these from here, so a test can supply each one.
/// </summary>
public sealed class CliContext(TextWriter stdout, TextWriter stderr, GlobalOptions globals, ParseResult parse, Func<AwsSettings, AwsClients> awsFactory)
{
    private readonly Lock _logGate = new();
    private RewindConfig? _config;
    private RewindFleet? _fleet;
    private bool _warnedNoLedger;

    public TextWriter Out { get; } = stdout;
    public TextWriter Error { get; } = stderr;
    public ParseResult Parse { get; } = parse;

    /// <summary>The invocation's clock: every time a command stamps, waits on or compares with comes from it.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Whom to ask before acting, and whether progress may be drawn in place.</summary>
    public ITerminal Terminal { get; init; } = NoTerminal.Instance;

    /// <summary>Who acts: the owner of the service's lock and the signature on freezes and journal entries.</summary>
    public Operator Operator { get; init; } = Operator.Current();
    public OutputFormat Output => Parse.GetValue(globals.Output) == "json" ? OutputFormat.Json : OutputFormat.Text;
    public bool Verbose => Parse.GetValue(globals.Verbose);
    public AwsSettings AwsSettings => globals.AwsSettings(Parse) with
    {
        ConfiguredRegion = Config.Aws.Region,
        ConfiguredEndpointUrl = Config.Aws.EndpointUrl,
        Profile = globals.AwsSettings(Parse).Profile ?? Config.Aws.Profile,
        RoleArn = Config.Aws.RoleArn,
        ExternalId = Config.Aws.ExternalId,
        RoleSessionName = AssumedRoleCredentialSource.SessionNameFor(Operator.User),
    };

    /// <summary>--endpoint-url as given, without reading any configuration.</summary>
    public string? EndpointUrlFlag => Parse.GetValue(globals.EndpointUrl);

    /// <summary>--region as given, without reading any configuration.</summary>
    public string? RegionFlag => Parse.GetValue(globals.Region);

    /// <summary>The path --config names, else ./rewind.yaml.</summary>
    public string ConfigPath => Parse.GetValue(globals.Config) ?? RewindConfigLoader.DefaultFileName;

    /// <summary>
    /// The absolute folder of <see cref="ConfigPath"/> (the working directory when it is ./rewind.yaml or the defaults):
    /// what the project writes beside its rewind.yaml, such as <c>logs/smoke_tests</c>, goes here wherever rewind runs from.
    /// </summary>
    public string ConfigFolder => Path.GetDirectoryName(Path.GetFullPath(ConfigPath))!;

    /// <summary>
    /// Every service of rewind.yaml (from --config, else ./rewind.yaml when it exists, else the playbook's defaults with
    /// the CLUSTER_NAME / SERVICE_NAME_API / TASK_FAMILY overrides). A named file that is missing is an error.
    /// </summary>
    public RewindFleet Fleet => _fleet ??= Parse.GetValue(globals.Config) is null && !File.Exists(ConfigPath)
        ? RewindConfigLoader.ParseFleet("", "(defaults)", Environment.GetEnvironmentVariable)
        : RewindConfigLoader.LoadFleet(ConfigPath, Environment.GetEnvironmentVariable);

    /// <summary>The names --service gives (none: every service, or the file's only one).</summary>
    public IReadOnlyList<string> ServiceNames => Parse.GetValue(globals.Service) ?? [];

    /// <summary>
    /// The one service the command works on: the one --service names, else the file's only service; several services
    /// and no --service is bad input listing their names.
    /// </summary>
    public RewindConfig Config => _config ??= Fleet.One(ServiceNames);

    /// <summary>The ledger section, shared by every service of the file: read without selecting a service.</summary>
    public LedgerSection LedgerSettings => Fleet.Services[0].Config.Ledger;

    /// <summary>
    /// Wraps every ledger this invocation opens: the identity, except in tests that stand between the command and its
    /// ledger (the crash enumeration "kills" a run after a chosen journal entry).
    /// </summary>
    public Func<ILedger, ILedger> LedgerOpened { get; init; } = ledger => ledger;

    /// <summary>
    /// Opens the configured ledger: SQLite (default file under the user's state folder) or DynamoDB. A SQLite ledger is
    /// created only on purpose: a missing file at the path rewind.yaml names is a typo until proven otherwise (bad
    /// input, nothing created), and at the default path only a command that records something creates it; the others
    /// read an empty ledger and say once that no recorded release can be the target.
    /// </summary>
    public async Task<ILedger> OpenLedgerAsync(AwsClients? aws, CancellationToken cancellationToken) =>
        LedgerOpened(await OpenConfiguredLedgerAsync(aws, cancellationToken));

    private async Task<ILedger> OpenConfiguredLedgerAsync(AwsClients? aws, CancellationToken cancellationToken)
    {
        var ledger = LedgerSettings;
        if (ledger.Backend == LedgerBackend.DynamoDb)
            return await DynamoDbLedger.OpenAsync((aws ?? Aws()).DynamoDb(), ledger.Table!, Time, cancellationToken);
        var path = Path.GetFullPath(ledger.Path ?? LedgerPaths.DefaultSqlitePath());
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            if (ledger.Path is not null && !IsRecord)
                throw new CliException($"no ledger at {path} (ledger.path in {ConfigPath})", "fix the path, or create the ledger with 'rewind ledger init'");
            if (ledger.Path is null && !CreatesLedger)
            {
                if (!_warnedNoLedger)
                    Log($"rewind: warning: no ledger at {path} yet, so no recorded release can be the target; 'rewind record' or 'rewind ledger init' creates it (or set ledger.path)");
                _warnedNoLedger = true;
                return await SqliteLedger.OpenEmptyInMemoryAsync(path, Time, cancellationToken);
            }
        }
        PrivateFiles.CreateFolder(Path.GetDirectoryName(path)!);
        return await SqliteLedger.OpenAsync(path, cancellationToken);
    }

    /// <summary><c>rewind record</c>: the deploy pipeline's first record creates the ledger wherever it is configured.</summary>
    private bool IsRecord => Parse.CommandResult.Command.Name == "record";

    /// <summary>
    /// Whether this invocation may create the ledger at its default path: <c>rewind record</c>, and any command run with
    /// <c>--live</c> (every command that changes something takes it, and a live run must journal before it acts).
    /// </summary>
    private bool CreatesLedger =>
        IsRecord
        || (Parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == "--live") is Option<bool> live && Parse.GetValue(live));

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
