using System.Text.Json.Nodes;

namespace Rewind.Playbook.Infra;

/// <summary>One resource a plan changes: its address and what happens to it (create, update, replace, delete).</summary>
public sealed record ResourceChange(string Address, string Action)
{
    public override string ToString() => $"{Action} {Address}";
}

/// <summary>
/// What a saved plan does, read from <c>terraform show -json</c>: counted as terraform counts them (a replacement is
/// one add and one destroy), with the address of every changed resource.
/// </summary>
public sealed record TerraformPlanSummary(int Adds, int Changes, int Destroys, IReadOnlyList<ResourceChange> Resources)
{
    public bool IsEmpty => Resources.Count == 0;

    /// <summary>"1 to add, 0 to change, 2 to destroy", as terraform says it.</summary>
    public override string ToString() => $"{Adds} to add, {Changes} to change, {Destroys} to destroy";

    public static TerraformPlanSummary Parse(JsonNode plan)
    {
        var resources = new List<ResourceChange>();
        int adds = 0, changes = 0, destroys = 0;
        foreach (var change in plan["resource_changes"]?.AsArray() ?? [])
        {
            if (change?["mode"]?.GetValue<string>() is "data")
                continue;
            var actions = change?["change"]?["actions"]?.AsArray().Select(a => a?.GetValue<string>()).ToList() ?? [];
            var create = actions.Contains("create");
            var delete = actions.Contains("delete");
            var update = actions.Contains("update");
            if (create)
                adds++;
            if (delete)
                destroys++;
            if (update)
                changes++;
            var action = (create, delete, update) switch
            {
                (true, true, _) => "replace",
                (true, false, _) => "create",
                (false, true, _) => "delete",
                (_, _, true) => "update",
                _ => null,
            };
            if (action is not null)
                resources.Add(new ResourceChange(change?["address"]?.GetValue<string>() ?? "?", action));
        }
        return new TerraformPlanSummary(adds, changes, destroys, resources);
    }

    /// <summary>The resources as plan parameters keep them: one "action address" per line.</summary>
    public string ResourceLines => string.Join('\n', Resources);

    public static IReadOnlyList<ResourceChange> ParseLines(string lines) =>
        [.. lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 2)).Select(p => new ResourceChange(p[1], p[0]))];
}
