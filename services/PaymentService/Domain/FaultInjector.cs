namespace PaymentService.Domain;

/// <summary>
/// The fault currently injected into this process's payment endpoints (demos and tests only), and how many requests
/// those endpoints received since the process started, whatever the fault: a test counts them to prove that an open
/// circuit breaker keeps calls away from payment-service.
/// </summary>
public sealed class FaultInjector
{
    private FaultSettings current = FaultSettings.None;
    private long paymentRequests;

    public FaultSettings Current => Volatile.Read(ref current);

    /// <summary>Requests received by the <c>/payments</c> endpoints, refused and delayed ones included.</summary>
    public long PaymentRequests => Interlocked.Read(ref paymentRequests);

    public void CountPaymentRequest() => Interlocked.Increment(ref paymentRequests);

    public void Set(FaultSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Volatile.Write(ref current, settings);
    }
}
