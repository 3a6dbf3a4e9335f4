using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Microsoft.Data.Sqlite;
using Rewind.Core.Ledger;
using Rewind.Ledger.DynamoDb;
using Rewind.Ledger.Sqlite;

namespace Rewind.Ledger.Workload;

/// <summary>
/// The ledger's concurrency and crash workloads, driven one line at a time. Run as a separate process (stdin and
/// stdout) or in-process on a task with its own ledger and client.
/// </summary>
/// <remarks>
/// <c>append</c> (store) <c>--run R --count N --writer W</c>: says "ready", waits for "go", appends N entries
/// (saying "appending" after the first), says "done N".
/// <c>contend</c> (store) <c>--service S --owner O</c>: per line "acquire K" says "K won" or "K lost HOLDER";
/// per "release K" says "K released true|false"; "quit" ends.
/// <c>hold-write --path P --run R</c>: opens the SQLite file raw, BEGIN IMMEDIATE, inserts a journal row and moves
/// the head, says "in-transaction" and waits to be killed.
/// Store: <c>--backend sqlite --path P</c> or <c>--backend dynamodb --endpoint URL --table T</c>.
/// </remarks>
public static class WorkloadCommands
{
    private const string Host = "workload-host";

    public static async Task<int> RunAsync(
        string[] args,
        Func<CancellationToken, Task<string?>> readLine,
        Action<string> writeLine,
        Action<string> writeError,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(readLine);
        ArgumentNullException.ThrowIfNull(writeLine);
        ArgumentNullException.ThrowIfNull(writeError);
        var options = WorkloadOptions.Parse(args);
        try
        {
            return options.Command switch
            {
                "append" => await AppendAsync(options, readLine, writeLine, cancellationToken),
                "contend" => await ContendAsync(options, readLine, writeLine, cancellationToken),
                "hold-write" => await HoldWriteAsync(options, writeLine, cancellationToken),
                _ => Usage(writeError),
            };
        }
        catch (LedgerException e)
        {
            writeError($"ledger error ({e.Reason}): {e.Message}");
            return 3;
        }
    }

    private static async Task<int> AppendAsync(
        WorkloadOptions options,
        Func<CancellationToken, Task<string?>> readLine,
        Action<string> writeLine,
        CancellationToken cancellationToken)
    {
        await using var store = await options.OpenAsync(cancellationToken);
        var count = int.Parse(options.Get("count"), CultureInfo.InvariantCulture);
        var writer = options.Get("writer");
        var run = options.Get("run");
        writeLine("ready");
        if (await readLine(cancellationToken) != "go")
        {
            return 2;
        }

        for (var i = 1; i <= count; i++)
        {
            await store.Ledger.Runs.AppendJournalAsync(
                run,
                "workload",
                JournalKind.CallSent,
                FormattableString.Invariant($$"""{"writer":"{{writer}}","n":{{i}}}"""),
                cancellationToken);
            if (i == 1)
            {
                writeLine("appending");
            }
        }

        writeLine(FormattableString.Invariant($"done {count}"));
        return 0;
    }

    private static async Task<int> ContendAsync(
        WorkloadOptions options,
        Func<CancellationToken, Task<string?>> readLine,
        Action<string> writeLine,
        CancellationToken cancellationToken)
    {
        await using var store = await options.OpenAsync(cancellationToken);
        var service = options.Get("service");
        var owner = options.Get("owner");
        writeLine("ready");
        while (await readLine(cancellationToken) is { } line)
        {
            var parts = line.Split(' ');
            switch (parts[0])
            {
                case "acquire":
                    var attempt = await store.Ledger.Leases.TryAcquireAsync(
                        service, owner, Host, TimeSpan.FromMinutes(5), cancellationToken);
                    writeLine(attempt.Acquired ? $"{parts[1]} won" : $"{parts[1]} lost {attempt.Lease.Owner}");
                    break;
                case "release":
                    var released = await store.Ledger.Leases.ReleaseAsync(service, owner, Host, cancellationToken);
                    writeLine($"{parts[1]} released {(released ? "true" : "false")}");
                    break;
                case "quit":
                    return 0;
                default:
                    break;
            }
        }

        return 0;
    }

    private static async Task<int> HoldWriteAsync(
        WorkloadOptions options, Action<string> writeLine, CancellationToken cancellationToken)
    {
        using var connection = new SqliteConnection(
            new SqliteConnectionStringBuilder { DataSource = options.Get("path"), Pooling = false }.ToString());
        connection.Open();
        using (var begin = connection.CreateCommand())
        {
            begin.CommandText = "PRAGMA busy_timeout = 5000; BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();
        }

        using (var write = connection.CreateCommand())
        {
            write.CommandText =
                """
                INSERT INTO journal (run_id, seq, time, step, kind, detail, prev_hash, hash)
                SELECT id, last_seq + 1, '2026-11-27T09:15:00.0000000Z', 'partial', 'call-sent', '{}', last_hash, 'partial'
                FROM runs WHERE id = $run;
                UPDATE runs SET last_seq = last_seq + 1, last_hash = 'partial' WHERE id = $run;
                """;
            write.Parameters.AddWithValue("$run", options.Get("run"));
            write.ExecuteNonQuery();
        }

        writeLine("in-transaction");
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 0;
    }

    private static int Usage(Action<string> writeError)
    {
        writeError("usage: Rewind.Ledger.Workload append|contend|hold-write --backend sqlite|dynamodb …");
        return 2;
    }

    /// <summary>Parsed command line: a command and --name value pairs.</summary>
    private sealed class WorkloadOptions
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

        public string Command { get; private init; } = string.Empty;

        public static WorkloadOptions Parse(string[] args)
        {
            var options = new WorkloadOptions { Command = args.Length > 0 ? args[0] : string.Empty };
            for (var i = 1; i + 1 < args.Length; i += 2)
            {
                options._values[args[i].TrimStart('-')] = args[i + 1];
            }

            return options;
        }

        public string Get(string name) =>
            _values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"missing --{name}");

        public async Task<Store> OpenAsync(CancellationToken cancellationToken)
        {
            if (Get("backend") == "sqlite")
            {
                return new Store(await SqliteLedger.OpenAsync(Get("path"), cancellationToken), null);
            }

            var client = new AmazonDynamoDBClient(
                new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                new AmazonDynamoDBConfig { ServiceURL = Get("endpoint"), AuthenticationRegion = "us-east-1" });
            return new Store(new DynamoDbLedger(client, Get("table")), client);
        }
    }

    /// <summary>A ledger and the client it owns, disposed together.</summary>
    private sealed record Store(ILedger Ledger, IDisposable? Client) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Ledger.DisposeAsync();
            Client?.Dispose();
        }
    }
}
