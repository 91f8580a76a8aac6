namespace OrderService.Domain.Events;

/// <summary>
/// payment-service answered a capture that does not match the order: another order id, amount or currency than the
/// order's (<see cref="OrderState.Total"/>, <see cref="OrderState.Currency"/>). The order is not confirmed; the
/// capture is refunded and the order cancelled (<see cref="OrderCancelled.PaymentMismatch"/>).
/// </summary>
public sealed record PaymentMismatched(string PaymentId, string PaymentOrderId, decimal Amount, string Currency) : OrderEvent
{
    /// <summary>What differs, for the log and the order's status reason.</summary>
    public string Describe(OrderState order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return string.Equals(PaymentOrderId, order.OrderId, StringComparison.Ordinal)
            ? $"payment captured {Amount} {Currency}, the order is {order.Total} {order.Currency}"
            : $"payment answered for order '{PaymentOrderId}', not '{order.OrderId}'";
    }
}
