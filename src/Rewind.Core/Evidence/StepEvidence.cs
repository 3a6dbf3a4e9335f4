using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Rewind.Core.Evidence;

/// <summary>
/// What a step proves, as a typed record: the journal stores it as JSON with its <c>type</c>, the checklist and the
/// report read it back as the same record. A renamed field fails to compile; it never silently unticks an item.
/// Every record lists its facts for people through <see cref="Facts"/> (rendering only: nothing parses it back).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(TrafficShifted), "trafficShifted")]
[JsonDerivedType(typeof(SecretsRestored), "secretsRestored")]
[JsonDerivedType(typeof(ServiceReverted), "serviceReverted")]
[JsonDerivedType(typeof(InfraApplied), "infraApplied")]
[JsonDerivedType(typeof(CacheInvalidated), "cacheInvalidated")]
[JsonDerivedType(typeof(SmokePassed), "smokePassed")]
[JsonDerivedType(typeof(ErrorRatesNormalized), "errorRatesNormalized")]
[JsonDerivedType(typeof(TicketOpened), "ticketOpened")]
[JsonDerivedType(typeof(ReleasesFrozen), "releasesFrozen")]
[JsonDerivedType(typeof(TeamNotified), "teamNotified")]
[JsonDerivedType(typeof(IncidentAssigned), "incidentAssigned")]
[JsonDerivedType(typeof(IncidentClosed), "incidentClosed")]
[JsonDerivedType(typeof(FreezeOverridden), "freezeOverridden")]
[JsonDerivedType(typeof(FreezeLifted), "freezeLifted")]
[JsonDerivedType(typeof(UndoFreezeOverridden), "undoFreezeOverridden")]
[JsonDerivedType(typeof(StepFailed), "stepFailed")]
[JsonDerivedType(typeof(UntypedEvidence), "untyped")]
public abstract record StepEvidence
{
    /// <summary>The record's fields as name → value lines, for tables and reports (nested values as compact JSON).</summary>
    public IReadOnlyDictionary<string, string> Facts()
    {
        if (this is UntypedEvidence untyped)
            return untyped.Values;
        var json = JsonSerializer.SerializeToNode(this, EvidenceJson.Default.StepEvidence) as JsonObject ?? [];
        return json.Where(p => p.Key != "type" && p.Value is not null).ToDictionary(p => p.Key,
            p => p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : p.Value!.ToJsonString(), StringComparer.Ordinal);
    }
}

/// <summary>Canary weights in percent of the two target groups.</summary>
public sealed record Weights(int Main, int Canary)
{
    public override string ToString() => $"main {Main} / canary {Canary}";
}

/// <summary>canary: the forward weights of the listener (or rule), before and as read back after the change.</summary>
public sealed record TrafficShifted(string Kind, string Arn, Weights Wanted, Weights Before, Weights ReadBack) : StepEvidence;

/// <summary>One secret's AWSCURRENT: the version the plan wanted and the one read back.</summary>
public sealed record SecretStage(string SecretId, string TargetVersion, string? ReadBackVersion);

/// <summary>secrets: AWSCURRENT of every planned secret, read back.</summary>
public sealed record SecretsRestored(IReadOnlyList<SecretStage> Secrets) : StepEvidence;

/// <summary>
/// ecs: the service's PRIMARY deployment as last read (Awaited false for <c>--no-wait</c>), the path taken
/// (UpdateService, StopServiceDeployment, ContinueServiceDeployment, CodeDeploy; null before issue 17: UpdateService),
/// the service deployment read back with its status, the stage an UpdateService under a strategy was waited to
/// (traffic, bake, completed) and, where ECS owns the traffic, the production weight read back on the target's revision.
/// </summary>
public sealed record ServiceReverted(
    string Cluster, string Service, string TargetTaskDefinition, string? Deployment, string? TaskDefinition, string? RolloutState,
    int Running, int Desired, int Deployments, bool Awaited = true,
    string? Path = null, string? ServiceDeployment = null, string? ServiceDeploymentStatus = null, string? StageReached = null,
    double? TargetProductionWeight = null) : StepEvidence;

/// <summary>infra: what Terraform applied at which commit, and the plan after it.</summary>
public sealed record InfraApplied(
    string Ref, string Commit, string Directory, string State, bool Applied, bool AppliedEarlier, int Adds, int Changes, int Destroys,
    IReadOnlyList<string> Resources, string? StateAfter, string? PlanAfter, string? Replanned) : StepEvidence;

/// <summary>cdn: the invalidation and its last status.</summary>
public sealed record CacheInvalidated(string Distribution, string Invalidation, string Status, IReadOnlyList<string> Paths) : StepEvidence;

/// <summary>One smoke check's outcome.</summary>
public sealed record SmokeCheckResult(string Check, int? Status, double LatencyMs, int Attempts, bool Ok, string? Error);

/// <summary>smoke: every check against the URL, and where the log is.</summary>
public sealed record SmokePassed(string Url, int Checks, int Passed, int Failed, IReadOnlyList<SmokeCheckResult> Results, string? Log) : StepEvidence;

/// <summary>One CloudWatch alarm's state (OK, ALARM, INSUFFICIENT_DATA).</summary>
public sealed record AlarmReading(string Alarm, string State);

/// <summary>verify: the 5XX rate over the window against the threshold and the baseline, and the alarms.</summary>
public sealed record ErrorRatesNormalized(
    string Metric, DateTimeOffset? WindowStart, DateTimeOffset? WindowEnd, long? Requests, long? Errors, double? Rate5xxPercent,
    double ThresholdPercent, double? BaselinePercent, string? Baseline, IReadOnlyList<AlarmReading> Alarms, string Verdict) : StepEvidence;

/// <summary>A ticket in a tracker (or the ledger alone).</summary>
public sealed record TicketLink(string Display, string? Link);

/// <summary>incident: the incident, its owner, the postmortem's due time and the ticket, read back from its tracker.</summary>
public sealed record TicketOpened(
    string Incident, string? Owner, DateTimeOffset Opened, DateTimeOffset Due, IReadOnlyList<TicketLink> Tickets, bool Verified,
    string? Draft, string? Webhook) : StepEvidence;

/// <summary>
/// One audience's delivery: where, when, the receiver's status (or none) and the first error; its outbox key and
/// whether the receiver accepted it (now or in an earlier attempt), so nobody infers it from the status text.
/// </summary>
public sealed record AudienceDelivery(string Audience, string Target, DateTimeOffset? SentAt, string Status, string? Error, string? Key = null, bool Delivered = false);

/// <summary>freeze: the freeze, its SSM parameter, the incident it belongs to, and the team's announcement.</summary>
public sealed record ReleasesFrozen(
    string Freeze, string Parameter, string? Incident, DateTimeOffset Since, string FrozenBy, long? ParameterVersion,
    IReadOnlyList<AudienceDelivery> Announced) : StepEvidence;

/// <summary>notify: each audience's delivery, and the counts.</summary>
public sealed record TeamNotified(IReadOnlyList<AudienceDelivery> Audiences, int Delivered, int Failed) : StepEvidence;

/// <summary>
/// incident-assign (<c>rewind incident assign</c>): the postmortem's owner before and as stored after; AlreadyAssigned
/// when the incident already had that owner (nothing was written).
/// </summary>
public sealed record IncidentAssigned(string Incident, string? PreviousOwner, string Owner, bool AlreadyAssigned) : StepEvidence;

/// <summary>incident-close (<c>rewind incident close</c>): the incident as stored closed, and its owner; AlreadyClosed when nothing was written.</summary>
public sealed record IncidentClosed(string Incident, string? Owner, bool AlreadyClosed) : StepEvidence;

/// <summary>
/// record-override (<c>rewind record --override-freeze</c>): the release recorded despite the freeze, the freeze it
/// overrode, why and by whom; RecordedEarlier when a resumed run found the release already in the ledger.
/// </summary>
public sealed record FreezeOverridden(
    string Release, string Version, string? Freeze, string? FreezeReason, string Reason, string By, bool RecordedEarlier) : StepEvidence;

/// <summary>
/// undo-override (<c>rewind undo RUN --override-freeze</c>): the undo went ahead although RUN's freeze was in force;
/// the freeze it overrode (which stays in force), why and by whom.
/// </summary>
public sealed record UndoFreezeOverridden(string Undoes, string? Freeze, string? FreezeReason, string Reason, string By) : StepEvidence;

/// <summary>
/// freeze-off (<c>rewind freeze off</c>): the lifted freeze (none: a freeze published in SSM alone), whether this run
/// lifted it or finished an earlier lift, who lifted it, when and with which root cause; what became of the copy of the
/// root cause into the freeze's incident (<c>recorded</c>, <c>replaced</c>, <c>unchanged</c>, <c>no-incident</c>,
/// <c>incident-missing</c>; none when nothing was left to copy) and the root cause it replaced; the SSM value published
/// (none when SSM already said so) and its version; and the team's announcement.
/// </summary>
public sealed record FreezeLifted(
    string? Freeze, string Parameter, string? Incident, bool LiftedNow, string? LiftedBy, DateTimeOffset? LiftedAt, string? RootCause,
    string? RootCauseCopy, string? ReplacedRootCause, string? Published, long? ParameterVersion, IReadOnlyList<AudienceDelivery> Announced) : StepEvidence;

/// <summary>
/// The executor's evidence of a step that threw or ran out of time: the exception's type, the deadline, and for an
/// expected failure (<see cref="IRewindFailure"/>) its kind and AWS error code, so the exit code follows from them
/// (an AccessDenied inside a step is bad input, exit 2, not a generic failure). Older journals have neither.
/// </summary>
public sealed record StepFailed(string Error, double? DeadlineSeconds, FailureKind? Kind = null, string? AwsCode = null) : StepEvidence
{
    /// <summary>The evidence of <paramref name="failure"/>, thrown by a step (or, at its deadline, the reason it was still retrying).</summary>
    public static StepFailed Of(Exception failure, double? deadlineSeconds)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var expected = failure as IRewindFailure;
        return new(failure.GetType().Name, deadlineSeconds, expected?.Kind, expected?.AwsCode);
    }
}

/// <summary>
/// Evidence as a flat name → value dictionary: how journals before typed evidence (418e7ad) stored it, read back by
/// the version-1 reader (Version1Evidence) into the typed records.
/// </summary>
public sealed record UntypedEvidence(IReadOnlyDictionary<string, string> Values) : StepEvidence;

/// <summary>The evidence JSON (source-generated: NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StepEvidence))]
public sealed partial class EvidenceJson : JsonSerializerContext;
