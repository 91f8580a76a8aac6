namespace OrderService.Domain.Events;

/// <summary>The order is cancelled, by its owner or because its payment window expired.</summary>
public sealed record OrderCancelled(string Reason) : OrderEvent
{
    public const string ByCustomer = "cancelled_by_customer";

    public const string PaymentWindowExpired = "payment window expired";

    /// <summary>Payment captured another amount or currency than the order's; the capture was refunded.</summary>
    public const string PaymentMismatch = "payment_mismatch";
}
