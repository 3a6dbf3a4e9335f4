namespace Rewind.Aws.Transport;

/// <summary>Timeouts and retry bounds of every call. Defaults follow the AWS SDKs' "standard" retry mode.</summary>
public sealed record AwsTransportOptions
{
    /// <summary>Attempts in all, the first included.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>How long one attempt may take.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long the call may take, every attempt and wait included.</summary>
    public TimeSpan OverallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The first backoff ceiling; it doubles with each retry up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan BaseBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>A Retry-After longer than this is cut to it.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The source of jitter, a number in [0, 1). Tests pin it.</summary>
    public Func<double> Jitter { get; init; } = Random.Shared.NextDouble;

    public static AwsTransportOptions Default { get; } = new();
}
