namespace DaprShop.Sidecar.Resiliency;

/// <summary>
/// A named <c>circuitBreakers</c> policy: the template each breaker of a target is made from, with
/// daprd's defaults already applied (dapr/dapr <c>pkg/resiliency/breaker/circuitbreaker.go</c>,
/// which hands them to gobreaker): <c>maxRequests</c> 0 means 1, <c>interval</c> 0 never clears
/// the counts while closed, <c>timeout</c> 0 means 60s, no <c>trip</c> means
/// <c>consecutiveFailures &gt; 5</c>.
/// </summary>
public sealed record CircuitBreakerPolicy(string Name, uint MaxRequests, TimeSpan Interval, TimeSpan Timeout, TripExpression Trip)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The policy with gobreaker's defaults in place of zero values.</summary>
    public static CircuitBreakerPolicy Create(string name, uint maxRequests = 0, TimeSpan interval = default, TimeSpan timeout = default, TripExpression? trip = null) =>
        new(
            name,
            maxRequests == 0 ? 1 : maxRequests,
            interval > TimeSpan.Zero ? interval : TimeSpan.Zero,
            timeout > TimeSpan.Zero ? timeout : DefaultTimeout,
            trip ?? TripExpression.Default);
}
