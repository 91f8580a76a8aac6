using System.Security.Claims;
using DaprShop.Contracts.Orders;
using DaprShop.ServiceDefaults.Identity;

namespace OrderService.Domain;

public enum CancellationOutcomeKind
{
    Cancelled,
    NotFound,
    NotOwner,
    NotCancellable,
    PaymentUnavailable,
}

public sealed record CancellationOutcome(CancellationOutcomeKind Kind, Order? Order = null, string? Detail = null);

/// <summary>Cancels an order for its owner, refunding a captured payment first.</summary>
public sealed class OrderCancellation(
    IOrderRepository orders,
    IPaymentGateway payments,
    IOrderEventPublisher events,
    TimeProvider clock,
    ILogger<OrderCancellation> logger)
{
    public async Task<CancellationOutcome> CancelAsync(string orderId, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);

        var order = await orders.GetAsync(orderId, cancellationToken);
        var userId = caller.GetUserId();
        if (order is null || (!order.IsOwnedBy(userId) && !caller.IsAdmin()))
        {
            return new CancellationOutcome(CancellationOutcomeKind.NotFound);
        }

        if (!order.IsOwnedBy(userId))
        {
            return new CancellationOutcome(CancellationOutcomeKind.NotOwner, order, "Only the order's owner can cancel it.");
        }

        if (!order.CanBecome(OrderStatus.Cancelled))
        {
            return new CancellationOutcome(CancellationOutcomeKind.NotCancellable, order, OrderStatusRules.Explain(order.Status, OrderStatus.Cancelled));
        }

        // AwaitingPayment too: a capture may have gone through without the order hearing of it.
        var refund = await payments.RefundAsync(orderId, cancellationToken);
        if (refund == RefundOutcome.Unavailable)
        {
            logger.LogWarning("Order {OrderId} not cancelled: payment unavailable for the refund", orderId);
            return new CancellationOutcome(CancellationOutcomeKind.PaymentUnavailable, order, "The payment could not be refunded right now; the order is unchanged. Try again later.");
        }

        var now = clock.GetUtcNow();
        var update = await orders.UpdateAsync(orderId, current => current.CanBecome(OrderStatus.Cancelled) ? current.Cancel(now) : current, cancellationToken);
        if (!update.Changed)
        {
            return new CancellationOutcome(CancellationOutcomeKind.NotCancellable, update.Order, OrderStatusRules.Explain(update.Order.Status, OrderStatus.Cancelled));
        }

        logger.LogInformation("Order {OrderId} cancelled by {UserId} (refund: {Refund})", orderId, userId, refund);
        await events.PublishAsync(update.Order, cancellationToken);
        return new CancellationOutcome(CancellationOutcomeKind.Cancelled, update.Order);
    }
}
