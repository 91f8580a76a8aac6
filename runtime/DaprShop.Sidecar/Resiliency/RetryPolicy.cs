namespace DaprShop.Sidecar.Resiliency;

/// <summary>How a retry policy spaces its attempts.</summary>
public enum BackoffKind
{
    Constant,
    Exponential,
}

/// <summary>
/// A named <c>retries</c> policy with daprd's defaults applied (dapr/kit <c>retry/retry.go</c>
/// <c>DefaultConfig</c>): <c>policy</c> constant, <c>duration</c> 5s, <c>maxInterval</c> 60s,
/// <c>maxRetries</c> -1. The exponential fields users cannot set keep cenkalti/backoff's defaults,
/// which daprd uses: a first interval of 500ms, growth by 1.5, ±50% randomization, and no retry
/// once 15 minutes have passed since the first attempt.
/// </summary>
public sealed record RetryPolicy(
    string Name,
    BackoffKind Policy,
    TimeSpan Duration,
    TimeSpan MaxInterval,
    long MaxRetries,
    StatusCodeMatcher Matching)
{
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultMaxInterval = TimeSpan.FromSeconds(60);
    public const long DefaultMaxRetries = -1;

    public TimeSpan InitialInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public double Multiplier { get; init; } = 1.5;

    public double RandomizationFactor { get; init; } = 0.5;

    /// <summary>For exponential back-off: no retry starts once this much time has passed since the first attempt (zero: no limit).</summary>
    public TimeSpan MaxElapsedTime { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Whether a failure is ever retried: <c>maxRetries</c> is not 0.</summary>
    public bool Retries => MaxRetries != 0;

    /// <summary>Whether retries go on until success (any negative <c>maxRetries</c>).</summary>
    public bool Forever => MaxRetries < 0;

    public static RetryPolicy Create(
        string name,
        BackoffKind policy = BackoffKind.Constant,
        TimeSpan? duration = null,
        TimeSpan? maxInterval = null,
        long maxRetries = DefaultMaxRetries,
        StatusCodeMatcher? matching = null) =>
        new(name, policy, duration ?? DefaultDuration, maxInterval ?? DefaultMaxInterval, maxRetries, matching ?? StatusCodeMatcher.All);

    /// <summary>
    /// The pause before retry number <paramref name="retry"/> (0 for the first retry).
    /// <paramref name="random"/> is a value in [0, 1) for the exponential randomization.
    /// </summary>
    /// <remarks>
    /// Exponential as cenkalti/backoff computes it: the interval starts at 500ms and is multiplied
    /// by 1.5 after each retry until it reaches <c>maxInterval</c>, where it stays (the cap applies
    /// to the interval, not to the randomized pause, and the first interval is not capped); each
    /// pause is the interval times a random factor in [0.5, 1.5].
    /// </remarks>
    public TimeSpan DelayBefore(int retry, double random)
    {
        if (Policy == BackoffKind.Constant)
        {
            return Duration;
        }

        var interval = InitialInterval.Ticks;
        for (var i = 0; i < retry && interval != MaxInterval.Ticks; i++)
        {
            interval = interval >= MaxInterval.Ticks / Multiplier ? MaxInterval.Ticks : (long)(interval * Multiplier);
        }

        var delta = RandomizationFactor * interval;
        return TimeSpan.FromTicks((long)(interval - delta + (random * ((2 * delta) + 1))));
    }

    /// <summary>Whether another retry may start after <paramref name="retriesDone"/> retries, <paramref name="elapsed"/> after the first attempt started.</summary>
    public bool MayRetry(int retriesDone, TimeSpan elapsed)
    {
        if (!Forever && retriesDone >= MaxRetries)
        {
            return false;
        }

        return Policy == BackoffKind.Constant || MaxElapsedTime <= TimeSpan.Zero || elapsed <= MaxElapsedTime;
    }
}
