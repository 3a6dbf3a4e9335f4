namespace Rewind.Core.Configuration;

/// <summary>Where a configuration is read from, and how its errors are worded.</summary>
internal sealed class ConfigSource(string sourceName, Func<string, string?> environment, string? folder = null)
{
    public string Name { get; } = sourceName;

    /// <summary>The absolute folder of the file read; null for text parsed without a file (the playbook's defaults).</summary>
    public string? Folder { get; } = folder;

    public Func<string, string?> Environment { get; } = environment;

    public ConfigException At(ConfigNode node, string? key, string problem) =>
        new(Name, node.Line, node.Column, key, problem);

    public ConfigException Whole(string? key, string problem) =>
        new(Name, null, null, key, problem);

    /// <summary>A variable's value, with empty treated as unset (as the playbook scripts' <c>${VAR:-default}</c> does).</summary>
    public string? Variable(string name) => Environment(name) is { Length: > 0 } value ? value : null;

    /// <summary>Expands a leading <c>~</c> to the home directory.</summary>
    public string ExpandHome(string path, ConfigNode node, string key)
    {
        if (path != "~" && !path.StartsWith("~/", StringComparison.Ordinal))
        {
            if (path.StartsWith('~'))
            {
                throw At(node, key, $"{key} '{path}': only '~' and '~/' are expanded: write the full path");
            }

            return path;
        }

        var home = Variable("HOME") ?? System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        if (string.IsNullOrEmpty(home))
        {
            throw At(node, key, $"{key} starts with '~' but HOME is not set: write the full path");
        }

        return path == "~" ? home : Path.Combine(home, path[2..]);
    }

    /// <summary>
    /// A path-valued key: <c>~</c> expanded, then a relative path made absolute against <see cref="Folder"/>, so it means the same
    /// wherever rewind runs from. Without a file there is no folder, and a relative path stays relative to the working directory.
    /// </summary>
    public string ResolvePath(string path, ConfigNode node, string key) => Anchor(ExpandHome(path, node, key));

    /// <summary>A relative path made absolute against <see cref="Folder"/> (a rooted path, or any path without a file, unchanged).</summary>
    public string Anchor(string path) => Folder is null || Path.IsPathRooted(path) ? path : Path.GetFullPath(path, Folder);
}
