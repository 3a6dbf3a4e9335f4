using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Rewind.Core.Configuration;
using Xunit;
using static Rewind.Core.Tests.Configuration.ConfigFixtures;

namespace Rewind.Core.Tests.Configuration;

/// <summary>
/// The one table of keys (<see cref="ConfigKeys"/>) against everything else that spells them: the section readers,
/// what <c>rewind init</c> writes, docs/rewind.schema.json and docs/configuration.md. A key in one and not the table,
/// or a type, bound, allowed value, requirement or default that disagrees, fails here.
/// </summary>
public sealed partial class ConfigKeysTests
{
    private static readonly Lazy<JsonElement> Schema = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "rewind.schema.json"))).RootElement.Clone());

    private static readonly string[] Audiences = ["team", "support", "customers"];

    // Keys whose default the writer does not show: the reader's default is checked for them through the parsed record.
    private static readonly string[] DefaultsNotWritten =
        ["smoke.backoff", "smoke.checks[].method", "smoke.checks[].status", "verify.baseline_tolerance_percent"];

    public static TheoryData<string> Keys => [.. ConfigKeys.All.Select(key => key.Path)];

    public static TheoryData<string> RequiredKeys => [.. ConfigKeys.All.Where(key => key.Required).Select(key => key.Path)];

    [Fact]
    public void Given_the_table_then_every_path_is_unique_and_every_key_s_section_is_a_section_of_the_table()
    {
        var paths = ConfigKeys.All.Select(key => key.Path).ToList();
        var sections = ConfigKeys.All.Where(key => key.Type is ConfigKeyType.Section or ConfigKeyType.SectionList).Select(key => key.ChildSection).Append(string.Empty).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(paths.Count, paths.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ConfigKeys.All, key => Assert.Contains(key.Section, sections));
        Assert.All(ConfigKeys.All.Where(key => key.Type == ConfigKeyType.Choice), key => Assert.Contains(key.Default ?? key.Allowed[0], key.Allowed));
    }

    [Fact]
    public void Given_the_table_then_the_loader_s_known_keys_are_its_keys_by_section_in_its_order()
    {
        Assert.Equal(
            ConfigKeys.All.GroupBy(key => key.Section).Select(g => $"{g.Key}: {string.Join(", ", g.Select(key => key.Name))}").Order(StringComparer.Ordinal),
            RewindConfigLoader.KnownKeys.Select(s => $"{s.Key}: {string.Join(", ", s.Value)}").Order(StringComparer.Ordinal));
        Assert.Equal(["service", "services", "aws", "canary", "secrets", "cdn", "infra", "smoke", "verify", "incident", "freeze", "notify", "ledger"], RewindConfigLoader.KnownKeys[string.Empty]);
    }

    [Fact]
    public void Given_the_minimal_configuration_then_it_parses_and_sets_every_required_key()
    {
        var config = Parse(Minimal().ToJsonString());

        Assert.NotNull(config.Canary);
        Assert.NotNull(config.Incident.Jira);
        Parse(MinimalFleet().ToJsonString());
        Assert.All(ConfigKeys.All.Where(key => key.Required), key => Assert.True(Find(MinimalFor(key.Path), key.Path) is not null, key.Path));
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void Given_a_key_with_a_value_of_another_type_when_read_then_the_reader_refuses_it_as_the_table_types_it(string path)
    {
        var key = ConfigKeys.Get(path);
        var shown = Shown(path);
        var (value, expected) = key.Type switch
        {
            ConfigKeyType.Section => (JsonValue.Create("x"), $"{shown} must be a mapping of keys such as '{RewindConfigLoader.KnownKeys[key.ChildSection][0]}: …', not a value"),
            ConfigKeyType.SectionList => (JsonValue.Create("x"), $"{shown} must be a list"),
            ConfigKeyType.Integer or ConfigKeyType.Number => ((JsonNode)JsonValue.Create("x"),
                $"{shown} must be a{(key.Type == ConfigKeyType.Integer ? " whole" : string.Empty)} number from {key.Minimum} to {key.Maximum}, not 'x'"),
            ConfigKeyType.Flag => (JsonValue.Create("maybe"), $"{shown} must be true or false, not 'maybe'"),
            ConfigKeyType.Duration => (JsonValue.Create("soon"), $"{shown} 'soon' is not a duration"),
            ConfigKeyType.StringList => (JsonValue.Create("x"), $"{shown} must be a list such as"),
            ConfigKeyType.StringMap => (JsonValue.Create("x"), $"{shown} must be a mapping such as"),
            ConfigKeyType.OneOrList => (new JsonObject { ["a"] = "b" }, $"{shown} must be a value or a list of values, not a mapping"),
            _ => (new JsonArray("a"), $"{shown} must be a string, not a list"),
        };

        var error = ParseError(With(path, value).ToJsonString());

        Assert.Contains(expected, error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void Given_a_key_with_bounds_or_allowed_values_when_read_outside_them_then_the_reader_refuses_it_and_accepts_the_edges(string path)
    {
        var key = ConfigKeys.Get(path);
        switch (key.Type)
        {
            case ConfigKeyType.Integer:
                var above = (int.Parse(key.Maximum!, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
                Assert.Contains($"must be a whole number from {key.Minimum} to {key.Maximum}, not '{above}'", ParseError(With(path, JsonValue.Create(int.Parse(above, CultureInfo.InvariantCulture))).ToJsonString()).Problem, StringComparison.Ordinal);
                Parse(With(path, JsonValue.Create(int.Parse(key.Minimum!, CultureInfo.InvariantCulture))).ToJsonString());
                Parse(With(path, JsonValue.Create(int.Parse(key.Maximum!, CultureInfo.InvariantCulture))).ToJsonString());
                break;
            case ConfigKeyType.Number:
                Assert.Contains($"must be a number from {key.Minimum} to {key.Maximum}, not '100.5'", ParseError(With(path, JsonValue.Create(100.5)).ToJsonString()).Problem, StringComparison.Ordinal);
                Parse(With(path, JsonValue.Create(double.Parse(key.Minimum!, CultureInfo.InvariantCulture))).ToJsonString());
                Parse(With(path, JsonValue.Create(double.Parse(key.Maximum!, CultureInfo.InvariantCulture))).ToJsonString());
                break;
            case ConfigKeyType.Duration when key.Minimum is { } minimum:
                Parse(With(path, JsonValue.Create(minimum)).ToJsonString());
                if (minimum != "0s")
                {
                    Assert.Contains($"{Shown(path)} must be at least {minimum}, not '0s'", ParseError(With(path, JsonValue.Create("0s")).ToJsonString()).Problem, StringComparison.Ordinal);
                }

                break;
            case ConfigKeyType.Choice:
                var refused = ParseError(With(path, JsonValue.Create("nope")).ToJsonString()).Problem;
                Assert.All(key.Allowed, allowed => Assert.Contains(allowed, refused, StringComparison.Ordinal));
                Assert.All(key.Allowed.Where(allowed => allowed != "dynamodb"), allowed => Parse(With(path, JsonValue.Create(allowed)).ToJsonString()));
                break;
            default:
                Assert.Null(key.Minimum);
                Assert.Null(key.Maximum);
                Assert.Empty(key.Allowed);
                break;
        }
    }

    [Theory]
    [MemberData(nameof(RequiredKeys))]
    public void Given_a_required_key_left_out_when_read_then_the_reader_names_it(string path)
    {
        var minimal = MinimalFor(path);
        var parent = Find(minimal, ConfigKeys.Get(path).Section.Replace("[]", "[0]", StringComparison.Ordinal))!.AsObject();
        parent.Remove(ConfigKeys.Get(path).Name);

        var error = ParseError(minimal.ToJsonString());

        Assert.Contains(ConfigKeys.Get(path).Name, error.Problem, StringComparison.Ordinal);
        Assert.Matches("is required|needs", error.Problem);
    }

    [Fact]
    public void Given_the_minimal_configuration_when_read_and_written_then_every_default_written_is_the_table_s()
    {
        var minimal = Minimal();
        var written = WrittenValues(RewindConfigWriter.Write(Parse(minimal.ToJsonString())));
        var withDefaults = ConfigKeys.All.Where(key => key.Default is not null && key.SameAs is null && !key.Path.StartsWith("services", StringComparison.Ordinal) && Find(minimal, key.Path) is null).ToList();

        Assert.True(withDefaults.Count >= 30, $"only {withDefaults.Count} defaults to compare");

        Assert.All(withDefaults.Where(key => !DefaultsNotWritten.Contains(key.Path)), key =>
        {
            Assert.True(written.TryGetValue(key.Path, out var value), $"{key.Path} is not written");
            Assert.Equal(key.Default, value);
        });
        Assert.All(DefaultsNotWritten, path => Assert.False(written.ContainsKey(path), $"{path} is written now: drop it from DefaultsNotWritten"));
    }

    [Fact]
    public void Given_the_minimal_configuration_when_read_then_the_defaults_the_writer_does_not_show_are_the_table_s()
    {
        var config = Parse(Minimal().ToJsonString());
        var check = Assert.Single(config.Smoke!.Checks);

        Assert.Equal(ConfigKeys.Get("smoke.backoff").Default, ConfigDuration.Format(config.Smoke.Backoff));
        Assert.Equal(ConfigKeys.Get("smoke.checks[].method").Default, check.Method);
        Assert.Equal(ConfigKeys.Get("smoke.checks[].status").Default, Assert.Single(check.Status));
        Assert.Equal(ConfigKeys.Get("verify.baseline_tolerance_percent").Default, config.Verify!.BaselineTolerancePercent.ToString("0.0##", CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Given_every_section_set_when_written_then_every_key_the_writer_writes_is_in_the_table()
    {
        var full = Parse(FullExample) with { Incident = Parse(Minimal().ToJsonString()).Incident };

        var unknown = WrittenValues(RewindConfigWriter.Write(full)).Keys
            .Concat(WrittenValues(RewindConfigWriter.Write(RewindConfig.Default)).Keys)
            .Where(path => !ConfigKeys.All.Any(key => key.Path == path))
            .Distinct()
            .ToList();

        Assert.Empty(unknown);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void Given_the_published_schema_then_each_key_has_the_table_s_type_bounds_values_requirement_and_default(string path)
    {
        var key = ConfigKeys.Get(path);
        var (parent, node) = SchemaNode(path);
        var types = Types(node);

        switch (key.Type)
        {
            case ConfigKeyType.Section:
                Assert.Contains("object", types);
                break;
            case ConfigKeyType.SectionList:
                Assert.Contains("array", types);
                Assert.Contains("object", Types(Resolve(node.GetProperty("items"))));
                break;
            case ConfigKeyType.Integer or ConfigKeyType.Number:
                Assert.Equal([key.Type == ConfigKeyType.Integer ? "integer" : "number"], types);
                Assert.Equal(key.Minimum, node.GetProperty("minimum").GetRawText());
                Assert.Equal(key.Maximum, node.GetProperty("maximum").GetRawText());
                break;
            case ConfigKeyType.Flag:
                Assert.Equal(["boolean"], types);
                break;
            case ConfigKeyType.Choice:
                Assert.Equal(key.Allowed, node.GetProperty("enum").EnumerateArray().Select(value => value.GetString()!));
                break;
            case ConfigKeyType.StringList:
                Assert.Equal(["array"], types);
                Assert.Equal(["string"], Types(Resolve(node.GetProperty("items"))));
                break;
            case ConfigKeyType.StringMap:
                Assert.Equal(["object"], types);
                Assert.False(node.TryGetProperty("properties", out _));
                break;
            case ConfigKeyType.OneOrList:
                Assert.Contains(node.GetProperty("oneOf").EnumerateArray(), option => Types(Resolve(option)).Contains("array"));
                break;
            default:
                Assert.Equal(["string"], types);
                break;
        }

        var required = parent.TryGetProperty("required", out var list) && list.EnumerateArray().Any(name => name.GetString() == key.Name);
        Assert.True(key.Required == required, $"{path}: the table says required {key.Required}, the schema {required}");

        var description = node.TryGetProperty("description", out var text) ? text.GetString()! : string.Empty;
        if (description.IndexOf("Default: ", StringComparison.Ordinal) is var at and >= 0)
        {
            if (key.Default is { } value)
            {
                Assert.Contains(value, description[at..], StringComparison.Ordinal);
            }
            else
            {
                Assert.Contains("default", key.Description, StringComparison.OrdinalIgnoreCase);
            }
        }
        else if (key.Default is { } value)
        {
            Assert.Contains("default", description, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(value, description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Given_the_configuration_doc_then_its_sections_are_the_table_s_top_level_keys_in_order()
    {
        var headings = Doc().Select(row => row.Heading).Distinct().ToList();

        Assert.Equal(RewindConfigLoader.KnownKeys[string.Empty], headings);
    }

    [Fact]
    public void Given_the_configuration_doc_s_key_tables_then_they_list_exactly_the_table_s_keys_with_its_requirements_and_defaults()
    {
        var rows = Doc().ToList();
        var documented = rows.Select(row => row.Path).ToHashSet(StringComparer.Ordinal);

        Assert.Empty(rows.Where(row => !ConfigKeys.All.Any(key => key.Path == row.Path)).Select(row => row.Path));
        // A key of a services item that repeats another (services[].canary.rule_arn) is documented once, as that key.
        Assert.Empty(ConfigKeys.All.Where(key => key.Type is not (ConfigKeyType.Section or ConfigKeyType.SectionList) && !documented.Contains(key.SameAs ?? key.Path)).Select(key => key.Path));
        Assert.All(rows, row =>
        {
            var key = ConfigKeys.Get(row.Path);
            Assert.True(key.Required == (row.Default == "required"), $"{row.Path}: the table says required {key.Required}, the doc '{row.Default}'");
            if (key.Default is { } value)
            {
                Assert.Contains($"`{value}`", row.Default, StringComparison.Ordinal);
            }
        });
    }

    /// <summary>Every section set, with only its required keys (and one of each pair the section needs one of).</summary>
    private static JsonObject Minimal() => new()
    {
        ["service"] = new JsonObject(),
        ["aws"] = new JsonObject(),
        ["canary"] = new JsonObject
        {
            ["listener_arn"] = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/claude-proxy/0123456789abcdef/0123456789abcdef",
            ["main_target_group"] = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/main/0123456789abcdef",
            ["canary_target_group"] = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/canary/fedcba9876543210",
        },
        ["secrets"] = new JsonArray(new JsonObject { ["id"] = "claude-proxy/api-key" }),
        ["cdn"] = new JsonObject { ["distribution_id"] = "E123ABC" },
        ["infra"] = new JsonObject(),
        ["smoke"] = new JsonObject
        {
            ["url"] = "http://my-alb-123.eu-west-1.elb.amazonaws.com",
            ["checks"] = new JsonArray(new JsonObject { ["name"] = "health", ["path"] = "/health" }),
        },
        ["verify"] = new JsonObject { ["alarms"] = new JsonArray("claude-proxy-5xx") },
        ["incident"] = new JsonObject
        {
            ["github"] = new JsonObject { ["repository"] = "acme/claude-proxy" },
            ["jira"] = new JsonObject { ["url"] = "https://example.atlassian.net", ["project"] = "OPS", ["email_env"] = "JIRA_EMAIL", ["token_env"] = "JIRA_API_TOKEN" },
        },
        ["freeze"] = new JsonObject(),
        ["notify"] = new JsonObject
        {
            ["team"] = new JsonObject { ["slack_webhook_env"] = "SLACK_RELEASES_WEBHOOK" },
            ["support"] = new JsonObject { ["webhook_env"] = "SUPPORT_WEBHOOK" },
            ["customers"] = new JsonObject { ["webhook_env"] = "STATUS_PAGE_WEBHOOK" },
        },
        ["ledger"] = new JsonObject(),
    };

    /// <summary>
    /// The minimal configuration as one item of <c>services</c>: the per-service sections move into the item, the shared
    /// ones stay at the top level.
    /// </summary>
    private static JsonObject MinimalFleet()
    {
        var minimal = Minimal();
        var item = new JsonObject { ["name"] = "api" };
        foreach (var section in ConfigKeys.PerServiceSections)
        {
            var value = minimal[section]!;
            minimal.Remove(section);
            item[section] = value;
        }

        minimal.Remove("service");
        minimal["services"] = new JsonArray(item);
        return minimal;
    }

    /// <summary>The minimal configuration a key's path is in: the fleet one for a key of a <c>services</c> item.</summary>
    private static JsonObject MinimalFor(string path) => path.StartsWith("services", StringComparison.Ordinal) ? MinimalFleet() : Minimal();

    /// <summary>The minimal configuration with <paramref name="value"/> at <paramref name="path"/>, and without the key it may not be set with.</summary>
    private static JsonObject With(string path, JsonNode value)
    {
        var minimal = MinimalFor(path);
        var key = ConfigKeys.Get(path);
        var parent = Find(minimal, key.Section.Replace("[]", "[0]", StringComparison.Ordinal))!.AsObject();
        var partner = (key.SameAs ?? key.Path) switch
        {
            "smoke.checks_file" => "checks",
            "canary.rule_arn" => "listener_arn",
            _ => null,
        };
        if (partner is not null)
        {
            parent.Remove(partner);
        }

        parent[key.Name] = value;
        return minimal;
    }

    /// <summary>The node at a table path (<c>secrets[].id</c> is the first item's), or null.</summary>
    private static JsonNode? Find(JsonObject root, string path)
    {
        JsonNode? node = root;
        foreach (var segment in path.Replace("[0]", "[]", StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var list = segment.EndsWith("[]", StringComparison.Ordinal);
            node = node?.AsObject()[list ? segment[..^2] : segment];
            if (list)
            {
                node = node?.AsArray()[0];
            }
        }

        return node;
    }

    /// <summary>A path as messages show it: the first item of a list.</summary>
    private static string Shown(string path) => path.Replace("[]", "[0]", StringComparison.Ordinal);

    /// <summary>Each key line the writer wrote, commented out or not, as path → value (a quoted value unquoted).</summary>
    private static Dictionary<string, string> WrittenValues(string yaml)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var open = new List<string>();
        foreach (var line in yaml.Split('\n'))
        {
            var match = WrittenKey().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var depth = match.Groups["indent"].Length / 2;
            if (depth > open.Count)
            {
                continue;
            }

            open.RemoveRange(depth, open.Count - depth);
            var name = match.Groups["key"].Value;
            var path = string.Join('.', open.Append(name));
            var value = match.Groups["value"].Value;
            if (value.Length == 0)
            {
                open.Add(name);
                continue;
            }

            values.TryAdd(path, value.StartsWith('"') ? JsonSerializer.Deserialize<string>(value)! : value);
        }

        return values;
    }

    // "  deploy_timeout: 10m    # deadline", "  # profile: prod", "# canary:"; the header's prose is not snake_case.
    [GeneratedRegex("^(?<lead># )?(?<indent>(  )*)(# )?(?<key>[a-z0-9_]+):( (?<value>.*?))?( +# .*)?$")]
    private static partial Regex WrittenKey();

    /// <summary>The schema of a table path and the schema of the section holding it.</summary>
    private static (JsonElement Parent, JsonElement Node) SchemaNode(string path)
    {
        var parent = Schema.Value;
        var node = Schema.Value;
        foreach (var segment in path.Split('.'))
        {
            var list = segment.EndsWith("[]", StringComparison.Ordinal);
            parent = node;
            node = Resolve(node.GetProperty("properties").GetProperty(list ? segment[..^2] : segment));
            if (list)
            {
                node = Resolve(node.GetProperty("items"));
            }
        }

        return (parent, node);
    }

    private static JsonElement Resolve(JsonElement node)
    {
        if (!node.TryGetProperty("$ref", out var reference))
        {
            return node;
        }

        var own = node.TryGetProperty("description", out _);
        var target = Schema.Value.GetProperty("$defs").GetProperty(reference.GetString()!["#/$defs/".Length..]);
        if (!own)
        {
            return target;
        }

        // A $ref with its own description: the description is the key's, the rest the definition's.
        var merged = JsonNode.Parse(target.GetRawText())!.AsObject();
        merged["description"] = node.GetProperty("description").GetString();
        return JsonDocument.Parse(merged.ToJsonString()).RootElement.Clone();
    }

    private static string[] Types(JsonElement node) =>
        !node.TryGetProperty("type", out var type) ? []
        : type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString()!).Where(t => t != "null")]
        : [type.GetString()!];

    /// <summary>The key tables of docs/configuration.md: each row's section heading, table path and default cell.</summary>
    private static IEnumerable<(string Heading, string Path, string Default)> Doc()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "configuration.md"));
        var inSections = false;
        string? heading = null;
        var section = string.Empty;
        foreach (var line in lines)
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                inSections = line == "## Sections";
                heading = null;
                continue;
            }

            if (!inSections)
            {
                continue;
            }

            if (DocHeading().Match(line) is { Success: true } h)
            {
                heading = h.Groups["name"].Value;
                yield return (heading, heading, string.Empty);
                continue;
            }

            if (heading is null || !line.StartsWith('|'))
            {
                continue;
            }

            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            if (cells[1] is "key" or "field")
            {
                section = cells[1] == "field" ? $"{heading}.checks[]" : heading is "secrets" or "services" ? $"{heading}[]" : heading;
                continue;
            }

            if (!cells[1].StartsWith('`'))
            {
                continue;
            }

            var name = cells[1].Trim('`');
            foreach (var owner in section == "notify" ? Audiences.Select(audience => $"notify.{audience}") : [section])
            {
                yield return (heading, $"{owner}.{name}", cells[2]);
            }
        }
    }

    [GeneratedRegex("^### `(?<name>[a-z_]+)`")]
    private static partial Regex DocHeading();
}
