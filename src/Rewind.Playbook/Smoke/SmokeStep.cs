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
/// read at execution and never leaves memory.
/// </summary>
public sealed class SmokeStep(
    SmokeSection settings, ISecretsManagerClient secrets, Func<string, string?> environment, string? logBaseDirectory = null, HttpClient? http = null) : IStep
{
    public string Name => "smoke";
    public StepStage Stage => StepStage.Verification;

    public async Task<StepPlan> PlanAsync(PlanningContext context, CancellationToken cancellationToken)
    {
        var url = ParseUrl(settings.Url, "smoke.url");
        var source = KeySource(settings);
        if (settings.Checks.FirstOrDefault(c => c.UsesApiKey) is { } needsKey)
        {
            if (settings.ApiKeySecret is { } secretId)
                await CheckSecretAsync(needsKey, secretId, cancellationToken);
            else if (ApiKey.FromEnvironment(source[4..], environment) is null)
                throw MissingKey(needsKey, source[4..]);
        }
        var worst = settings.Checks.Count * ((settings.Retries + 1) * settings.Timeout.TotalSeconds + settings.Backoff.TotalSeconds * Math.Pow(2, settings.Retries));
        return new StepPlan(
            Name, Stage,
            $"{settings.Checks.Count} smoke check(s) against {url}",
            [.. settings.Checks.Select(Describe)],
            NothingToDo: false, ExpectedSeconds: 2, DeadlineSeconds: Math.Ceiling(worst) + 30,
            new Dictionary<string, string> { ["url"] = url.AbsoluteUri, ["apiKey"] = source });
    }

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
        var url = new Uri(plan.Parameter("url"));
        // The API key read (Secrets Manager) is tried again while AWS is busy, until the step's deadline.
        var key = await StepRetries.UntilDeadlineAsync(context, ct => ResolveKeyAsync(settings, null, secrets, environment, ct), cancellationToken);
        using var log = SmokeLog.Create(logBaseDirectory, context.RunId, context.Time);
        using var owned = http is null ? SmokeRunner.CreateHttpClient(url) : null;
        var runner = new SmokeRunner(http ?? owned!, SmokeOptions.From(settings), context.Time);
        var results = await runner.RunAsync(url, settings.Checks, key, log, context.Report, cancellationToken);
        var report = new SmokeReport(url.AbsoluteUri, results, log.Path);
        return report.AllPassed
            ? StepResult.Succeeded(report.Summary(), report.Evidence())
            : StepResult.Failed(report.Summary(), report.Evidence());
    }

    /// <summary>Where the key comes from, safe to show and journal: "env:VAR" or "secret:ID".</summary>
    public static string KeySource(SmokeSection settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.ApiKeySecret is { } secret ? $"secret:{secret}" : $"env:{settings.ApiKeyEnv ?? PlaybookDefaults.SmokeApiKeyVariable}";
    }

    /// <summary>
    /// The API key for the checks that send one: <paramref name="flag"/>, else the secret, else the environment
    /// variable; null when no check needs it. A check that needs it and finds none is bad input.
    /// </summary>
    public static async Task<ApiKey?> ResolveKeyAsync(
        SmokeSection settings, string? flag, ISecretsManagerClient? secrets, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (flag is not null)
            return ApiKey.FromFlag(flag);
        var needsKey = settings.Checks.FirstOrDefault(c => c.UsesApiKey);
        var variable = settings.ApiKeyEnv ?? PlaybookDefaults.SmokeApiKeyVariable;
        if (needsKey is null)
            return settings.ApiKeySecret is null ? ApiKey.FromEnvironment(variable, environment) : null; // known, so still redacted
        if (settings.ApiKeySecret is { } secret)
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
