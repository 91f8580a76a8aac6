namespace DaprShop.Sidecar.Resiliency;

/// <summary>
/// A call the circuit breaker did not let through. The messages are gobreaker's errors, which daprd
/// passes on (dapr/dapr <c>pkg/resiliency/breaker/circuitbreaker.go</c>): <c>circuit breaker is
/// open</c> while open, <c>too many requests</c> once a half-open breaker has admitted its
/// <c>maxRequests</c>. Such a rejection is never retried.
/// </summary>
public sealed class CircuitBreakerRejectedException : Exception
{
    public const string OpenMessage = "circuit breaker is open";

    public const string TooManyRequestsMessage = "too many requests";

    public CircuitBreakerRejectedException()
        : this(OpenMessage)
    {
    }

    public CircuitBreakerRejectedException(string message)
        : base(message)
    {
        BreakerName = string.Empty;
    }

    public CircuitBreakerRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        BreakerName = string.Empty;
    }

    private CircuitBreakerRejectedException(string message, string breakerName, CircuitBreakerState state)
        : base(message)
    {
        BreakerName = breakerName;
        State = state;
    }

    /// <summary>The breaker that rejected the call.</summary>
    public string BreakerName { get; }

    /// <summary>The breaker's state when it rejected the call: open or half-open.</summary>
    public CircuitBreakerState State { get; } = CircuitBreakerState.Open;

    internal static CircuitBreakerRejectedException Open(string breakerName) =>
        new(OpenMessage, breakerName, CircuitBreakerState.Open);

    internal static CircuitBreakerRejectedException TooManyRequests(string breakerName) =>
        new(TooManyRequestsMessage, breakerName, CircuitBreakerState.HalfOpen);
}
