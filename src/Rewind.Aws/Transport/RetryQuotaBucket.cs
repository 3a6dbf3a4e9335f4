namespace Rewind.Aws.Transport;

/// <summary>
/// The AWS SDKs' standard-mode retry quota: a bucket of 500 tokens shared by every call of one transport. A retry
/// takes 5 (10 after a timeout or a broken connection); a success gives back what its last retry took, or 1 when it
/// needed none. An empty bucket means no retry: when a service is failing, clients stop piling onto it.
/// </summary>
public sealed class RetryQuotaBucket(int capacity = RetryQuotaBucket.DefaultCapacity)
{
    public const int DefaultCapacity = 500;
    public const int RetryCost = 5;
    public const int TimeoutRetryCost = 10;
    public const int NoRetryIncrement = 1;

    private readonly Lock _gate = new();
    private int _available = capacity;

    public int Capacity { get; } = capacity;

    public int Available
    {
        get
        {
            lock (_gate)
                return _available;
        }
    }

    /// <summary>Takes the cost of one retry; false (and nothing taken) when the bucket cannot pay it.</summary>
    public bool TryAcquire(int cost)
    {
        lock (_gate)
        {
            if (_available < cost)
                return false;
            _available -= cost;
            return true;
        }
    }

    /// <summary>A call succeeded: <paramref name="lastRetryCost"/> is what its last retry took (0 for none).</summary>
    public void Succeeded(int lastRetryCost)
    {
        lock (_gate)
            _available = Math.Min(Capacity, _available + (lastRetryCost > 0 ? lastRetryCost : NoRetryIncrement));
    }
}
