namespace Rewind.Core.Ledger;

/// <summary>A release freeze on one service or on all (<see cref="AllServices"/>).</summary>
/// <param name="Id">Freeze id, e.g. <c>frz-20261127-091500-ab12</c>.</param>
/// <param name="Scope">A service name, or <see cref="AllServices"/>.</param>
/// <param name="Reason">Why releases are frozen.</param>
/// <param name="IncidentId">The incident it is tied to, if any.</param>
/// <param name="FrozenBy">Who froze.</param>
/// <param name="Since">When.</param>
/// <param name="LiftedBy">Who lifted it; null while active.</param>
/// <param name="LiftedAt">When it was lifted; null while active.</param>
/// <param name="RootCause">The recorded root cause, required to lift.</param>
public sealed record Freeze(
    string Id,
    string Scope,
    string Reason,
    string? IncidentId,
    string FrozenBy,
    DateTimeOffset Since,
    string? LiftedBy = null,
    DateTimeOffset? LiftedAt = null,
    string? RootCause = null)
{
    /// <summary>The scope of a freeze that applies to every service.</summary>
    public const string AllServices = "*";

    /// <summary>Whether the freeze is still in force.</summary>
    public bool IsActive => LiftedAt is null;

    /// <summary>Whether the freeze applies to <paramref name="service"/>.</summary>
    public bool AppliesTo(string service) =>
        Scope == AllServices || string.Equals(Scope, service, StringComparison.Ordinal);
}
