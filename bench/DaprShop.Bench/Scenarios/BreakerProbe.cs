using System.Diagnostics;

namespace DaprShop.Bench.Scenarios;

/// <summary>What order-service's sidecar does with a call to payment-service: <c>Open</c> when its breaker rejects it.</summary>
internal enum BreakerState
{
    Unknown,
    Closed,
    Open,
}

/// <summary>
/// Asks order-service's sidecar (whose resiliency policy holds the breaker for its calls to payment-service) to
/// invoke a harmless <c>GET /payments/{id}</c> on payment-service: an open breaker answers at once with daprd's
/// error <c>circuit breaker is open</c>; otherwise the call reaches payment (a 503 while it is down). The probe
/// counts as a failed call for the breaker too, as any other call would.
/// </summary>
internal sealed class BreakerProbe(HttpClient? orderSidecar)
{
    public const string OpenMessage = "circuit breaker is open";

    public async Task<BreakerState> StateAsync(CancellationToken cancellationToken)
    {
        if (orderSidecar is null)
        {
            return BreakerState.Unknown;
        }

        using var response = await orderSidecar.GetAsync("/v1.0/invoke/payment-service/method/payments/bench-breaker-probe", cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return body.Contains(OpenMessage, StringComparison.OrdinalIgnoreCase) ? BreakerState.Open : BreakerState.Closed;
    }

    /// <summary>
    /// With payment down, places orders one at a time (each a failed payment call for the breaker) and probes
    /// after each, until the breaker is open or <paramref name="deadline"/> passes. Without order-service's sidecar
    /// it places <paramref name="ordersWithoutProbe"/> orders and cannot tell.
    /// </summary>
    public async Task<(BreakerState State, int Orders, TimeSpan Took)> TripAsync(OrderWorkload orders, TimeSpan deadline, int ordersWithoutProbe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orders);
        var started = Stopwatch.GetTimestamp();
        var placed = 0;
        var state = BreakerState.Unknown;
        while (Stopwatch.GetElapsedTime(started) < deadline)
        {
            await orders.SendAsync(placed++, cancellationToken);
            state = await StateAsync(cancellationToken);
            if (state == BreakerState.Open || (state == BreakerState.Unknown && placed >= ordersWithoutProbe))
            {
                break;
            }
        }

        return (state, placed, Stopwatch.GetElapsedTime(started));
    }
}
