using DaprShop.Contracts.Orders;
using Microsoft.Extensions.Logging.Abstractions;
using OrderService.Domain;
using OrderService.Infrastructure;
using OrderService.Tests.Fakes;

namespace OrderService.Tests.Domain;

public class OrderPlacementTests
{
    private readonly InMemoryStateStore state = new();
    private readonly FakePaymentGateway payments = new();
    private readonly RecordingEventPublisher events = new();

    private StateOrderRepository Repository => new(state);

    private OrderPlacement Placement() => new(Repository, payments, events, TimeProvider.System, NullLogger<OrderPlacement>.Instance);

    private static PlaceOrder Command(string? key = null, string paymentMethod = "tok_visa", string userId = "u-1") =>
        new(userId, $"{userId}@example.com", key, [new OrderLine("sku-1", 2, 12.50m)], "EUR", paymentMethod);

    [Fact]
    public async Task PlaceAsync_payment_captured_Confirmed_with_submitted_then_confirmed_events()
    {
        var result = await Placement().PlaceAsync(Command(), CancellationToken.None);

        Assert.True(result.Created);
        Assert.Equal(OrderStatus.Confirmed, result.Order.Status);
        Assert.Equal(25.00m, result.Order.Total);
        Assert.Equal([OrderEventTypes.OrderSubmitted, OrderEventTypes.OrderConfirmed], events.EventTypes);
        Assert.Equal(OrderStatus.Confirmed, (await Repository.GetAsync(result.Order.OrderId, CancellationToken.None))?.Status);
    }

    [Fact]
    public async Task PlaceAsync_payment_declined_Rejected_with_rejected_event()
    {
        var result = await Placement().PlaceAsync(Command(paymentMethod: "tok_decline"), CancellationToken.None);

        Assert.Equal(OrderStatus.Rejected, result.Order.Status);
        Assert.Equal("card_declined", result.Order.StatusReason);
        Assert.Equal([OrderEventTypes.OrderSubmitted, OrderEventTypes.OrderRejected], events.EventTypes);
    }

    [Fact]
    public async Task PlaceAsync_payment_unavailable_AwaitingPayment_with_submitted_event_only()
    {
        payments.Down = true;

        var result = await Placement().PlaceAsync(Command(), CancellationToken.None);

        Assert.Equal(OrderStatus.AwaitingPayment, result.Order.Status);
        Assert.Equal([OrderEventTypes.OrderSubmitted], events.EventTypes);
    }

    [Fact]
    public async Task PlaceAsync_same_key_twice_One_order_one_payment_call()
    {
        var first = await Placement().PlaceAsync(Command("key-1"), CancellationToken.None);
        var second = await Placement().PlaceAsync(Command("key-1"), CancellationToken.None);

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.Order.OrderId, second.Order.OrderId);
        Assert.Equal(OrderStatus.Confirmed, second.Order.Status);
        Assert.Equal(1, payments.CaptureCalls);
        Assert.Single(await Repository.ListByUserAsync("u-1", CancellationToken.None));
    }

    [Fact]
    public async Task PlaceAsync_same_key_concurrently_One_order_one_charge()
    {
        var placement = Placement();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => placement.PlaceAsync(Command("key-1"), CancellationToken.None))));

        Assert.Single(results.Select(result => result.Order.OrderId).Distinct());
        Assert.Single(results, result => result.Created);
        Assert.Equal(1, payments.Charges);
        Assert.Single(events.Published, e => e.EventType == OrderEventTypes.OrderConfirmed);
    }

    [Fact]
    public async Task PlaceAsync_same_key_after_payment_was_down_Retries_payment_and_confirms()
    {
        payments.Down = true;
        var first = await Placement().PlaceAsync(Command("key-1"), CancellationToken.None);
        payments.Down = false;

        var second = await Placement().PlaceAsync(Command("key-1"), CancellationToken.None);

        Assert.Equal(OrderStatus.AwaitingPayment, first.Order.Status);
        Assert.Equal(OrderStatus.Confirmed, second.Order.Status);
        Assert.Equal(1, payments.Charges);
    }

    [Fact]
    public async Task PlaceAsync_same_key_other_user_Other_order()
    {
        var first = await Placement().PlaceAsync(Command("key-1", userId: "u-1"), CancellationToken.None);
        var second = await Placement().PlaceAsync(Command("key-1", userId: "u-2"), CancellationToken.None);

        Assert.NotEqual(first.Order.OrderId, second.Order.OrderId);
        Assert.True(second.Created);
    }

    [Fact]
    public async Task PlaceAsync_without_key_twice_Two_orders()
    {
        var first = await Placement().PlaceAsync(Command(), CancellationToken.None);
        var second = await Placement().PlaceAsync(Command(), CancellationToken.None);

        Assert.NotEqual(first.Order.OrderId, second.Order.OrderId);
        Assert.Equal(2, payments.Charges);
    }

    [Fact]
    public async Task SettlePaymentAsync_order_cancelled_meanwhile_Refunds_and_stays_cancelled()
    {
        payments.Down = true;
        var placed = await Placement().PlaceAsync(Command("key-1"), CancellationToken.None);
        await Repository.UpdateAsync(placed.Order.OrderId, order => order.Cancel(DateTimeOffset.UtcNow), CancellationToken.None);
        payments.Down = false;

        var settled = await Placement().SettlePaymentAsync(placed.Order, CancellationToken.None);

        Assert.Equal(OrderStatus.Cancelled, settled.Status);
        Assert.True(payments.Refunded.ContainsKey(placed.Order.OrderId));
        Assert.DoesNotContain(OrderEventTypes.OrderConfirmed, events.EventTypes);
    }
}
