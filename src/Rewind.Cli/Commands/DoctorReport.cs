using System.Text.Json.Serialization;

namespace Rewind.Cli.Commands;

/// <summary>What <c>rewind doctor</c> found, as printed by <c>--output json</c>.</summary>
public sealed record DoctorReport(
    string? Profile,
    string Region,
    string RegionSource,
    string CredentialSource,
    string AccessKeyId,
    string? Account,
    string? Arn,
    IReadOnlyList<DoctorCheck> Checks,
    bool Ok);

/// <summary>One service check: the call, where it went, how long it took, and what failed.</summary>
public sealed record DoctorCheck(
    string Service,
    string Operation,
    string Endpoint,
    bool Ok,
    double LatencyMs,
    string? Detail,
    [property: JsonIgnore] string? Account,
    string? Code,
    string? Error,
    string? Fix,
    [property: JsonIgnore] int ExitCode);
