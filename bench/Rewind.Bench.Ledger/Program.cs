using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Rewind.Core.Ledger;
using Rewind.Ledger.Sqlite;

// Measures the SQLite ledger: durable journal appends per second from one process (each append its own
// BEGIN IMMEDIATE transaction), lock acquire+release latency, and ledger open time, for both durability modes
// (synchronous=NORMAL: survives a killed process, the default; synchronous=FULL: also survives power loss).
// Repeats the whole measurement and prints a Markdown table with every run and the median.
//
//   dotnet run -c Release --project bench/Rewind.Bench.Ledger -- [--runs 5] [--appends 2000] [--locks 1000] [--opens 100] [--dir DIR]
var settings = Settings.Parse(args);
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
var ct = cancellation.Token;

var root = Path.Combine(settings.Directory, $"rewind-bench-{Environment.ProcessId}");
Directory.CreateDirectory(root);
try
{
    var cold = await MeasureColdOpenAsync(Path.Combine(root, "cold.db"), ct);
    var warmup = settings with { Appends = 200, Locks = 200, Opens = 10 };
    await MeasureRunAsync(Path.Combine(root, "warmup.db"), warmup, SqliteDurability.SurvivesProcessCrash, ct);

    var normal = new List<RunResult>();
    var full = new List<RunResult>();
    for (var run = 1; run <= settings.Runs; run++)
    {
        foreach (var (durability, results) in new[] { (SqliteDurability.SurvivesProcessCrash, normal), (SqliteDurability.SurvivesPowerLoss, full) })
        {
            var result = await MeasureRunAsync(Path.Combine(root, $"run-{run}-{durability}.db"), settings, durability, ct);
            results.Add(result);
            await Console.Error.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"run {run} {durability}: {result.AppendsPerSecond:F0} appends/s, acquire+release {result.LockMedianMs:F3} ms, open {result.OpenMedianMs:F3} ms, open+close {result.OpenCloseMedianMs:F3} ms"));
        }
    }

    Console.Write(Render(settings, normal, full, cold));
}
finally
{
    Directory.Delete(root, recursive: true);
}

static async Task<double> MeasureColdOpenAsync(string path, CancellationToken ct)
{
    // The first open in a process: loads the native SQLite library and JITs the ledger (a NativeAOT CLI pays less).
    var watch = Stopwatch.StartNew();
    await using var ledger = await SqliteLedger.OpenAsync(path, ct);
    return watch.Elapsed.TotalMilliseconds;
}

static async Task<RunResult> MeasureRunAsync(string path, Settings settings, SqliteDurability durability, CancellationToken ct)
{
    double appendsPerSecond;
    double lockMedian;
    await using (var ledger = await SqliteLedger.OpenAsync(path, durability, TimeProvider.System, ct))
    {
        var runId = LedgerIds.NewRunId(DateTimeOffset.UtcNow);
        await ledger.Runs.CreateRunAsync(
            new Run(runId, "claude-proxy-api", DateTimeOffset.UtcNow, RunStatus.Running, null, "{}"), ct);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < settings.Appends; i++)
        {
            await ledger.Runs.AppendJournalAsync(
                runId, "ecs", JournalKind.CallSent, """{"call":"UpdateService","revision":42}""", ct);
        }

        appendsPerSecond = settings.Appends / watch.Elapsed.TotalSeconds;

        var lockTimes = new double[settings.Locks];
        for (var i = 0; i < settings.Locks; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var attempt = await ledger.Leases.TryAcquireAsync("claude-proxy-api", "bench", "host", TimeSpan.FromMinutes(5), ct);
            var released = await ledger.Leases.ReleaseAsync("claude-proxy-api", "bench", "host", ct);
            lockTimes[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (!attempt.Acquired || !released)
            {
                throw new InvalidOperationException("the benchmark lost its own lease");
            }
        }

        lockMedian = Median(lockTimes);
    }

    var openTimes = new double[settings.Opens];
    var openCloseTimes = new double[settings.Opens];
    for (var i = 0; i < settings.Opens; i++)
    {
        var start = Stopwatch.GetTimestamp();
        var ledger = await SqliteLedger.OpenAsync(path, durability, TimeProvider.System, ct);
        openTimes[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        await ledger.DisposeAsync();
        openCloseTimes[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    return new RunResult(appendsPerSecond, lockMedian, Median(openTimes), Median(openCloseTimes));
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1
        ? sorted[sorted.Length / 2]
        : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static string Render(Settings settings, List<RunResult> normal, List<RunResult> full, double coldOpenMs)
{
    var text = new StringBuilder();
    var invariant = CultureInfo.InvariantCulture;
    var runs = string.Join(" | ", normal.Select((_, i) => $"run {i + 1}"));
    var separator = string.Join("|", normal.Select(_ => "---:"));
    text.AppendLine(invariant, $"| SQLite ledger (one process) | target | {runs} | median | met |");
    text.AppendLine(invariant, $"|---|---:|{separator}|---:|:---:|");
    Row("journal appends/s, 1 transaction each, NORMAL (survives kill -9; default)", "≥ 2,000", normal.Select(r => r.AppendsPerSecond), "F0", median => median >= 2000);
    Row("journal appends/s, 1 transaction each, FULL (survives power loss)", "≥ 2,000", full.Select(r => r.AppendsPerSecond), "F0", median => median >= 2000);
    Row("lock acquire + release, median ms, NORMAL (default)", "< 2", normal.Select(r => r.LockMedianMs), "F3", median => median < 2);
    Row("lock acquire + release, median ms, FULL", "< 2", full.Select(r => r.LockMedianMs), "F3", median => median < 2);
    Row("ledger open (open + schema check), median ms", "< 5", normal.Select(r => r.OpenMedianMs), "F3", median => median < 5);
    Row("ledger open + close, median ms", "< 5", normal.Select(r => r.OpenCloseMedianMs), "F3", median => median < 5);
    text.AppendLine();
    text.AppendLine(invariant, $"{settings.Runs} runs × {settings.Appends} appends, {settings.Locks} acquire+release pairs, {settings.Opens} opens per mode; journal_mode=WAL; each append and each acquire or release is its own BEGIN IMMEDIATE transaction.");
    text.AppendLine(invariant, $"First open in a fresh process (native SQLite load + JIT; not in the table, a NativeAOT CLI pays less): {coldOpenMs.ToString("F1", invariant)} ms.");
    text.AppendLine(invariant, $"{RuntimeInformation.OSDescription}, {Environment.ProcessorCount} CPUs, .NET {Environment.Version}, ledger files in {settings.Directory}.");
    return text.ToString();

    void Row(string name, string target, IEnumerable<double> values, string format, Func<double, bool> met)
    {
        var list = values.ToList();
        var median = Median(list);
        var cells = string.Join(" | ", list.Select(v => v.ToString(format, invariant)));
        text.AppendLine(invariant, $"| {name} | {target} | {cells} | **{median.ToString(format, invariant)}** | {(met(median) ? "yes" : "no")} |");
    }
}

internal sealed record RunResult(double AppendsPerSecond, double LockMedianMs, double OpenMedianMs, double OpenCloseMedianMs);

internal sealed record Settings(int Runs, int Appends, int Locks, int Opens, string Directory)
{
    public static Settings Parse(string[] args)
    {
        var settings = new Settings(5, 2000, 1000, 100, Path.GetTempPath());
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            settings = args[i] switch
            {
                "--runs" => settings with { Runs = int.Parse(value, CultureInfo.InvariantCulture) },
                "--appends" => settings with { Appends = int.Parse(value, CultureInfo.InvariantCulture) },
                "--locks" => settings with { Locks = int.Parse(value, CultureInfo.InvariantCulture) },
                "--opens" => settings with { Opens = int.Parse(value, CultureInfo.InvariantCulture) },
                "--dir" => settings with { Directory = value },
                _ => throw new ArgumentException($"unknown option {args[i]}: use --runs, --appends, --locks, --opens, --dir"),
            };
        }

        return settings;
    }
}
