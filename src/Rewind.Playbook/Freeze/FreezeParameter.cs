using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Rewind.Aws;
using Rewind.Aws.Errors;
using Rewind.Core.Engine;
using Rewind.Core.Ledger;

namespace Rewind.Playbook.Freeze;

/// <summary>
/// The freeze as pipelines read it from SSM Parameter Store: one JSON document,
/// <c>{"frozen":true,"service","freeze","reason","incident","by","since"}</c> while frozen, and after <c>freeze off</c>
/// <c>{"frozen":false,…,"liftedBy","liftedAt","rootCause"}</c> (kept, not deleted: "lifted, and why" is an answer;
/// a missing parameter only means "never frozen").
/// </summary>
public sealed record FreezeState(
    bool Frozen, string Service, string? FreezeId, string? Reason, string? Incident, string? By, DateTimeOffset? Since,
    string? LiftedBy = null, DateTimeOffset? LiftedAt = null, string? RootCause = null)
{
    /// <summary>What a ledger freeze looks like published.</summary>
    public static FreezeState Of(Core.Ledger.Freeze freeze, string service) => new(
        freeze.IsActive, service, freeze.Id, freeze.Reason, freeze.IncidentId, freeze.FrozenBy, freeze.Since, freeze.LiftedBy, freeze.LiftedAt, freeze.RootCause);

    /// <summary>Whether two states say the same thing to a pipeline: frozen or not, by the same freeze.</summary>
    public bool SameAs(FreezeState? other) => other is not null && other.Frozen == Frozen && other.FreezeId == FreezeId;

    public string ToJson() => new JsonObject
    {
        ["frozen"] = Frozen,
        ["service"] = Service,
        ["freeze"] = FreezeId,
        ["reason"] = Reason,
        ["incident"] = Incident,
        ["by"] = By,
        ["since"] = Since is { } since ? Iso(since) : null,
        ["liftedBy"] = LiftedBy,
        ["liftedAt"] = LiftedAt is { } lifted ? Iso(lifted) : null,
        ["rootCause"] = RootCause,
    }.ToJsonString();

    /// <summary>
    /// Reads a published value. Anything that is not Rewind's JSON counts as frozen (fail safe: a pipeline is better
    /// stopped than let through by a value nobody can read).
    /// </summary>
    public static FreezeState Parse(string service, string value)
    {
        try
        {
            if (JsonNode.Parse(value) is JsonObject json && json["frozen"] is JsonValue frozen && frozen.TryGetValue<bool>(out var isFrozen))
            {
                return new FreezeState(
                    isFrozen, Text(json, "service") ?? service, Text(json, "freeze"), Text(json, "reason"), Text(json, "incident"), Text(json, "by"),
                    Time(json, "since"), Text(json, "liftedBy"), Time(json, "liftedAt"), Text(json, "rootCause"));
            }
        }
        catch (JsonException)
        {
            // Falls through to the fail-safe answer.
        }
        return new FreezeState(true, service, null, "the parameter holds a value that is not Rewind's freeze JSON", null, null, null);
    }

    private static string? Text(JsonObject json, string name) => json[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static DateTimeOffset? Time(JsonObject json, string name) =>
        Text(json, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>The freeze as published for pipelines: read it, write it.</summary>
public interface IFreezeParameter
{
    /// <summary>The parameter's name, for messages and evidence.</summary>
    string Name { get; }

    /// <summary>The published state, or null when the parameter does not exist (never frozen).</summary>
    Task<FreezeState?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Writes the state (overwriting: publishing the same state twice is harmless) and returns the parameter version.</summary>
    Task<long> PublishAsync(FreezeState state, CancellationToken cancellationToken);
}

/// <summary>The parameter a stored plan names, for its service: how a step built without settings reaches SSM.</summary>
public delegate IFreezeParameter FreezeParameterOf(string name, string service);

/// <summary>The service's freeze parameter in SSM (official AWSSDK client, failures typed by <see cref="SdkErrors"/>).</summary>
public sealed class FreezeParameter(IAmazonSimpleSystemsManagement ssm, string name, string service) : IFreezeParameter
{
    public string Name => name;

    /// <summary>The published state, or null when the parameter does not exist (never frozen).</summary>
    public async Task<FreezeState?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var answer = await SdkErrors.CallAsync(AwsService.Ssm, "GetParameter",
                () => ssm.GetParameterAsync(new GetParameterRequest { Name = name }, cancellationToken));
            return FreezeState.Parse(service, answer.Parameter.Value);
        }
        catch (AwsServiceException e) when (e.Code == "ParameterNotFound")
        {
            return null;
        }
    }

    /// <summary>Writes the state (overwriting: publishing the same state twice is harmless) and returns the parameter version.</summary>
    public async Task<long> PublishAsync(FreezeState state, CancellationToken cancellationToken)
    {
        var answer = await SdkErrors.CallAsync(AwsService.Ssm, "PutParameter", () => ssm.PutParameterAsync(new PutParameterRequest
        {
            Name = name,
            Value = state.ToJson(),
            Type = ParameterType.String,
            Overwrite = true,
            Description = $"Rewind release freeze of {service}: read by deploy pipelines ('rewind freeze check')",
        }, cancellationToken));
        return answer.Version ?? 0;
    }
}

/// <summary>What a step's publish did: the parameter version it wrote (an earlier attempt's; none when SSM already said so) and whether SSM reads it back.</summary>
public sealed record FreezePublished(long? Version, bool ReadBack);

/// <summary>How the freeze and lift steps publish to SSM: one journaled call, never a blind second write.</summary>
public static class FreezePublishing
{
    /// <summary>The journaled call of a publish.</summary>
    public const string Call = "PutParameter";

    /// <summary>
    /// Writes <paramref name="wanted"/> unless SSM already says so (journaled as <see cref="Call"/>) and reads it back.
    /// SSM throttles like every AWS API during an incident: the read, the (idempotent) write and the read-back are
    /// tried again until the step's deadline.
    /// </summary>
    public static async Task<FreezePublished> PublishJournaledAsync(this IFreezeParameter parameter, FreezeState wanted, StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(context);
        long? version = context.EarlierResult(Call)?["version"]?.GetValue<long>();
        if (!wanted.SameAs(await StepRetries.UntilDeadlineAsync(context, parameter.ReadAsync, cancellationToken)))
        {
            version = await StepRetries.UntilDeadlineAsync(context, ct => context.CallAsync(
                Call,
                new JsonObject { ["parameter"] = parameter.Name, ["freeze"] = wanted.FreezeId, ["frozen"] = wanted.Frozen },
                call => parameter.PublishAsync(wanted, call),
                v => new JsonObject { ["version"] = v },
                ct), cancellationToken);
        }
        return new FreezePublished(version, wanted.SameAs(await StepRetries.UntilDeadlineAsync(context, parameter.ReadAsync, cancellationToken)));
    }
}

/// <summary>What the ledger and SSM say about a service's freeze, read together.</summary>
/// <param name="Service">The service.</param>
/// <param name="Active">The ledger's active freeze that applies to it, if any.</param>
/// <param name="Published">What SSM says, if the parameter exists.</param>
/// <param name="Parameter">The parameter's name.</param>
public sealed record FreezeVerdict(string Service, Core.Ledger.Freeze? Active, FreezeState? Published, string Parameter)
{
    /// <summary>Frozen if either says so: a pipeline without the ledger reads SSM, an unpublished freeze still counts.</summary>
    public bool Frozen => Active is not null || Published is { Frozen: true };

    /// <summary>Whether SSM says what the ledger says; when not, <c>freeze on</c> / <c>freeze off</c> publishes again.</summary>
    public bool Agrees => Active is null ? Published is not { Frozen: true } : FreezeState.Of(Active, Service).SameAs(Published);

    /// <summary>One line: reason, incident, who, since.</summary>
    public string Describe()
    {
        if (Active is { } f)
            return Describe(f);
        if (Published is { Frozen: true } p)
            return $"{p.Reason ?? "no reason given"} (freeze {p.FreezeId ?? "?"}, incident {p.Incident ?? "none"}, by {p.By ?? "?"}, since {(p.Since is { } s ? $"{s.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z" : "?")}; published in SSM {Parameter})";
        return "not frozen";
    }

    /// <summary>One line for a ledger freeze: reason, incident, who, since.</summary>
    public static string Describe(Core.Ledger.Freeze freeze) =>
        $"{freeze.Reason} (freeze {freeze.Id}, incident {freeze.IncidentId ?? "none"}, by {freeze.FrozenBy}, since {freeze.Since.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z)";

    /// <summary>The ledger's active freeze that applies to the service: its own first, else the all-services one.</summary>
    public static async Task<Core.Ledger.Freeze?> ActiveAsync(IFreezeStore freezes, string service, CancellationToken cancellationToken) =>
        (await freezes.GetActiveFreezesAsync(service, cancellationToken)).OrderBy(f => f.Scope == Core.Ledger.Freeze.AllServices).FirstOrDefault();

    /// <summary>Of <paramref name="freezes"/>, the service's most recently lifted one (its own or the all-services one), or null when none was lifted.</summary>
    public static Core.Ledger.Freeze? LastLift(IEnumerable<Core.Ledger.Freeze> freezes, string service) =>
        freezes.Where(f => !f.IsActive && f.RootCause is not null && f.AppliesTo(service)).MaxBy(f => f.LiftedAt);

    /// <summary>Reads the ledger's active freeze (<see cref="ActiveAsync"/>) and the parameter.</summary>
    public static async Task<FreezeVerdict> ReadAsync(IFreezeStore freezes, IFreezeParameter parameter, string service, CancellationToken cancellationToken)
    {
        var active = await ActiveAsync(freezes, service, cancellationToken);
        var published = await parameter.ReadAsync(cancellationToken);
        return new FreezeVerdict(service, active, published, parameter.Name);
    }
}
