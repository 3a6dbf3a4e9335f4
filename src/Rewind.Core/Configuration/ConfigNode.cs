using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Rewind.Core.Configuration;

/// <summary>A YAML node with its position, built from parser events so no reflection is involved.</summary>
internal abstract class ConfigNode(int line, int column)
{
    public int Line { get; } = line;

    public int Column { get; } = column;

    public abstract string Kind { get; }
}

internal sealed class ConfigScalar(int line, int column, string value, bool isPlain) : ConfigNode(line, column)
{
    public string Value { get; } = value;

    public bool IsPlain { get; } = isPlain;

    /// <summary>YAML's null: an empty plain scalar, <c>~</c> or <c>null</c>.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Kind => IsNull ? "empty" : "a value";
}

internal sealed class ConfigMapping(int line, int column, IReadOnlyList<KeyValuePair<ConfigNode, ConfigNode>> entries) : ConfigNode(line, column)
{
    public IReadOnlyList<KeyValuePair<ConfigNode, ConfigNode>> Entries { get; } = entries;

    public override string Kind => "a mapping";
}

internal sealed class ConfigSequence(int line, int column, IReadOnlyList<ConfigNode> items) : ConfigNode(line, column)
{
    public IReadOnlyList<ConfigNode> Items { get; } = items;

    public override string Kind => "a list";
}

/// <summary>Reads the single YAML document of a configuration into <see cref="ConfigNode"/>s.</summary>
internal static class ConfigDocument
{
    private const string StringTag = "tag:yaml.org,2002:str";

    /// <summary>The document's root node, or null when the text holds no document (empty, or only comments).</summary>
    public static ConfigNode? Read(string yaml, string sourceName)
    {
        var parser = new Parser(new StringReader(yaml));
        var anchors = new Dictionary<string, ConfigNode>(StringComparer.Ordinal);
        try
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _))
            {
                return null;
            }

            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, anchors, sourceName);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                throw new ConfigException(sourceName, Line(second.Start), Column(second.Start), null,
                    "a second YAML document ('---'): keep one configuration per file");
            }

            parser.Consume<StreamEnd>();
            return root;
        }
        catch (YamlException e)
        {
            throw new ConfigException(sourceName, Line(e.Start), Column(e.Start), null,
                $"malformed YAML: {OneLine(e)}: check the indentation, the ':' after each key and the quoting", e);
        }
    }

    private static ConfigNode ReadNode(IParser parser, Dictionary<string, ConfigNode> anchors, string sourceName)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (anchors.TryGetValue(alias.Value.Value, out var anchored))
            {
                return anchored;
            }

            throw new ConfigException(sourceName, Line(alias.Start), Column(alias.Start), null,
                $"unknown alias '*{alias.Value.Value}': define it with '&{alias.Value.Value}' before using it");
        }

        var start = parser.Current ?? throw new YamlException("unexpected end of the document");
        ConfigNode node;
        AnchorName anchor;
        switch (start)
        {
            case Scalar scalar:
                parser.MoveNext();
                CheckTag(scalar.Tag, scalar.Start, sourceName, allowString: true);
                var isString = !scalar.Tag.IsEmpty && scalar.Tag.Value == StringTag;
                node = new ConfigScalar(Line(scalar.Start), Column(scalar.Start), scalar.Value,
                    isPlain: scalar.Style == ScalarStyle.Plain && !isString);
                anchor = scalar.Anchor;
                break;
            case MappingStart mapping:
                parser.MoveNext();
                CheckTag(mapping.Tag, mapping.Start, sourceName, allowString: false);
                var entries = new List<KeyValuePair<ConfigNode, ConfigNode>>();
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var key = ReadNode(parser, anchors, sourceName);
                    var value = ReadNode(parser, anchors, sourceName);
                    entries.Add(new KeyValuePair<ConfigNode, ConfigNode>(key, value));
                }

                node = new ConfigMapping(Line(mapping.Start), Column(mapping.Start), entries);
                anchor = mapping.Anchor;
                break;
            case SequenceStart sequence:
                parser.MoveNext();
                CheckTag(sequence.Tag, sequence.Start, sourceName, allowString: false);
                var items = new List<ConfigNode>();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    items.Add(ReadNode(parser, anchors, sourceName));
                }

                node = new ConfigSequence(Line(sequence.Start), Column(sequence.Start), items);
                anchor = sequence.Anchor;
                break;
            default:
                throw new YamlException(start.Start, start.End, $"unexpected {start.GetType().Name}");
        }

        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = node;
        }

        return node;
    }

    private static void CheckTag(TagName tag, Mark start, string sourceName, bool allowString)
    {
        if (tag.IsEmpty || tag.IsNonSpecific || (allowString && tag.Value == StringTag))
        {
            return;
        }

        throw new ConfigException(sourceName, Line(start), Column(start), null,
            $"YAML tag '{tag.Value}' is not supported: remove it (only !!str is allowed, to force a string)");
    }

    private static int Line(Mark mark) => (int)Math.Min(mark.Line, int.MaxValue);

    private static int Column(Mark mark) => (int)Math.Min(mark.Column, int.MaxValue);

    // YamlDotNet prefixes its messages with "(Line: 3, Col: 5, Idx: 20) - (Line: …): "; the position is already ours.
    private static string OneLine(YamlException e)
    {
        var message = e.Message;
        var marker = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && marker >= 0)
        {
            message = message[(marker + 3)..];
        }

        return message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
    }
}
