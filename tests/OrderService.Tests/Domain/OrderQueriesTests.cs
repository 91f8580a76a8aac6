using DaprShop.Contracts.Orders;
using OrderService.Domain;
using OrderService.Domain.Events;
using OrderService.Infrastructure;
using OrderService.Tests.Fakes;

namespace OrderService.Tests.Domain;

public class OrderQueriesTests
{
    private readonly InMemoryOrderLogStore logs = new();
    private readonly InMemoryAppStateStore state = new();

    private OrderQueries Queries => new(logs, new StateUserOrderIndex(state));

    private async Task StoreAsync(string userId, string orderId, int minutesAfterStart)
    {
        var placed = TestOrders.PlacedEvent(orderId, userId);
        logs.Overwrite(OrderLog.Empty(orderId).Append([placed], TestOrders.Start.AddMinutes(minutesAfterStart)).Log);
        await new StateUserOrderIndex(state).AddAsync(userId, orderId, CancellationToken.None);
    }

    [Fact]
    public async Task ListByUserAsync_Newest_first_skipping_ids_without_a_log()
    {
        await StoreAsync("u-1", "o-old", 1);
        await new StateUserOrderIndex(state).AddAsync("u-1", "o-never-saved", CancellationToken.None);
        await StoreAsync("u-1", "o-new", 2);
        await StoreAsync("u-2", "o-other", 3);

        var orders = await Queries.ListByUserAsync("u-1", CancellationToken.None);

        Assert.Equal(["o-new", "o-old"], orders.Select(order => order.OrderId));
    }

    [Fact]
    public async Task GetAsync_as_of_before_the_order_Current_but_no_past()
    {
        await StoreAsync("u-1", "o-1", 1);

        var view = await Queries.GetAsync("o-1", TestOrders.Start, CancellationToken.None);

        Assert.Equal("u-1", view?.Current.UserId);
        Assert.Null(view?.AsOf);
    }

    [Fact]
    public async Task GetAsync_as_of_later_Fold_until_then()
    {
        logs.Overwrite(TestOrders.Log("o-1", TestOrders.PlacedEvent(), new PaymentDeferred("down"), new OrderCancelled(OrderCancelled.PaymentWindowExpired)));

        var view = await Queries.GetAsync("o-1", TestOrders.Start.AddSeconds(1), CancellationToken.None);

        Assert.Equal(OrderStatus.Cancelled, view?.Current.Status);
        Assert.Equal(OrderStatus.AwaitingPayment, view?.AsOf?.Status);
        Assert.True(view?.AsOf?.PaymentDeferred);
    }

    [Fact]
    public async Task GetAsync_unknown_Null()
    {
        Assert.Null(await Queries.GetAsync("nope", null, CancellationToken.None));
        Assert.Null(await Queries.GetEventsAsync("nope", CancellationToken.None));
    }
}
