using System.Text;
using Rewind.Core.Files;

namespace Rewind.Cli.Commands;

/// <summary>
/// What the deploy pipeline reads from <c>rewind freeze check</c> and <c>rewind record</c> beyond their ordinary output:
/// on GitHub Actions (<c>GITHUB_ACTIONS=true</c>) the freeze as an <c>::error::</c> workflow command, which GitHub shows as
/// an annotation on the job, and the recorded release appended to the file <c>GITHUB_OUTPUT</c> names, which the next
/// step and job read as <c>steps.ID.outputs.release</c>. Other CI systems read the ordinary output and the exit code.
/// </summary>
public static class PipelineOutput
{
    /// <summary>The annotation's title: the line GitHub shows in bold above the reason.</summary>
    public const string FrozenTitle = "Releases frozen";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Whether this process runs as a GitHub Actions step (the runner sets <c>GITHUB_ACTIONS=true</c>).</summary>
    public static bool OnGitHubActions(Func<string, string?> environment) =>
        string.Equals(environment("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The workflow command <c>::error title=TITLE::MESSAGE</c>, one line whatever the message holds: the message's
    /// <c>%</c>, CR and LF are escaped (<c>%25</c>, <c>%0D</c>, <c>%0A</c>) as GitHub requires, the title's <c>:</c> and
    /// <c>,</c> too (<c>%3A</c>, <c>%2C</c>), since they end a property.
    /// </summary>
    public static string ErrorAnnotation(string title, string message) => $"::error title={EscapeProperty(title)}::{EscapeData(message)}";

    /// <summary>A workflow command's message: <c>%</c> first (so an escape is never escaped twice), then CR and LF.</summary>
    public static string EscapeData(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    /// <summary>A workflow command's property value: the message's escapes and <c>:</c>, <c>,</c>.</summary>
    public static string EscapeProperty(string value) =>
        EscapeData(value).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);

    /// <summary>The file <c>GITHUB_OUTPUT</c> names, or null when it is unset or empty (not on GitHub Actions).</summary>
    public static string? OutputFile(Func<string, string?> environment) =>
        environment("GITHUB_OUTPUT") is { Length: > 0 } path ? Path.GetFullPath(path) : null;

    /// <summary>
    /// Refuses, before anything is recorded, an output file that cannot be appended to: a symbolic link (Rewind never
    /// writes through one) or a folder. Bad input: nothing was changed.
    /// </summary>
    public static void CheckOutputFile(string path)
    {
        PrivateFiles.RefuseLink(path);
        if (Directory.Exists(path))
            throw new CliException($"GITHUB_OUTPUT names a folder ({path}), not a file", "unset GITHUB_OUTPUT, or point it at a file");
    }

    /// <summary>
    /// <c>name=value</c> lines, one per output, in GitHub's format; a value with a line break uses the
    /// <c>name&lt;&lt;DELIMITER</c> form with a delimiter the value does not contain.
    /// </summary>
    public static string OutputLines(IEnumerable<KeyValuePair<string, string>> outputs)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in outputs)
        {
            if (!value.Contains('\n') && !value.Contains('\r'))
            {
                text.Append(name).Append('=').Append(value).Append('\n');
                continue;
            }
            var delimiter = "REWIND_EOF";
            while (value.Contains(delimiter, StringComparison.Ordinal))
                delimiter += "_";
            text.Append(name).Append("<<").Append(delimiter).Append('\n').Append(value).Append('\n').Append(delimiter).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>
    /// Appends <paramref name="outputs"/> to the file at <paramref name="path"/>: the file is GitHub's (it creates it and
    /// reads it after the step), so it is appended to as it is, never replaced or re-moded, and created (0600) only when
    /// missing. A link at the path is refused, not followed.
    /// </summary>
    public static async Task AppendOutputsAsync(string path, IEnumerable<KeyValuePair<string, string>> outputs, CancellationToken cancellationToken)
    {
        CheckOutputFile(path);
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = PrivateFiles.FileMode;
        await using var stream = new FileStream(path, options);
        await stream.WriteAsync(Utf8.GetBytes(OutputLines(outputs)), cancellationToken);
    }
}
