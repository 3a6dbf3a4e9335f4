namespace Rewind.Core.Configuration;

/// <summary>A configuration that cannot be used: its message is one line naming the file, position, key and fix.</summary>
public sealed class ConfigException : Exception, IRewindFailure
{
    public ConfigException()
        : this("the configuration is not valid")
    {
    }

    public ConfigException(string message)
        : base(message)
    {
        SourceName = string.Empty;
        Problem = message;
    }

    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        SourceName = string.Empty;
        Problem = message;
    }

    /// <summary>A problem at a position in a file (line and column are 1-based) or, without a position, with the file as a whole.</summary>
    public ConfigException(string sourceName, int? line, int? column, string? key, string problem, Exception? innerException = null)
        : base(Format(sourceName, line, column, problem), innerException)
    {
        SourceName = sourceName;
        Line = line;
        Column = column;
        Key = key;
        Problem = problem;
    }

    private ConfigException(string sourceName, string separator, string problem, Exception innerException)
        : base(sourceName + separator + problem, innerException)
    {
        SourceName = sourceName;
        Problem = problem;
    }

    /// <summary>The file (or other source) the configuration came from, as the user named it.</summary>
    public string SourceName { get; }

    /// <summary>The 1-based line of the problem, when it has one.</summary>
    public int? Line { get; }

    /// <summary>The 1-based column of the problem, when it has one.</summary>
    public int? Column { get; }

    /// <summary>The dotted key the problem is about (<c>canary.listener_arn</c>, <c>secrets[0].id</c>), when there is one.</summary>
    public string? Key { get; }

    /// <summary>The message without the file and position.</summary>
    public string Problem { get; }

    /// <summary>A configuration is always the user's to fix, before anything is read from or sent to AWS.</summary>
    public FailureKind Kind => FailureKind.BadInput;

    public string? AwsCode => null;

    /// <summary>The message already names the key and the fix.</summary>
    public string Hint => string.Empty;

    /// <summary>The configuration file does not exist: says how to create one.</summary>
    public static ConfigException NotFound(string path, Exception innerException) =>
        new(path, " ", "not found: run 'rewind init' to write one, or pass --config PATH", innerException);

    private static string Format(string sourceName, int? line, int? column, string problem) =>
        line is { } l && column is { } c ? $"{sourceName}:{l}:{c}: {problem}" : $"{sourceName}: {problem}";
}
