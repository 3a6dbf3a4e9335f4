using Microsoft.Extensions.Time.Testing;
using Rewind.Aws;
using Rewind.Aws.CloudFront;
using Rewind.Aws.Errors;

namespace Rewind.Playbook.Tests.Fakes;

/// <summary>
/// CloudFront in memory, as AWS behaves: one invalidation per caller reference (asking again with the same reference
/// answers the first one), InProgress for <see cref="PollsUntilCompleted"/> reads, then Completed. Every call is
/// recorded; hooks let a test lose an answer or stop the run at a chosen call.
/// </summary>
internal sealed class FakeCloudFront(FakeTimeProvider? time = null) : ICloudFrontClient
{
    public const string DistributionId = "E123ABC";

    private readonly Dictionary<string, Invalidation> _byReference = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _reads = new(StringComparer.Ordinal);

    /// <summary>Every call as "Operation distribution [detail]", in order.</summary>
    public List<string> Calls { get; } = [];

    /// <summary>The caller reference of every CreateInvalidation received.</summary>
    public List<string> CallerReferences { get; } = [];

    /// <summary>How many reads answer InProgress before Completed; null: never completed.</summary>
    public int? PollsUntilCompleted { get; set; } = 1;

    /// <summary>How far each GetInvalidation moves the clock (an invalidation takes time).</summary>
    public TimeSpan ReadTakes { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Thrown after the next CreateInvalidation took effect: its answer is lost (set to null after use).</summary>
    public Exception? LoseNextCreateAnswer { get; set; }

    /// <summary>Run at each GetInvalidation before it answers (to stop a run there).</summary>
    public Action? OnRead { get; set; }

    public int Invalidations => _byReference.Count;

    public Task<Invalidation> CreateInvalidationAsync(string distributionId, IReadOnlyList<string> paths, string callerReference, CancellationToken cancellationToken)
    {
        Calls.Add($"CreateInvalidation {distributionId} {string.Join(' ', paths)}");
        CallerReferences.Add(callerReference);
        if (!_byReference.TryGetValue(callerReference, out var invalidation))
        {
            invalidation = new Invalidation($"I{_byReference.Count + 1}", InvalidationStatus.InProgress, DateTimeOffset.UnixEpoch, [.. paths], callerReference);
            _byReference.Add(callerReference, invalidation);
        }
        if (LoseNextCreateAnswer is { } lost)
        {
            LoseNextCreateAnswer = null;
            throw lost;
        }
        return Task.FromResult(invalidation);
    }

    public Task<Invalidation> GetInvalidationAsync(string distributionId, string invalidationId, CancellationToken cancellationToken)
    {
        Calls.Add($"GetInvalidation {distributionId} {invalidationId}");
        OnRead?.Invoke();
        cancellationToken.ThrowIfCancellationRequested();
        var invalidation = _byReference.Values.Single(i => i.Id == invalidationId);
        var reads = _reads[invalidationId] = _reads.GetValueOrDefault(invalidationId) + 1;
        time?.Advance(ReadTakes);
        var completed = PollsUntilCompleted is { } polls && reads > polls;
        return Task.FromResult(invalidation with { Status = completed ? InvalidationStatus.Completed : InvalidationStatus.InProgress });
    }

    public Task<Distribution> GetDistributionAsync(string distributionId, CancellationToken cancellationToken)
    {
        Calls.Add($"GetDistribution {distributionId}");
        if (distributionId != DistributionId)
            throw new AwsServiceException(AwsService.CloudFront, "GetDistribution", "NoSuchDistribution", "The specified distribution does not exist.", 404, "req-1");
        return Task.FromResult(new Distribution(DistributionId, $"arn:aws:cloudfront::123456789012:distribution/{DistributionId}", "Deployed", "d111.cloudfront.net", true, 0, null, "E1"));
    }
}
