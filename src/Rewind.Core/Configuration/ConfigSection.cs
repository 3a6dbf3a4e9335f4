using System.Globalization;

namespace Rewind.Core.Configuration;

/// <summary>One mapping of the configuration, read key by key with typed accessors that fail with a positioned message.</summary>
internal sealed class ConfigSection
{
    private readonly ConfigSource _source;
    private readonly Dictionary<string, ConfigNode> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConfigScalar> _keys = new(StringComparer.Ordinal);

    private ConfigSection(ConfigSource source, string path, string schemaPath)
    {
        _source = source;
        Path = path;
        SchemaPath = schemaPath;
    }

    /// <summary>The dotted path of this section: empty for the top level, <c>canary</c>, <c>secrets[0]</c>, <c>notify.team</c>.</summary>
    public string Path { get; }

    /// <summary>The section's path in <see cref="ConfigKeys"/>: <c>services[].canary</c> for <c>services[1].canary</c>.</summary>
    public string SchemaPath { get; }

    /// <summary>The table path of a section below this one.</summary>
    public string SchemaKeyPath(string key) => SchemaPath.Length == 0 ? key : $"{SchemaPath}.{key}";

    /// <summary>Checks the section's keys (names, duplicates, unknown keys) and returns it; null or an empty value reads as no keys.</summary>
    public static ConfigSection Open(ConfigSource source, string path, string schemaPath, ConfigNode? node)
    {
        var section = new ConfigSection(source, path, schemaPath);
        if (node is null || node is ConfigScalar { IsNull: true })
        {
            return section;
        }

        var known = ConfigKeys.KnownKeys[schemaPath];
        if (node is not ConfigMapping mapping)
        {
            var what = path.Length == 0 ? "the file" : path;
            throw source.At(node, path, $"{what} must be a mapping of keys such as '{known[0]}: …', not {node.Kind}");
        }

        foreach (var (keyNode, value) in mapping.Entries)
        {
            if (keyNode is not ConfigScalar { IsNull: false } key)
            {
                throw source.At(keyNode, path, $"keys {section.Where} must be plain names such as '{known[0]}'");
            }

            if (section._keys.TryGetValue(key.Value, out var first))
            {
                throw source.At(key, section.KeyPath(key.Value),
                    $"duplicate key '{key.Value}' {section.Where} (first at line {first.Line}): keep one");
            }

            if (!known.Contains(key.Value))
            {
                throw source.At(key, section.KeyPath(key.Value), UnknownKey(path, key.Value, known));
            }

            section._keys[key.Value] = key;
            section._values[key.Value] = value;
        }

        return section;
    }

    /// <summary>Whether the key is written at all, even with an empty value (an optional section written empty is set, and then says what it lacks).</summary>
    public bool Contains(string key) => _keys.ContainsKey(key);

    /// <summary>Whether the key is written with a non-null value.</summary>
    public bool Has(string key) => Value(key) is not null;

    public string KeyPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>The key's value node, or null when the key is absent or its value is null.</summary>
    public ConfigNode? Value(string key) =>
        _values.TryGetValue(key, out var value) && value is not ConfigScalar { IsNull: true } ? value : null;

    /// <summary>The key's own node (for errors about the key rather than its value), or the section's.</summary>
    public ConfigNode? KeyNode(string key) => _keys.TryGetValue(key, out var node) ? node : null;

    /// <summary>A problem with the section as a whole (a missing or conflicting key): no position, as in <c>rewind.yaml: canary needs …</c>.</summary>
    public ConfigException Whole(string problem) => _source.Whole(Path, problem);

    public ConfigException At(ConfigNode node, string key, string problem) => _source.At(node, key, problem);

    public string? Variable(string name) => _source.Variable(name);

    public ConfigException Error(string key, string problem) =>
        Value(key) is { } node ? _source.At(node, KeyPath(key), problem) : _source.Whole(KeyPath(key), problem);

    public ConfigException KeyError(string key, string problem) =>
        KeyNode(key) is { } node ? _source.At(node, KeyPath(key), problem) : _source.Whole(KeyPath(key), problem);

    /// <summary>A path-valued key, resolved by <see cref="ConfigSource.ResolvePath"/>; null when absent.</summary>
    public string? FilePath(string key) =>
        String(key) is { } path ? _source.ResolvePath(path, Value(key)!, KeyPath(key)) : null;

    /// <summary>A path-valued key with a default; a relative default is anchored to the file's folder like a written value.</summary>
    public string FilePath(string key, string fallback) => FilePath(key) ?? _source.Anchor(fallback);

    public string? String(string key)
    {
        if (Value(key) is not { } node)
        {
            return null;
        }

        if (node is not ConfigScalar scalar)
        {
            throw _source.At(node, KeyPath(key), $"{KeyPath(key)} must be a string, not {node.Kind}");
        }

        if (scalar.Value.Length == 0 || string.IsNullOrWhiteSpace(scalar.Value))
        {
            throw _source.At(node, KeyPath(key), $"{KeyPath(key)} is empty: write a value or remove the key");
        }

        return scalar.Value;
    }

    public int? Integer(string key, int minimum, int maximum)
    {
        if (Scalar(key, $"a whole number from {minimum} to {maximum}") is not { } scalar)
        {
            return null;
        }

        if (!int.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            || value < minimum || value > maximum)
        {
            throw _source.At(scalar, KeyPath(key), $"{KeyPath(key)} must be a whole number from {minimum} to {maximum}, not '{scalar.Value}'");
        }

        return value;
    }

    public double? Number(string key, double minimum, double maximum)
    {
        var range = $"a number from {minimum.ToString(CultureInfo.InvariantCulture)} to {maximum.ToString(CultureInfo.InvariantCulture)}";
        if (Scalar(key, range) is not { } scalar)
        {
            return null;
        }

        if (!double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || value < minimum || value > maximum)
        {
            throw _source.At(scalar, KeyPath(key), $"{KeyPath(key)} must be {range}, not '{scalar.Value}'");
        }

        return value;
    }

    public bool? Boolean(string key)
    {
        if (Scalar(key, "true or false") is not { } scalar)
        {
            return null;
        }

        return scalar.Value switch
        {
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ => throw _source.At(scalar, KeyPath(key), $"{KeyPath(key)} must be true or false, not '{scalar.Value}'"),
        };
    }

    /// <summary>A positive duration such as <c>90s</c>, <c>10m</c> or <c>1h</c>.</summary>
    public TimeSpan? Duration(string key, TimeSpan minimum)
    {
        if (Scalar(key, "a duration") is not { } scalar)
        {
            return null;
        }

        if (!ConfigDuration.TryParse(scalar.Value, out var value))
        {
            throw _source.At(scalar, KeyPath(key), $"{KeyPath(key)} '{scalar.Value}' is not a duration: {ConfigDuration.Hint}");
        }

        if (value < minimum)
        {
            throw _source.At(scalar, KeyPath(key), $"{KeyPath(key)} must be at least {ConfigDuration.Format(minimum)}, not '{scalar.Value}'");
        }

        return value;
    }

    /// <summary>A list of non-empty strings; each item is checked by <paramref name="check"/> (which returns the stored form).</summary>
    public ValueList<string>? StringList(string key, string example, Func<string, ConfigNode, string, string> check)
    {
        if (Value(key) is not { } node)
        {
            return null;
        }

        if (node is not ConfigSequence sequence)
        {
            throw _source.At(node, KeyPath(key), $"{KeyPath(key)} must be a list such as {example}, not {node.Kind}");
        }

        var items = new List<string>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var itemPath = $"{KeyPath(key)}[{i}]";
            var item = sequence.Items[i];
            if (item is not ConfigScalar { IsNull: false } scalar || string.IsNullOrWhiteSpace(scalar.Value))
            {
                throw _source.At(item, itemPath, $"{itemPath} must be a non-empty string, not {item.Kind}");
            }

            var value = check(scalar.Value, scalar, itemPath);
            if (items.Contains(value, StringComparer.Ordinal))
            {
                throw _source.At(scalar, itemPath, $"{itemPath} '{scalar.Value}' is listed twice: keep one");
            }

            items.Add(value);
        }

        return new ValueList<string>(items);
    }

    private string Where => Path.Length == 0 ? "at the top level" : $"in {Path}";

    private ConfigScalar? Scalar(string key, string expected)
    {
        if (Value(key) is not { } node)
        {
            return null;
        }

        return node as ConfigScalar
            ?? throw _source.At(node, KeyPath(key), $"{KeyPath(key)} must be {expected}, not {node.Kind}");
    }

    private static string UnknownKey(string path, string key, IReadOnlyList<string> known)
    {
        var where = path.Length == 0 ? "top-level key" : "key";
        var inSection = path.Length == 0 ? string.Empty : $" in {path}";
        if (KeySuggestions.Closest(key, known) is { } suggestion)
        {
            return $"unknown {where} '{key}'{inSection} (did you mean '{suggestion}'?)";
        }

        if (path.Length == 0 && ConfigKeys.SectionOf(key) is { } section)
        {
            return $"unknown top-level key '{key}': it belongs in the {section} section, as {section}.{key}";
        }

        return $"unknown {where} '{key}'{inSection}: use one of {string.Join(", ", known)}";
    }
}
