using System.Globalization;
using Rewind.Aws.Errors;

namespace Rewind.Aws.Transport;

/// <summary>Timeouts and retry bounds of every call. Defaults follow the AWS SDKs' "standard" retry mode.</summary>
public sealed record AwsTransportOptions
{
    /// <summary>The standard mode's default: the first attempt and two retries.</summary>
    public const int DefaultMaxAttempts = 3;

    /// <summary>The most attempts a call may be given (AWS_MAX_ATTEMPTS above it is refused).</summary>
    public const int MaxMaxAttempts = 10;

    /// <summary>Attempts in all, the first included: 1 to <see cref="MaxMaxAttempts"/>.</summary>
    public int MaxAttempts
    {
        get;
        init => field = value is >= 1 and <= MaxMaxAttempts
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxAttempts), value, $"attempts must be 1 to {MaxMaxAttempts}");
    } = DefaultMaxAttempts;

    /// <summary>How long one attempt may take.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long the call may take, every attempt and wait included.</summary>
    public TimeSpan OverallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The first backoff ceiling; it doubles with each retry up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan BaseBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The standard mode's cap on one backoff wait.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A Retry-After (or x-amz-retry-after) longer than this is cut to it.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The retry quota's size: the standard mode's token bucket of 500.</summary>
    public int RetryQuota { get; init; } = RetryQuotaBucket.DefaultCapacity;

    /// <summary>
    /// The adaptive retry mode's client-side rate limiting (<see cref="ClientRateLimiter"/>): on by default, off with
    /// AWS_RETRY_MODE=standard (or legacy).
    /// </summary>
    public bool AdaptiveRateLimiting { get; init; } = true;

    /// <summary>The source of jitter, a number in [0, 1). Tests pin it.</summary>
    public Func<double> Jitter { get; init; } = Random.Shared.NextDouble;

    public static AwsTransportOptions Default { get; } = new();

    /// <summary>
    /// The defaults, with AWS_MAX_ATTEMPTS (1 to <see cref="MaxMaxAttempts"/>) and AWS_RETRY_MODE (adaptive, the
    /// default; standard or legacy turn the rate limiter off) honoured as the SDKs honour them; any other value is a
    /// setup error.
    /// </summary>
    public static AwsTransportOptions FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var options = Default with { AdaptiveRateLimiting = AdaptiveFrom(environment("AWS_RETRY_MODE")) };
        var value = environment("AWS_MAX_ATTEMPTS");
        if (string.IsNullOrWhiteSpace(value))
            return options;
        if (!int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var attempts) || attempts is < 1 or > MaxMaxAttempts)
        {
            var shown = value.Length > 20 ? value[..20] + "…" : value;
            throw new AwsConfigurationException(
                $"AWS_MAX_ATTEMPTS is '{shown}', not a whole number from 1 to {MaxMaxAttempts}",
                $"set AWS_MAX_ATTEMPTS to 1..{MaxMaxAttempts} (default {DefaultMaxAttempts}), or unset it");
        }
        return options with { MaxAttempts = attempts };
    }

    private static bool AdaptiveFrom(string? mode) => mode?.Trim().ToLowerInvariant() switch
    {
        null or "" or "adaptive" => true,
        "standard" or "legacy" => false,
        _ => throw new AwsConfigurationException(
            $"AWS_RETRY_MODE is '{(mode.Length > 20 ? mode[..20] + "…" : mode)}', not adaptive, standard or legacy",
            "set AWS_RETRY_MODE to adaptive (the default: standard retries plus client-side rate limiting) or standard, or unset it"),
    };
}
