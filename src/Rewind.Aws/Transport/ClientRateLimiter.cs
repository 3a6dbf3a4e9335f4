namespace Rewind.Aws.Transport;

/// <summary>
/// The AWS SDKs' adaptive retry mode's client-side rate limiter (botocore's <c>retries/adaptive.py</c>, the SDKs'
/// shared "ClientRateLimiter" design), for one API of one account and region: it lets every request through until
/// the service first throttles; from then on each request takes a token from a bucket whose fill rate follows CUBIC
/// congestion control: cut to 70 % of the rate measured when a throttle arrives, then grown back along a cubic curve
/// that flattens near the last rate that throttled, never above twice the rate actually measured. A fleet rollback of
/// 50 services so slows itself to what ECS and ELBv2 accept instead of spending its retries on throttles.
/// Hand-written: System.Threading.RateLimiting (and Polly's rate limiter on it) has fixed-rate buckets only, none that
/// adapts to the service's throttling answers.
/// </summary>
public sealed class ClientRateLimiter
{
    /// <summary>CUBIC's multiplicative decrease: the rate after a throttle is this share of the rate before.</summary>
    public const double Beta = 0.7;

    /// <summary>CUBIC's scale constant (the curve's steepness).</summary>
    public const double ScaleConstant = 0.4;

    /// <summary>
    /// The slowest fill rate, in requests per second. The SDKs' floor is 0.5/s for one client of a whole service; here
    /// each API has its own limiter and most see a request a second or less (a poll), so after a throttle the measured
    /// rate is near nothing: a floor of 2/s keeps one throttled read from stalling a poll loop or planning, and stays
    /// far below ECS's and ELBv2's published per-action limits (tens of requests a second).
    /// </summary>
    public const double MinFillRate = 2;

    /// <summary>The new rate is at most this many times the measured send rate.</summary>
    public const double MaxRateAdjustScale = 2.0;

    /// <summary>The weight of the newest measurement in the smoothed send rate.</summary>
    public const double Smoothing = 0.8;

    /// <summary>The send rate is measured over buckets of this many seconds.</summary>
    public const double TimeBucketSeconds = 0.5;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly long _origin;

    // The token bucket.
    private bool _enabled;
    private double _fillRate;
    private double _maxCapacity;
    private double _capacity;
    private double? _lastRefill;

    // CUBIC.
    private double _lastMaxRate;
    private double _lastThrottle;
    private double _timeWindow;

    // The measured send rate.
    private double _measuredRate;
    private double _lastBucket;
    private int _requestsInBucket;

    public ClientRateLimiter(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _origin = _time.GetTimestamp();
        var now = Now();
        _lastThrottle = now;
        _lastBucket = Math.Floor(now);
        SetFillRate(1);
    }

    /// <summary>Whether a throttle has been seen: only then do requests wait for tokens.</summary>
    public bool IsEnabled
    {
        get
        {
            lock (_gate)
                return _enabled;
        }
    }

    /// <summary>The bucket's fill rate, in requests per second (meaningful once <see cref="IsEnabled"/>).</summary>
    public double FillRate
    {
        get
        {
            lock (_gate)
                return _fillRate;
        }
    }

    /// <summary>The smoothed rate of answers, in requests per second.</summary>
    public double MeasuredRate
    {
        get
        {
            lock (_gate)
                return _measuredRate;
        }
    }

    /// <summary>Waits, before an attempt is sent, until the bucket has a token (at once while not enabled).</summary>
    public async ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                if (!_enabled)
                    return;
                Refill();
                if (_capacity >= 1)
                {
                    _capacity -= 1;
                    return;
                }
                // At least a millisecond: a wait that rounds to nothing would spin on a clock that has not moved.
                wait = TimeSpan.FromSeconds(Math.Max((1 - _capacity) / _fillRate, 0.001));
            }
            await Task.Delay(wait, _time, cancellationToken);
        }
    }

    /// <summary>An answer came back (or an attempt ended): <paramref name="throttled"/> when the service throttled it.</summary>
    public void Update(bool throttled)
    {
        lock (_gate)
        {
            var now = Now();
            UpdateMeasuredRate(now);
            double calculated;
            if (throttled)
            {
                var rateToUse = _enabled ? Math.Min(_measuredRate, _fillRate) : _measuredRate;
                _lastMaxRate = rateToUse;
                _timeWindow = TimeWindow(_lastMaxRate);
                _lastThrottle = now;
                calculated = rateToUse * Beta;
                _enabled = true;
            }
            else
            {
                _timeWindow = TimeWindow(_lastMaxRate);
                calculated = ScaleConstant * Math.Pow(now - _lastThrottle - _timeWindow, 3) + _lastMaxRate;
            }
            Refill();
            SetFillRate(Math.Min(calculated, MaxRateAdjustScale * _measuredRate));
        }
    }

    /// <summary>CUBIC's K: how long after a throttle the curve is back at the rate that throttled.</summary>
    private static double TimeWindow(double lastMaxRate) => Math.Cbrt(lastMaxRate * (1 - Beta) / ScaleConstant);

    private void UpdateMeasuredRate(double now)
    {
        var bucket = Math.Floor(now / TimeBucketSeconds) * TimeBucketSeconds;
        _requestsInBucket++;
        if (bucket > _lastBucket)
        {
            var current = _requestsInBucket / (bucket - _lastBucket);
            _measuredRate = current * Smoothing + _measuredRate * (1 - Smoothing);
            _requestsInBucket = 0;
            _lastBucket = bucket;
        }
    }

    private void SetFillRate(double rate)
    {
        rate = Math.Max(rate, MinFillRate);
        _fillRate = rate;
        _maxCapacity = Math.Max(rate, 1);
        _capacity = Math.Min(_capacity, _maxCapacity);
    }

    private void Refill()
    {
        var now = Now();
        if (_lastRefill is { } last)
            _capacity = Math.Min(_maxCapacity, _capacity + (now - last) * _fillRate);
        _lastRefill = now;
    }

    private double Now() => _time.GetElapsedTime(_origin).TotalSeconds;
}
