namespace Rewind.Core.Configuration;

/// <summary>
/// Reads <c>services:</c>: each item a whole service over the shared sections, then the checks across items (a name or an
/// ECS service listed twice, a <c>depends_on</c> naming no service or closing a cycle), each failing on one positioned line.
/// </summary>
internal static class FleetReader
{
    public static RewindFleet Read(ConfigSource source, ConfigSection root, RewindConfig shared)
    {
        var node = root.Value("services") ?? throw root.KeyError("services", "services is empty: list at least one service, such as '- name: api'");
        if (node is not ConfigSequence sequence)
        {
            throw source.At(node, "services", $"services must be a list such as '- name: api', not {node.Kind}");
        }

        if (sequence.Items.Count == 0)
        {
            throw source.At(node, "services", "services is empty: list at least one service, such as '- name: api'");
        }

        var items = new List<Item>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            items.Add(ReadItem(source, sequence.Items[i], i, shared, items));
        }

        CheckDependencies(source, items);
        return new RewindFleet(source.Name, new ValueList<FleetService>(items.Select(item => new FleetService(item.Config, new ValueList<string>(item.DependsOn.Select(d => d.Name))))));
    }

    private static Item ReadItem(ConfigSource source, ConfigNode node, int index, RewindConfig shared, List<Item> before)
    {
        var path = $"services[{index}]";
        if (node is not ConfigMapping)
        {
            throw source.At(node, path, $"{path} must be a mapping such as '- name: api', not {node.Kind}");
        }

        var section = ConfigSection.Open(source, path, "services[]", node);
        var name = section.String("name") ?? throw source.At(node, $"{path}.name", $"{path}.name is required: the service's name, such as api");
        if (before.FirstOrDefault(item => item.Config.Service.Name == name) is { } first)
        {
            throw section.Error("name", $"{path}.name '{name}' is listed twice (first at line {first.Node.Line}): give each service its own name");
        }

        RewindConfig config;
        try
        {
            config = RewindConfigLoader.ReadServiceItem(source, section, shared);
        }
        catch (ConfigException e) when (e.Line is null)
        {
            // A problem with a section as a whole has no position of its own: the item's says which service it is.
            throw source.At(node, e.Key, $"{path} '{name}': {e.Problem}");
        }

        var service = config.Service;
        if (before.FirstOrDefault(item => SameEcsService(item.Config.Service, service)) is { } twin)
        {
            throw section.Error(section.Has("ecs_service") ? "ecs_service" : "name",
                $"{path} '{name}' is the same ECS service as services[{twin.Index}] '{twin.Config.Service.Name}' ({EcsName(service.Cluster)}/{EcsName(service.EcsService)}): list each ECS service once");
        }

        var dependsOn = new List<Dependency>();
        section.StringList("depends_on", "[api]", (dependency, at, _) =>
        {
            dependsOn.Add(new Dependency(dependency, at));
            return dependency;
        });
        return new Item(index, node, config, dependsOn);
    }

    private static void CheckDependencies(ConfigSource source, List<Item> items)
    {
        var names = items.Select(item => item.Config.Service.Name).ToList();
        foreach (var item in items)
        {
            for (var i = 0; i < item.DependsOn.Count; i++)
            {
                var dependency = item.DependsOn[i];
                if (!names.Contains(dependency.Name))
                {
                    var suggestion = KeySuggestions.Closest(dependency.Name, names) is { } closest ? $" (did you mean '{closest}'?)" : string.Empty;
                    throw source.At(dependency.Node, $"services[{item.Index}].depends_on[{i}]",
                        $"services[{item.Index}].depends_on[{i}] '{dependency.Name}' is not a service of this file{suggestion}: use one of {string.Join(", ", names)}");
                }
            }
        }

        // Depth-first from each service in the file's order: the first path that comes back to a service on it is the cycle.
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<(Item Item, Dependency? Via)>();
        foreach (var item in items)
        {
            Visit(source, item, items, done, path);
        }
    }

    private static void Visit(ConfigSource source, Item item, List<Item> items, HashSet<string> done, List<(Item Item, Dependency? Via)> path)
    {
        var name = item.Config.Service.Name;
        if (done.Contains(name))
        {
            return;
        }

        if (path.FindIndex(step => step.Item == item) is var at and >= 0)
        {
            var cycle = path.Skip(at).Select(step => step.Item.Config.Service.Name).Append(name);
            throw source.At(path[at].Via!.Node, $"services[{item.Index}].depends_on",
                $"services depend on each other in a cycle: {string.Join(" → ", cycle)}: remove one of these depends_on");
        }

        path.Add((item, null));
        foreach (var dependency in item.DependsOn)
        {
            path[^1] = (item, dependency);
            Visit(source, items.First(other => other.Config.Service.Name == dependency.Name), items, done, path);
        }

        path.RemoveAt(path.Count - 1);
        done.Add(name);
    }

    private static bool SameEcsService(ServiceSection a, ServiceSection b) =>
        EcsName(a.Cluster) == EcsName(b.Cluster) && EcsName(a.EcsService) == EcsName(b.EcsService);

    // A cluster or service is written as a name or an ARN (…:cluster/NAME, …:service/CLUSTER/NAME): compare the names.
    private static string EcsName(string value) => value.StartsWith("arn:", StringComparison.Ordinal) ? value[(value.LastIndexOf('/') + 1)..] : value;

    private sealed record Dependency(string Name, ConfigNode Node);

    private sealed record Item(int Index, ConfigNode Node, RewindConfig Config, List<Dependency> DependsOn);
}
