using System.Text.Json;
using Rewind.Core.Configuration;
using Xunit;
using static Rewind.Core.Tests.Configuration.ConfigFixtures;

namespace Rewind.Core.Tests.Configuration;

public sealed class ConfigSchemaTests
{
    private static readonly Lazy<JsonDocument> Schema = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "rewind.schema.json"))));

    [Fact]
    public void Given_the_published_schema_then_it_is_draft_2020_12_and_closed_at_the_top()
    {
        var root = Schema.Value.RootElement;

        Assert.Equal("https://json-schema.org/draft/2020-12/schema", root.GetProperty("$schema").GetString());
        Assert.False(root.GetProperty("additionalProperties").GetBoolean());
    }

    [Fact]
    public void Given_the_published_schema_when_walked_then_its_sections_and_keys_equal_the_parsers_known_keys()
    {
        var fromSchema = new SortedDictionary<string, string[]>(StringComparer.Ordinal);
        Collect(Schema.Value.RootElement, string.Empty, fromSchema);

        var fromParser = RewindConfigLoader.KnownKeys.ToDictionary(
            section => section.Key,
            section => section.Value.Order(StringComparer.Ordinal).ToArray(),
            StringComparer.Ordinal);

        Assert.Equal(fromParser.Keys.Order(StringComparer.Ordinal), fromSchema.Keys);
        foreach (var (section, keys) in fromSchema)
        {
            Assert.True(fromParser[section].SequenceEqual(keys), $"section '{section}': schema has [{string.Join(", ", keys)}], parser has [{string.Join(", ", fromParser[section])}]");
        }
    }

    [Fact]
    public void Given_the_published_schema_when_walked_then_every_object_with_properties_refuses_other_keys()
    {
        var open = new List<string>();
        Walk(Schema.Value.RootElement, string.Empty, (path, node) =>
        {
            if (!node.TryGetProperty("additionalProperties", out var additional) || additional.ValueKind != JsonValueKind.False)
            {
                open.Add(path);
            }
        });

        Assert.Empty(open);
    }

    private static void Collect(JsonElement node, string path, SortedDictionary<string, string[]> into) =>
        Walk(node, path, (at, schema) =>
            into[at] = [.. schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)]);

    // Visits every schema that declares properties, following $ref into $defs and items of arrays ("secrets[]").
    private static void Walk(JsonElement node, string path, Action<string, JsonElement> visit)
    {
        node = Resolve(node);
        if (node.TryGetProperty("properties", out var properties))
        {
            visit(path, node);
            foreach (var property in properties.EnumerateObject())
            {
                Walk(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}", visit);
            }
        }

        if (node.TryGetProperty("items", out var items))
        {
            Walk(items, $"{path}[]", visit);
        }
    }

    private static JsonElement Resolve(JsonElement node)
    {
        if (!node.TryGetProperty("$ref", out var reference))
        {
            return node;
        }

        var name = reference.GetString()!;
        Assert.StartsWith("#/$defs/", name, StringComparison.Ordinal);
        return Schema.Value.RootElement.GetProperty("$defs").GetProperty(name["#/$defs/".Length..]);
    }
}
