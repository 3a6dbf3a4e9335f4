using System.Globalization;
using Rewind.Aws.SecretsManager;
using Rewind.Core;
using Rewind.Core.Configuration;
using Rewind.Core.Engine;

namespace Rewind.Playbook.Smoke;

/// <summary>
/// Playbook "Verify Stability" (<c>smoke_test.sh --url …</c>): the configured checks against the service's URL, each
/// retried with backoff, every attempt in <c>logs/smoke_tests/RUN.log</c> under the log base directory (the CLI gives
/// rewind.yaml's folder). Changes nothing; the API key (from an environment variable or a Secrets Manager secret) is
/// read at execution and never leaves memory. Execution reads only the stored <see cref="SmokePlan"/>:
/// <see cref="ForResume"/> builds the step without settings.
/// </summary>
public sealed class SmokeStep(
    SmokeSection? settings, ISecretsManagerClient secrets, Func<string, string?> environment, string? logBaseDirectory = null, HttpClient? http = null) : IStep
{
    /// <summary>The step that executes a stored plan (resume) with no settings at all: it cannot plan.</summary>
    public static SmokeStep ForResume(ISecretsManagerClient secrets, Func<string, string?> environment, string? logBaseDirectory = null, HttpClient? http = null) =>
        new(null, secrets, environment, logBaseDirectory, http);

    public string Name => "smoke";
    public StepStage Stage => StepStage.Verification;

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        var settings = Settings;
        var url = ParseUrl(settings.Url, "smoke.url");
        var source = KeySource(settings);
        if (settings.Checks.FirstOrDefault(c => c.UsesApiKey) is { } needsKey)
        {
            if (settings.ApiKeySecret is { } secretId)
                await CheckSecretAsync(needsKey, secretId, cancellationToken);
            else if (ApiKey.FromEnvironment(source[SmokePlan.EnvPrefix.Length..], environment) is null)
                throw MissingKey(needsKey, source[SmokePlan.EnvPrefix.Length..]);
        }
        var worst = settings.Checks.Count * ((settings.Retries + 1) * settings.Timeout.TotalSeconds + settings.Backoff.TotalSeconds * Math.Pow(2, settings.Retries));
        return StepPlan.Of(
            Name, Stage,
            $"{settings.Checks.Count} smoke check(s) against {url}",
            [.. settings.Checks.Select(Describe)],
            nothingToDo: false, expectedSeconds: 2, deadlineSeconds: Math.Ceiling(worst) + 30,
            SmokePlan.Of(url, settings), SmokeJson.Default.SmokePlan);
    }

    public IReadOnlyList<string> DriftFrom(StepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (settings is null)
            return [];
        var planned = Read(plan);
        return Uri.TryCreate(settings.Url, UriKind.Absolute, out var now) && now.AbsoluteUri == planned.Url
            ? []
            : [$"smoke.url is now {settings.Url}; the plan names {planned.Url}"];
    }

    private SmokeSection Settings => settings ?? throw new InvalidOperationException("this smoke step was built to resume a stored plan; it has no settings to plan from");

    private SmokePlan Read(StepPlan plan) => plan.Read(SmokeJson.Default.SmokePlan, fromVersion1: parameters => SmokePlan.FromVersion1(parameters, settings));

    // The key is read only when the checks run (after the secrets step may have moved it), but a secret that does not
    // exist must stop the run before its first change: DescribeSecret proves it without reading the value.
    private async Task CheckSecretAsync(SmokeCheck check, string secretId, CancellationToken cancellationToken)
    {
        var described = await secrets.DescribeSecretAsync(secretId, cancellationToken)
            ?? throw new RewindException(
                $"smoke check '{check.Name}' sends the API key but the secret {secretId} (smoke.api_key_secret) does not exist",
                "fix smoke.api_key_secret in rewind.yaml (aws secretsmanager list-secrets), or use smoke.api_key_env", FailureKind.BadInput);
        if (described.VersionWithStage("AWSCURRENT") is null)
            throw new RewindException(
                $"the secret {secretId} (smoke.api_key_secret) has no AWSCURRENT version to read the API key from",
                "put the API key into it (aws secretsmanager put-secret-value), or fix smoke.api_key_secret", FailureKind.BadInput);
    }

    public async Task<StepResult> ExecuteAsync(StepPlan plan, StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(context);
        var planned = Read(plan);
        var url = new Uri(planned.Url);
        var checks = planned.SmokeChecks();
        // The API key read (Secrets Manager) is tried again while AWS is busy, until the step's deadline.
        var key = await StepRetries.UntilDeadlineAsync(context, ct => ResolveKeyAsync(checks, planned.ApiKeySource, null, secrets, environment, ct), cancellationToken);
        using var log = SmokeLog.Create(logBaseDirectory, context.RunId, context.Time);
        using var owned = http is null ? SmokeRunner.CreateHttpClient(url) : null;
        var runner = new SmokeRunner(http ?? owned!, new SmokeOptions(planned.Retries, planned.Timeout, planned.Backoff), context.Time);
        var results = await runner.RunAsync(url, checks, key, log, context.Report, cancellationToken);
        var report = new SmokeReport(url.AbsoluteUri, results, log.Path);
        return report.AllPassed
            ? StepResult.Succeeded(report.Summary(), report.Evidence())
            : StepResult.Failed(report.Summary(), report.Evidence());
    }

    /// <summary>Where the key comes from, safe to show and journal: "env:VAR" or "secret:ID".</summary>
    public static string KeySource(SmokeSection settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.ApiKeySecret is { } secret ? SmokePlan.SecretPrefix + secret : SmokePlan.EnvPrefix + (settings.ApiKeyEnv ?? PlaybookDefaults.SmokeApiKeyVariable);
    }

    /// <summary>
    /// The API key for the checks that send one: <paramref name="flag"/>, else the secret, else the environment
    /// variable; null when no check needs it. A check that needs it and finds none is bad input.
    /// </summary>
    public static Task<ApiKey?> ResolveKeyAsync(
        SmokeSection settings, string? flag, ISecretsManagerClient? secrets, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return ResolveKeyAsync(settings.Checks, KeySource(settings), flag, secrets, environment, cancellationToken);
    }

    /// <summary>The API key of <paramref name="checks"/> from <paramref name="source"/> ("env:VAR" or "secret:ID"), as above.</summary>
    public static async Task<ApiKey?> ResolveKeyAsync(
        IReadOnlyList<SmokeCheck> checks, string source, string? flag, ISecretsManagerClient? secrets, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checks);
        ArgumentNullException.ThrowIfNull(source);
        if (flag is not null)
            return ApiKey.FromFlag(flag);
        var needsKey = checks.FirstOrDefault(c => c.UsesApiKey);
        var secret = source.StartsWith(SmokePlan.SecretPrefix, StringComparison.Ordinal) ? source[SmokePlan.SecretPrefix.Length..] : null;
        var variable = source.StartsWith(SmokePlan.EnvPrefix, StringComparison.Ordinal) ? source[SmokePlan.EnvPrefix.Length..] : PlaybookDefaults.SmokeApiKeyVariable;
        if (needsKey is null)
            return secret is null ? ApiKey.FromEnvironment(variable, environment) : null; // known, so still redacted
        if (secret is not null)
            return await ApiKey.FromSecretAsync(secrets ?? throw new InvalidOperationException("a Secrets Manager client is needed for smoke.api_key_secret"), secret, cancellationToken);
        return ApiKey.FromEnvironment(variable, environment) ?? throw MissingKey(needsKey, variable);
    }

    /// <summary>The base URL as an absolute http(s) URL, or bad input naming <paramref name="what"/>.</summary>
    public static Uri ParseUrl(string url, string what)
    {
        if (UrlCredentials.In(url))
            throw new RewindException(UrlCredentials.Problem(what), "put the token in a header (smoke.checks[].headers) or the API key in SMOKE_API_KEY (or smoke.api_key_env), and give the URL without user:password@", FailureKind.BadInput);
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0
            && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment))
            return uri;
        throw new RewindException($"{what} '{url}' is not an http or https base URL", "write it in full without query, such as http://my-alb-123.eu-west-1.elb.amazonaws.com", FailureKind.BadInput);
    }

    private static RewindException MissingKey(SmokeCheck check, string variable) => new(
        $"smoke check '{check.Name}' sends the API key but ${variable} is not set",
        $"export {variable}=… (or set smoke.api_key_secret to a Secrets Manager secret)", FailureKind.BadInput);

    private static string Describe(SmokeCheck check)
    {
        var expect = new List<string> { string.Join("/", check.Status) };
        if (check.JsonPaths.Count > 0)
            expect.Add(string.Join(" or ", check.JsonPaths));
        if (check.Contains is { } text)
            expect.Add($"contains '{text}'");
        if (check.Regex is { } regex)
            expect.Add($"/{regex}/");
        if (check.LatencyBudget is { } budget)
            expect.Add($"≤ {budget.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms");
        return $"{check.Name}: {check.Method} {check.Path} → {string.Join(", ", expect)}";
    }
}
