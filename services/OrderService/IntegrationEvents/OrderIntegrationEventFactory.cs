using DaprShop.Contracts.Orders;
using OrderService.Domain;

namespace OrderService.IntegrationEvents;

public static class OrderIntegrationEventFactory
{
    /// <summary>The integration event that says <paramref name="order"/> reached its current status.</summary>
    public static OrderIntegrationEvent For(Order order, Guid eventId, DateTimeOffset occurredAt)
    {
        ArgumentNullException.ThrowIfNull(order);

        return order.Status switch
        {
            OrderStatus.AwaitingPayment => Fill(new OrderSubmitted(), order, eventId, occurredAt),
            OrderStatus.Confirmed => Fill(new OrderConfirmed(), order, eventId, occurredAt),
            OrderStatus.Rejected => Fill(new OrderRejected(), order, eventId, occurredAt),
            OrderStatus.Cancelled => Fill(new OrderCancelled(), order, eventId, occurredAt),
            _ => throw new InvalidOperationException($"No integration event for status {order.Status}."),
        };
    }

    private static T Fill<T>(T empty, Order order, Guid eventId, DateTimeOffset occurredAt)
        where T : OrderIntegrationEvent =>
        empty with
        {
            EventId = eventId,
            OrderId = order.OrderId,
            UserId = order.UserId,
            UserEmail = order.UserEmail,
            Status = order.Status,
            Total = order.Total,
            Currency = order.Currency,
            OccurredAt = occurredAt,
            Reason = order.Status is OrderStatus.Rejected or OrderStatus.Cancelled ? order.StatusReason : null,
        };
}
