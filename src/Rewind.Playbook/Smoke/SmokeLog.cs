using System.Globalization;
using Rewind.Core.Files;

namespace Rewind.Playbook.Smoke;

/// <summary>
/// The log file of one smoke run, <c>logs/smoke_tests/NAME.log</c> as the playbook's script keeps it: one line per
/// attempt, every line passed through the API key's redactor before it is written.
/// </summary>
public sealed class SmokeLog : IDisposable
{
    /// <summary>Where the logs go, relative to the base directory (the CLI gives the folder of rewind.yaml).</summary>
    public const string Folder = "logs/smoke_tests";

    private readonly StreamWriter _writer;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private Func<string, string> _redact = text => text;

    private SmokeLog(string path, StreamWriter writer, TimeProvider time)
    {
        Path = path;
        _writer = writer;
        _time = time;
    }

    /// <summary>The log file's path as given to the operator (relative when the folder was).</summary>
    public string Path { get; }

    /// <summary>
    /// Creates <c>FOLDER/NAME.log</c> under <paramref name="baseDirectory"/> (the working directory when null); a name
    /// already used gets a numeric suffix, so a run never overwrites an earlier run's log.
    /// </summary>
    public static SmokeLog Create(string? baseDirectory, string name, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var folder = baseDirectory is null ? Folder : System.IO.Path.Combine(baseDirectory, Folder);
        PrivateFiles.CreateFolder(folder);
        for (var n = 1; ; n++)
        {
            var path = System.IO.Path.Combine(folder, n == 1 ? $"{name}.log" : $"{name}-{n}.log");
            try
            {
                var stream = PrivateFiles.CreateNew(path);
                return new SmokeLog(path, new StreamWriter(stream) { AutoFlush = true }, time);
            }
            catch (IOException) when (File.Exists(path) && n < 1000)
            {
                // taken by an earlier run: try the next suffix
            }
        }
    }

    /// <summary>A name for a run without a run id: the UTC time, <c>20261127-120102</c>.</summary>
    public static string TimestampName(TimeProvider time) =>
        (time ?? throw new ArgumentNullException(nameof(time))).GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);

    /// <summary>From now on every line is passed through <paramref name="redact"/> (the API key's).</summary>
    public void RedactWith(Func<string, string> redact) => _redact = redact ?? throw new ArgumentNullException(nameof(redact));

    public void Write(string line)
    {
        var stamped = $"{_time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} {_redact(line)}";
        lock (_gate)
            _writer.WriteLine(stamped);
    }

    public void Dispose() => _writer.Dispose();
}
