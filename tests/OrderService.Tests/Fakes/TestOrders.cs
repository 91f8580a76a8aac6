using OrderService.Domain;
using OrderService.Domain.Events;

namespace OrderService.Tests.Fakes;

/// <summary>Orders and logs for tests, built from events the way the service builds them.</summary>
public static class TestOrders
{
    public static readonly DateTimeOffset Start = new(2025, 5, 6, 7, 8, 9, TimeSpan.Zero);

    public static PlaceOrder Command(string userId = "u-1", string? key = null, string paymentMethod = "tok_visa", IReadOnlyList<OrderLine>? items = null) =>
        new(userId, $"{userId}@example.com", key, items ?? [new OrderLine("sku-1", 2, 12.50m)], "eur", paymentMethod);

    public static OrderPlaced PlacedEvent(string orderId = "o-1", string userId = "u-1", IReadOnlyList<OrderLine>? items = null, string paymentMethod = "tok_visa") =>
        OrderState.Place(orderId, Command(userId, paymentMethod: paymentMethod, items: items));

    /// <summary>A log of <paramref name="events"/>, one second apart from <see cref="Start"/>.</summary>
    public static OrderLog Log(string orderId, params OrderEvent[] events)
    {
        var log = OrderLog.Empty(orderId);
        for (var i = 0; i < events.Length; i++)
        {
            log = log.Append([events[i]], Start.AddSeconds(i)).Log;
        }

        return log;
    }

    public static OrderState Placed(string orderId = "o-1", string userId = "u-1", IReadOnlyList<OrderLine>? items = null) =>
        Log(orderId, PlacedEvent(orderId, userId, items)).Fold()!;

    public static OrderState Confirmed(string orderId = "o-1") =>
        Log(orderId, PlacedEvent(orderId), new PaymentCaptured("p-1", 25m), new OrderConfirmed("p-1")).Fold()!;

    public static OrderState Rejected(string orderId = "o-1") =>
        Log(orderId, PlacedEvent(orderId), new PaymentDeclined("p-1", "card_declined"), new OrderRejected("card_declined")).Fold()!;

    public static OrderState Deferred(string orderId = "o-1") =>
        Log(orderId, PlacedEvent(orderId), new PaymentDeferred("payment-service answered 503")).Fold()!;

    public static OrderState Cancelled(string orderId = "o-1") =>
        Log(orderId, PlacedEvent(orderId), new OrderCancelled(OrderCancelled.ByCustomer)).Fold()!;
}
