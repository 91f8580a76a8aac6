using DaprShop.Contracts.Orders;

namespace OrderService.Domain;

/// <summary>
/// Which status changes an order allows:
/// <c>AwaitingPayment</c> → <c>Confirmed</c> | <c>Rejected</c> | <c>Cancelled</c>; <c>Confirmed</c> → <c>Cancelled</c>;
/// <c>Rejected</c> and <c>Cancelled</c> are final.
/// </summary>
public static class OrderStatusRules
{
    public static bool CanTransition(OrderStatus from, OrderStatus to) => (from, to) switch
    {
        (OrderStatus.AwaitingPayment, OrderStatus.Confirmed) => true,
        (OrderStatus.AwaitingPayment, OrderStatus.Rejected) => true,
        (OrderStatus.AwaitingPayment, OrderStatus.Cancelled) => true,
        (OrderStatus.Confirmed, OrderStatus.Cancelled) => true,
        _ => false,
    };

    public static bool IsFinal(OrderStatus status) => status is OrderStatus.Rejected or OrderStatus.Cancelled;

    /// <summary>Why <paramref name="from"/> cannot become <paramref name="to"/>, in words a client can act on.</summary>
    public static string Explain(OrderStatus from, OrderStatus to) => (from, to) switch
    {
        (OrderStatus.Cancelled, OrderStatus.Cancelled) => "The order is already cancelled.",
        (OrderStatus.Rejected, OrderStatus.Cancelled) => "The order was rejected (payment declined); there is nothing to cancel.",
        _ => $"An order that is {from} cannot become {to}.",
    };
}
