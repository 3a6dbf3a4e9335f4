using System.Text.Json.Serialization;
using Rewind.Core.Configuration;

namespace Rewind.Playbook.Smoke;

/// <summary>
/// The smoke step's plan: everything the checks need, as shown: the base URL, the checks, where the API key is read
/// from (never the key), and the retry policy. The key itself is read only when the checks run.
/// </summary>
/// <param name="Url">The absolute base URL.</param>
/// <param name="Checks">The checks, in order (headers as configured: the key is only ever its placeholder).</param>
/// <param name="ApiKeySource">"env:VARIABLE" or "secret:ID" (<see cref="SmokeStep.KeySource"/>).</param>
/// <param name="Retries">Retries of a failing check.</param>
/// <param name="Timeout">The bound of one request.</param>
/// <param name="Backoff">The wait before the first retry, doubled for each further one.</param>
public sealed record SmokePlan(string Url, IReadOnlyList<SmokePlanCheck> Checks, string ApiKeySource, int Retries, TimeSpan Timeout, TimeSpan Backoff)
{
    /// <summary>The plan of <paramref name="settings"/>' checks against <paramref name="url"/>.</summary>
    public static SmokePlan Of(Uri url, SmokeSection settings)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(settings);
        return new SmokePlan(url.AbsoluteUri, [.. settings.Checks.Select(SmokePlanCheck.Of)], SmokeStep.KeySource(settings), settings.Retries, settings.Timeout, settings.Backoff);
    }

    /// <summary>
    /// A plan stored before typed plans (418e7ad) held only <c>url</c> and <c>apiKey</c> (the key's source): its
    /// checks and retry policy always came from the configuration at execution, so they still do, from
    /// <paramref name="settings"/>, or the playbook's defaults when the configuration has no smoke section any more.
    /// </summary>
    public static SmokePlan FromVersion1(IReadOnlyDictionary<string, string> parameters, SmokeSection? settings)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var checks = settings?.Checks ?? SmokeCheck.Defaults;
        return new SmokePlan(
            parameters["url"], [.. checks.Select(SmokePlanCheck.Of)], parameters["apiKey"],
            settings?.Retries ?? PlaybookDefaults.SmokeRetries, settings?.Timeout ?? PlaybookDefaults.SmokeTimeout, settings?.Backoff ?? PlaybookDefaults.SmokeBackoff);
    }

    /// <summary>The secret the key is read from, or null when it comes from an environment variable.</summary>
    [JsonIgnore]
    public string? ApiKeySecret => ApiKeySource.StartsWith(SecretPrefix, StringComparison.Ordinal) ? ApiKeySource[SecretPrefix.Length..] : null;

    /// <summary>The environment variable the key is read from, or null when it comes from a secret.</summary>
    [JsonIgnore]
    public string? ApiKeyEnv => ApiKeySource.StartsWith(EnvPrefix, StringComparison.Ordinal) ? ApiKeySource[EnvPrefix.Length..] : null;

    /// <summary>The checks as the runner takes them.</summary>
    public IReadOnlyList<SmokeCheck> SmokeChecks() => [.. Checks.Select(c => c.ToCheck())];

    internal const string SecretPrefix = "secret:";
    internal const string EnvPrefix = "env:";
}

/// <summary>One smoke check as a plan stores it (<see cref="SmokeCheck"/> in plain lists).</summary>
public sealed record SmokePlanCheck(
    string Name, string Method, string Path, IReadOnlyList<SmokeHeader> Headers, string? Body, IReadOnlyList<string> Status,
    string? Contains, string? Regex, IReadOnlyList<string> JsonPaths, TimeSpan? LatencyBudget)
{
    public static SmokePlanCheck Of(SmokeCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return new(check.Name, check.Method, check.Path, [.. check.Headers], check.Body, [.. check.Status], check.Contains, check.Regex, [.. check.JsonPaths], check.LatencyBudget);
    }

    public SmokeCheck ToCheck() => new(Name, Method, Path, new(Headers), Body, new(Status), Contains, Regex, new(JsonPaths), LatencyBudget);
}

/// <summary>The smoke step's plan JSON (source-generated: NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SmokePlan))]
public sealed partial class SmokeJson : JsonSerializerContext;
