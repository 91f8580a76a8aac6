using DaprShop.Contracts.Orders;
using Microsoft.Extensions.Logging.Abstractions;
using OrderService.Domain;
using OrderService.Infrastructure;
using OrderService.Tests.Fakes;

namespace OrderService.Tests.Domain;

public class OrderCancellationTests
{
    private readonly InMemoryStateStore state = new();
    private readonly FakePaymentGateway payments = new();
    private readonly RecordingEventPublisher events = new();

    private StateOrderRepository Repository => new(state);

    private OrderCancellation Cancellation() => new(Repository, payments, events, TimeProvider.System, NullLogger<OrderCancellation>.Instance);

    private async Task<Order> PlaceAsync(string paymentMethod = "tok_visa")
    {
        var placement = new OrderPlacement(Repository, payments, events, TimeProvider.System, NullLogger<OrderPlacement>.Instance);
        var result = await placement.PlaceAsync(new PlaceOrder("u-1", null, null, [new OrderLine("sku", 1, 5m)], "EUR", paymentMethod), CancellationToken.None);
        return result.Order;
    }

    [Fact]
    public async Task CancelAsync_confirmed_by_owner_Cancelled_refunded_and_published()
    {
        var order = await PlaceAsync();

        var outcome = await Cancellation().CancelAsync(order.OrderId, TestUsers.Customer("u-1"), CancellationToken.None);

        Assert.Equal(CancellationOutcomeKind.Cancelled, outcome.Kind);
        Assert.Equal(OrderStatus.Cancelled, outcome.Order?.Status);
        Assert.True(payments.Refunded.ContainsKey(order.OrderId));
        Assert.Equal(OrderEventTypes.OrderCancelled, events.EventTypes[^1]);
    }

    [Fact]
    public async Task CancelAsync_twice_NotCancellable_already_cancelled()
    {
        var order = await PlaceAsync();
        await Cancellation().CancelAsync(order.OrderId, TestUsers.Customer("u-1"), CancellationToken.None);

        var outcome = await Cancellation().CancelAsync(order.OrderId, TestUsers.Customer("u-1"), CancellationToken.None);

        Assert.Equal(CancellationOutcomeKind.NotCancellable, outcome.Kind);
        Assert.Contains("already cancelled", outcome.Detail, StringComparison.Ordinal);
        Assert.Single(events.Published, e => e.EventType == OrderEventTypes.OrderCancelled);
    }

    [Fact]
    public async Task CancelAsync_rejected_NotCancellable()
    {
        var order = await PlaceAsync("tok_decline");

        var outcome = await Cancellation().CancelAsync(order.OrderId, TestUsers.Customer("u-1"), CancellationToken.None);

        Assert.Equal(CancellationOutcomeKind.NotCancellable, outcome.Kind);
    }

    [Fact]
    public async Task CancelAsync_other_customer_NotFound_and_unchanged()
    {
        var order = await PlaceAsync();

        var outcome = await Cancellation().CancelAsync(order.OrderId, TestUsers.Customer("u-2"), CancellationToken.None);

        Assert.Equal(CancellationOutcomeKind.NotFound, outcome.Kind);
        Assert.Equal(OrderStatus.Confirmed, (await Repository.GetAsync(order.OrderId, CancellationToken.None))?.Status);
        Assert.Equal(0, payments.RefundCalls);
    }

    [Fact]
    public async Task CancelAsync_admin_not_owner_NotOwner()
    {
        var order = await PlaceAsync();

        var outcome = await Cancellation().CancelAsync(order.OrderId, TestUsers.Admin("admin-1"), CancellationToken.None);

        Assert.Equal(CancellationOutcomeKind.NotOwner, outcome.Kind);
    }

    [Fact]
    public async Task CancelAsync_payment_unavailable_PaymentUnavailable_and_unchanged()
    {
        var order = await PlaceAsync();
        payments.Down = true;

        var outcome = await Cancellation().CancelAsync(order.OrderId, TestUsers.Customer("u-1"), CancellationToken.None);

        Assert.Equal(CancellationOutcomeKind.PaymentUnavailable, outcome.Kind);
        Assert.Equal(OrderStatus.Confirmed, (await Repository.GetAsync(order.OrderId, CancellationToken.None))?.Status);
    }

    [Fact]
    public async Task CancelAsync_awaiting_payment_Cancelled_without_payment()
    {
        payments.Down = true;
        var order = await PlaceAsync();
        payments.Down = false;

        var outcome = await Cancellation().CancelAsync(order.OrderId, TestUsers.Customer("u-1"), CancellationToken.None);

        Assert.Equal(CancellationOutcomeKind.Cancelled, outcome.Kind);
        Assert.False(payments.Refunded.ContainsKey(order.OrderId));
    }
}
