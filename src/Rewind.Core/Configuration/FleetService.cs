namespace Rewind.Core.Configuration;

/// <summary>One service of a <see cref="RewindFleet"/>: its whole configuration view and the services rolled back before it.</summary>
/// <param name="Config">Everything Rewind knows about this service: its own sections and the shared ones.</param>
/// <param name="DependsOn">Names of the services rolled back before this one (<c>depends_on</c>), as written.</param>
public sealed record FleetService(RewindConfig Config, ValueList<string> DependsOn)
{
    /// <summary>The service's name (<c>service.name</c>): the ledger's key and what <c>--service</c> selects.</summary>
    public string Name => Config.Service.Name;
}
