namespace OrderService.Domain;

/// <summary>payment-service as the order sees it.</summary>
public interface IPaymentGateway
{
    /// <summary>Captures the order's payment; idempotent by order id on the payment side, so it is safe to repeat.</summary>
    Task<PaymentOutcome> CaptureAsync(OrderState order, CancellationToken cancellationToken);

    /// <summary>
    /// Refunds the order's payment if one was captured, or voids it if not, so that no capture can follow; idempotent.
    /// </summary>
    Task<PaymentRefundOutcome> RefundAsync(string orderId, CancellationToken cancellationToken);
}

public abstract record PaymentOutcome
{
    /// <summary>Payment captured <paramref name="Amount"/> in <paramref name="Currency"/> for <paramref name="OrderId"/>, as its answer says.</summary>
    public sealed record Captured(string PaymentId, string OrderId, decimal Amount, string Currency) : PaymentOutcome;

    public sealed record Declined(string PaymentId, string? Reason) : PaymentOutcome;

    /// <summary>
    /// Payment could not be asked or did not answer: unreachable, timed out, a 5xx answer, or the caller's circuit
    /// breaker is open (the sidecar's 500 <c>ERR_DIRECT_INVOKE</c>). The order stays <c>AwaitingPayment</c>.
    /// </summary>
    public sealed record Unavailable(string Reason) : PaymentOutcome;
}

public enum PaymentRefundOutcome
{
    Refunded,

    /// <summary>No payment was captured for the order, and none will be (payment-service voided it).</summary>
    NoPayment,

    /// <summary>The payment was declined, so there is nothing to give back.</summary>
    NotRefundable,

    Unavailable,
}
