using DaprShop.Contracts.Orders;

namespace NotificationService.Tests;

public static class TestEvents
{
    public static T Of<T>(T empty, string userId = "u-1", Guid? eventId = null, string? reason = null)
        where T : OrderIntegrationEvent =>
        empty with
        {
            EventId = eventId ?? Guid.NewGuid(),
            OrderId = "o-1",
            UserId = userId,
            UserEmail = $"{userId}@example.com",
            Status = empty switch
            {
                OrderConfirmedIntegrationEvent => OrderStatus.Confirmed,
                OrderRejectedIntegrationEvent => OrderStatus.Rejected,
                OrderCancelledIntegrationEvent => OrderStatus.Cancelled,
                _ => OrderStatus.AwaitingPayment,
            },
            Total = 25.5m,
            Currency = "EUR",
            OccurredAt = DateTimeOffset.UtcNow,
            Reason = reason,
        };
}
