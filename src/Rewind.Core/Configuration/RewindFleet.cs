namespace Rewind.Core.Configuration;

/// <summary>
/// Every service <c>rewind.yaml</c> describes, in the file's order: the items of <c>services:</c>, or the one <c>service:</c>
/// (a fleet of one). Each service is a whole <see cref="RewindConfig"/>, so what works on one service works on a selected one.
/// </summary>
/// <param name="SourceName">The file (or other source) the fleet was read from, as the user named it.</param>
/// <param name="Services">The services, in the file's order; never empty, names unique.</param>
public sealed record RewindFleet(string SourceName, ValueList<FleetService> Services)
{
    /// <summary>The services' names, in the file's order.</summary>
    public IReadOnlyList<string> Names => [.. Services.Select(service => service.Name)];

    /// <summary>The service named <paramref name="name"/>, or null.</summary>
    public RewindConfig? Find(string name) => Services.FirstOrDefault(service => service.Name == name)?.Config;

    /// <summary>The names the service <paramref name="name"/> depends on (rolled back before it); empty for an unknown name.</summary>
    public IReadOnlyList<string> DependsOn(string name) =>
        Services.FirstOrDefault(service => service.Name == name)?.DependsOn ?? ValueList<string>.Empty;

    /// <summary>
    /// The services named, in the file's order; every service when <paramref name="names"/> is empty. A name not in the
    /// file is bad input, with the closest name suggested.
    /// </summary>
    public IReadOnlyList<RewindConfig> Select(IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.FirstOrDefault(name => Find(name) is null) is { } unknown)
        {
            var suggestion = KeySuggestions.Closest(unknown, Names) is { } closest ? $" (did you mean '{closest}'?)" : string.Empty;
            throw new ConfigException($"{SourceName} has no service '{unknown}'{suggestion}: pass --service with one of {string.Join(", ", Names)}");
        }

        return [.. Services.Where(service => names.Count == 0 || names.Contains(service.Name)).Select(service => service.Config)];
    }

    /// <summary>The one service of a fleet of one; with several, bad input naming them and asking for <c>--service</c>.</summary>
    public RewindConfig OnlyService => Services.Count == 1
        ? Services[0].Config
        : throw new ConfigException($"{SourceName} has {Services.Count} services ({string.Join(", ", Names)}): pass --service NAME");

    /// <summary>
    /// The service a command that acts on one service works on: the one <c>--service</c> names, else <see cref="OnlyService"/>.
    /// </summary>
    public RewindConfig One(IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
        {
            return OnlyService;
        }

        return Select(names) is [var one]
            ? one
            : throw new ConfigException($"this command works on one service, and --service names {names.Count} ({string.Join(", ", names)}): pass one --service NAME");
    }
}
