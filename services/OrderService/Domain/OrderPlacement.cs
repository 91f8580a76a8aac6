using DaprShop.Contracts.Orders;

namespace OrderService.Domain;

/// <summary>Places orders and settles their payment.</summary>
public sealed class OrderPlacement(
    IOrderRepository orders,
    IPaymentGateway payments,
    IOrderEventPublisher events,
    TimeProvider clock,
    ILogger<OrderPlacement> logger)
{
    /// <summary>
    /// Stores the order (insert-only, so the same idempotency key never places two orders) and settles its payment.
    /// Re-submitting an order that still awaits payment tries the payment again: payment is idempotent by order id,
    /// so that never charges twice.
    /// </summary>
    public async Task<PlacementResult> PlaceAsync(PlaceOrder command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);

        var orderId = command.IdempotencyKey is { } key ? OrderIds.FromIdempotencyKey(command.UserId, key) : OrderIds.New();
        var order = Order.Place(orderId, command.UserId, command.UserEmail, command.Items, command.Currency, command.PaymentMethod, clock.GetUtcNow());

        if (!await orders.TryAddAsync(order, cancellationToken))
        {
            var existing = await orders.GetAsync(orderId, cancellationToken)
                ?? throw new InvalidOperationException($"Order {orderId} exists but could not be read.");
            logger.LogInformation("Order {OrderId} already placed with this idempotency key; status {Status}", orderId, existing.Status);

            var current = existing.Status == OrderStatus.AwaitingPayment ? await SettlePaymentAsync(existing, cancellationToken) : existing;
            return new PlacementResult(current, Created: false);
        }

        logger.LogInformation("Order {OrderId} placed by {UserId}: {Total} {Currency}", order.OrderId, order.UserId, order.Total, order.Currency);
        await events.PublishAsync(order, cancellationToken);

        return new PlacementResult(await SettlePaymentAsync(order, cancellationToken), Created: true);
    }

    /// <summary>
    /// Asks payment to capture the order's total and records the answer: captured → <c>Confirmed</c>,
    /// declined → <c>Rejected</c>, unreachable → stays <c>AwaitingPayment</c>. Safe to call again for an order that
    /// awaits payment (a re-submission does; so can a deferred retry), and a payment captured for an order that was
    /// cancelled meanwhile is refunded.
    /// </summary>
    public async Task<Order> SettlePaymentAsync(Order order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);

        var outcome = await payments.CaptureAsync(order, cancellationToken);
        var now = clock.GetUtcNow();

        Func<Order, Order> change;
        switch (outcome)
        {
            case PaymentOutcome.Captured captured:
                change = current => current.CanBecome(OrderStatus.Confirmed) ? current.Confirm(captured.PaymentId, now) : current;
                break;

            case PaymentOutcome.Declined declined:
                change = current => current.CanBecome(OrderStatus.Rejected) ? current.Reject(declined.PaymentId, declined.Reason, now) : current;
                break;

            case PaymentOutcome.Unavailable unavailable:
                logger.LogWarning("Payment for order {OrderId} deferred: {Reason}; the order stays {Status}", order.OrderId, unavailable.Reason, order.Status);
                return order;

            default:
                throw new InvalidOperationException($"Unknown payment outcome {outcome}.");
        }

        var update = await orders.UpdateAsync(order.OrderId, change, cancellationToken);
        if (update.Changed)
        {
            logger.LogInformation("Order {OrderId} {Status}", update.Order.OrderId, update.Order.Status);
            await events.PublishAsync(update.Order, cancellationToken);
        }
        else if (outcome is PaymentOutcome.Captured && update.Order.Status == OrderStatus.Cancelled)
        {
            logger.LogWarning("Order {OrderId} was cancelled while its payment was captured; refunding", order.OrderId);
            var refund = await payments.RefundAsync(order.OrderId, cancellationToken);
            logger.LogInformation("Refund for cancelled order {OrderId}: {Refund}", order.OrderId, refund);
        }

        return update.Order;
    }
}
