namespace Rewind.Core.Configuration;

/// <summary>What a key of rewind.yaml holds, as the readers accept it and the schema describes it.</summary>
public enum ConfigKeyType
{
    /// <summary>A mapping of further keys.</summary>
    Section,

    /// <summary>A list of mappings, each with the keys below <c>PATH[]</c>.</summary>
    SectionList,

    /// <summary>A non-empty string.</summary>
    Text,

    /// <summary>A file or folder path; relative to the file's folder, <c>~</c> expanded.</summary>
    FilePath,

    /// <summary>A whole number within the key's bounds.</summary>
    Integer,

    /// <summary>A number within the key's bounds.</summary>
    Number,

    /// <summary>true or false.</summary>
    Flag,

    /// <summary>A duration such as <c>90s</c>, <c>10m</c>, <c>1h30m</c>.</summary>
    Duration,

    /// <summary>A list of non-empty strings.</summary>
    StringList,

    /// <summary>One of the key's allowed values.</summary>
    Choice,

    /// <summary>A mapping of names to strings (request headers).</summary>
    StringMap,

    /// <summary>One value or a list of them.</summary>
    OneOrList,
}
