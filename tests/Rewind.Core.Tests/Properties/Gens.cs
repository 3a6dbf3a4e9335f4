using CsCheck;
using Rewind.Core.Evidence;

namespace Rewind.Core.Tests.Properties;

/// <summary>Generators shared by the property tests: readable text, times, and every evidence record.</summary>
internal static class Gens
{
    private const string Chars = "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 -_:/.#@=;,\"\\<>|é→";

    /// <summary>Text of 0 to 16 characters, quotes, backslashes and non-ASCII included.</summary>
    public static readonly Gen<string> Text = Gen.Char[Chars].Array[0, 16].Select(c => new string(c));

    /// <summary>Text that is never blank.</summary>
    public static readonly Gen<string> Word = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"].Array[1, 12].Select(c => new string(c));

    public static readonly Gen<string?> MaybeText = Text.Null();

    /// <summary>Instants between 2000 and 2100, UTC, to the tick.</summary>
    public static readonly Gen<DateTimeOffset> Time = Gen.Long[new DateTime(2000, 1, 1).Ticks, new DateTime(2100, 1, 1).Ticks]
        .Select(t => new DateTimeOffset(t, TimeSpan.Zero));

    public static readonly Gen<DateTimeOffset?> MaybeTime = Time.Nullable();

    public static readonly Gen<double> Number = Gen.Double[-1e6, 1e6];

    public static readonly Gen<Weights> Weights = Gen.Int[0, 100].Select(m => new Weights(m, 100 - m));

    public static readonly Gen<AudienceDelivery> Delivery = Gen.Select(Word, Text, MaybeTime, Text, MaybeText, (a, t, s, st, e) => new AudienceDelivery(a, t, s, st, e));

    public static readonly Gen<StepEvidence> TrafficShifted = Gen.Select(Text, Text, Weights, Weights, Weights, (k, a, w, b, r) => (StepEvidence)new TrafficShifted(k, a, w, b, r));

    public static readonly Gen<StepEvidence> SecretsRestored = Gen.Select(Text, Text, MaybeText, (i, t, r) => new SecretStage(i, t, r)).List[0, 4]
        .Select(s => (StepEvidence)new SecretsRestored(s));

    public static readonly Gen<StepEvidence> ServiceReverted = Gen.Select(
        Gen.Select(Text, Text, Text, MaybeText, MaybeText, MaybeText), Gen.Int, Gen.Int, Gen.Int, Gen.Bool,
        (t, running, desired, deployments, awaited) => (StepEvidence)new ServiceReverted(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6, running, desired, deployments, awaited));

    public static readonly Gen<StepEvidence> InfraApplied = Gen.Select(
        Gen.Select(Text, Text, Text, Text, Gen.Bool, Gen.Bool), Gen.Select(Gen.Int, Gen.Int, Gen.Int), Text.List[0, 4], Gen.Select(MaybeText, MaybeText, MaybeText),
        (a, n, resources, after) => (StepEvidence)new InfraApplied(a.Item1, a.Item2, a.Item3, a.Item4, a.Item5, a.Item6, n.Item1, n.Item2, n.Item3, resources, after.Item1, after.Item2, after.Item3));

    public static readonly Gen<StepEvidence> CacheInvalidated = Gen.Select(Text, Text, Text, Text.List[0, 3], (d, i, s, p) => (StepEvidence)new CacheInvalidated(d, i, s, p));

    public static readonly Gen<SmokeCheckResult> SmokeCheck = Gen.Select(Text, Gen.Int[100, 599].Nullable(), Gen.Double[0, 60000], Gen.Int[1, 5], Gen.Bool, MaybeText,
        (c, s, l, a, ok, e) => new SmokeCheckResult(c, s, l, a, ok, e));

    public static readonly Gen<StepEvidence> SmokePassed = Gen.Select(Text, Gen.Int, Gen.Int, Gen.Int, SmokeCheck.List[0, 4], MaybeText,
        (u, c, p, f, r, l) => (StepEvidence)new SmokePassed(u, c, p, f, r, l));

    public static readonly Gen<StepEvidence> ErrorRatesNormalized = Gen.Select(
        Gen.Select(Text, MaybeTime, MaybeTime, Gen.Long.Nullable(), Gen.Long.Nullable()), Gen.Select(Number.Nullable(), Number, Number.Nullable(), MaybeText),
        Gen.Select(Text, Text, (a, s) => new AlarmReading(a, s)).List[0, 3], Text,
        (w, r, alarms, verdict) => (StepEvidence)new ErrorRatesNormalized(w.Item1, w.Item2, w.Item3, w.Item4, w.Item5, r.Item1, r.Item2, r.Item3, r.Item4, alarms, verdict));

    public static readonly Gen<StepEvidence> TicketOpened = Gen.Select(
        Gen.Select(Text, MaybeText, Time, Time), Gen.Select(Text, MaybeText, (d, l) => new TicketLink(d, l)).List[0, 3], Gen.Bool, Gen.Select(MaybeText, MaybeText),
        (i, tickets, verified, files) => (StepEvidence)new TicketOpened(i.Item1, i.Item2, i.Item3, i.Item4, tickets, verified, files.Item1, files.Item2));

    public static readonly Gen<StepEvidence> ReleasesFrozen = Gen.Select(
        Gen.Select(Text, Text, MaybeText, Time, Text), Gen.Long.Nullable(), Delivery.List[0, 3],
        (f, version, announced) => (StepEvidence)new ReleasesFrozen(f.Item1, f.Item2, f.Item3, f.Item4, f.Item5, version, announced));

    public static readonly Gen<StepEvidence> TeamNotified = Gen.Select(Delivery.List[0, 3], Gen.Int, Gen.Int, (a, d, f) => (StepEvidence)new TeamNotified(a, d, f));

    public static readonly Gen<StepEvidence> StepFailed = Gen.Select(Text, Gen.Double[0, 86400].Nullable(), (e, d) => (StepEvidence)new StepFailed(e, d));

    public static readonly Gen<StepEvidence> IncidentAssigned = Gen.Select(Text, MaybeText, Text, Gen.Bool, (i, p, o, a) => (StepEvidence)new IncidentAssigned(i, p, o, a));

    public static readonly Gen<StepEvidence> IncidentClosed = Gen.Select(Text, MaybeText, Gen.Bool, (i, o, a) => (StepEvidence)new IncidentClosed(i, o, a));

    public static readonly Gen<StepEvidence> FreezeOverridden = Gen.Select(Gen.Select(Text, Text, MaybeText, MaybeText), Gen.Select(Text, Text, Gen.Bool),
        (a, b) => (StepEvidence)new FreezeOverridden(a.Item1, a.Item2, a.Item3, a.Item4, b.Item1, b.Item2, b.Item3));

    public static readonly Gen<StepEvidence> UndoFreezeOverridden = Gen.Select(Text, MaybeText, MaybeText, Text, Text,
        (u, f, r, why, by) => (StepEvidence)new UndoFreezeOverridden(u, f, r, why, by));

    public static readonly Gen<StepEvidence> FreezeLifted = Gen.Select(
        Gen.Select(MaybeText, Text, MaybeText, Gen.Bool, MaybeText, MaybeTime, MaybeText), Gen.Select(MaybeText, MaybeText, MaybeText, Gen.Long.Nullable()), Delivery.List[0, 3],
        (a, b, announced) => (StepEvidence)new FreezeLifted(a.Item1, a.Item2, a.Item3, a.Item4, a.Item5, a.Item6, a.Item7, b.Item1, b.Item2, b.Item3, b.Item4, announced));

    /// <summary>A record of every type the journal stores (the version-1 <see cref="UntypedEvidence"/> apart).</summary>
    public static readonly Gen<StepEvidence> TypedEvidence = Gen.OneOf(
        TrafficShifted, SecretsRestored, ServiceReverted, InfraApplied, CacheInvalidated, SmokePassed, ErrorRatesNormalized, TicketOpened,
        ReleasesFrozen, TeamNotified, IncidentAssigned, IncidentClosed, FreezeOverridden, UndoFreezeOverridden, FreezeLifted, StepFailed);
}
