namespace Rewind.Core.Configuration;

/// <summary>
/// One key of rewind.yaml: its dotted path (<c>service.cluster</c>; <c>secrets[].id</c> for a key of a list's items),
/// what it holds, whether it is required, its default as written in the file, and what it means.
/// </summary>
public sealed record ConfigKey(string Path, ConfigKeyType Type, string Description)
{
    /// <summary>The section must have it (when the section is set at all).</summary>
    public bool Required { get; init; }

    /// <summary>The value a key left out has, as written in rewind.yaml; null when there is none or it is derived (from another key, the environment, the flags).</summary>
    public string? Default { get; init; }

    /// <summary>The only values a <see cref="ConfigKeyType.Choice"/> accepts.</summary>
    public IReadOnlyList<string> Allowed { get; init; } = [];

    /// <summary>The smallest number an <see cref="ConfigKeyType.Integer"/> or <see cref="ConfigKeyType.Number"/> accepts, or the shortest duration.</summary>
    public string? Minimum { get; init; }

    /// <summary>The largest number an <see cref="ConfigKeyType.Integer"/> or <see cref="ConfigKeyType.Number"/> accepts.</summary>
    public string? Maximum { get; init; }

    /// <summary>For a key of a <c>services</c> item that repeats another (<c>services[].canary.rule_arn</c>), that key's path; null otherwise.</summary>
    public string? SameAs { get; init; }

    /// <summary>The section path the key belongs to: <c>""</c> at the top level, <c>service</c>, <c>secrets[]</c>.</summary>
    public string Section => Path.LastIndexOf('.') is var dot and >= 0 ? Path[..dot] : string.Empty;

    /// <summary>The key as written in its section.</summary>
    public string Name => Path[(Path.LastIndexOf('.') + 1)..];

    /// <summary>The path its own keys have: <c>canary</c> for a section, <c>secrets[]</c> for a list of mappings.</summary>
    public string ChildSection => Type == ConfigKeyType.SectionList ? Path + "[]" : Path;
}
