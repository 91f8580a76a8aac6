using DaprShop.Contracts.Orders;
using DaprShop.ServiceDefaults.State;
using OrderService.Domain;
using OrderService.Infrastructure;
using OrderService.Tests.Fakes;

namespace OrderService.Tests.Infrastructure;

public class StateOrderRepositoryTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly InMemoryStateStore state = new();

    private StateOrderRepository Repository => new(state);

    private static Order NewOrder(string orderId, string userId = "u-1", DateTimeOffset? at = null) =>
        Order.Place(orderId, userId, null, [new OrderLine("sku", 1, 1m)], "EUR", "tok_visa", at ?? Now);

    [Fact]
    public async Task TryAddAsync_new_order_True_stored_and_indexed()
    {
        Assert.True(await Repository.TryAddAsync(NewOrder("o-1"), CancellationToken.None));

        Assert.True(state.Contains(StateOrderRepository.OrderKey("o-1")));
        Assert.Equal(["o-1"], state.Peek<UserOrderIndex>(StateOrderRepository.UserIndexKey("u-1"))?.OrderIds);
    }

    [Fact]
    public async Task TryAddAsync_existing_id_False_and_original_kept()
    {
        await Repository.TryAddAsync(NewOrder("o-1"), CancellationToken.None);
        var duplicate = NewOrder("o-1") with { Total = 999m };

        Assert.False(await Repository.TryAddAsync(duplicate, CancellationToken.None));
        Assert.Equal(1m, (await Repository.GetAsync("o-1", CancellationToken.None))?.Total);
        Assert.Single(state.Peek<UserOrderIndex>(StateOrderRepository.UserIndexKey("u-1"))!.OrderIds);
    }

    [Fact]
    public async Task TryAddAsync_index_etag_conflicts_Retried_and_indexed()
    {
        state.InjectConflicts(StateOrderRepository.UserIndexKey("u-1"), 3);

        await Repository.TryAddAsync(NewOrder("o-1"), CancellationToken.None);

        Assert.Equal(["o-1"], state.Peek<UserOrderIndex>(StateOrderRepository.UserIndexKey("u-1"))?.OrderIds);
    }

    [Fact]
    public async Task TryAddAsync_concurrent_orders_of_one_user_All_indexed()
    {
        var repository = Repository;

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => repository.TryAddAsync(NewOrder($"o-{i}"), CancellationToken.None))));

        Assert.Equal(20, (await repository.ListByUserAsync("u-1", CancellationToken.None)).Count);
    }

    [Fact]
    public async Task ListByUserAsync_several_orders_Newest_first_and_only_own()
    {
        await Repository.TryAddAsync(NewOrder("old", at: Now), CancellationToken.None);
        await Repository.TryAddAsync(NewOrder("new", at: Now.AddMinutes(2)), CancellationToken.None);
        await Repository.TryAddAsync(NewOrder("mid", at: Now.AddMinutes(1)), CancellationToken.None);
        await Repository.TryAddAsync(NewOrder("theirs", userId: "u-2"), CancellationToken.None);

        var orders = await Repository.ListByUserAsync("u-1", CancellationToken.None);

        Assert.Equal(["new", "mid", "old"], orders.Select(order => order.OrderId));
    }

    [Fact]
    public async Task ListByUserAsync_no_orders_Empty()
    {
        Assert.Empty(await Repository.ListByUserAsync("nobody", CancellationToken.None));
    }

    [Fact]
    public async Task UpdateAsync_etag_conflicts_Retried_with_fresh_state()
    {
        await Repository.TryAddAsync(NewOrder("o-1"), CancellationToken.None);
        state.InjectConflicts(StateOrderRepository.OrderKey("o-1"), 2);
        var applied = 0;

        var update = await Repository.UpdateAsync("o-1", order => { applied++; return order.Confirm("p-1", Now); }, CancellationToken.None);

        Assert.True(update.Changed);
        Assert.Equal(3, applied);
        Assert.Equal(OrderStatus.Confirmed, (await Repository.GetAsync("o-1", CancellationToken.None))?.Status);
    }

    [Fact]
    public async Task UpdateAsync_change_returns_same_order_Not_written()
    {
        await Repository.TryAddAsync(NewOrder("o-1"), CancellationToken.None);
        var writes = state.Writes;

        var update = await Repository.UpdateAsync("o-1", order => order, CancellationToken.None);

        Assert.False(update.Changed);
        Assert.Equal(writes, state.Writes);
    }

    [Fact]
    public async Task UpdateAsync_endless_conflicts_StateConcurrencyException()
    {
        await Repository.TryAddAsync(NewOrder("o-1"), CancellationToken.None);
        state.InjectConflicts(StateOrderRepository.OrderKey("o-1"), int.MaxValue);

        await Assert.ThrowsAsync<StateConcurrencyException>(() => Repository.UpdateAsync("o-1", order => order.Confirm("p-1", Now), CancellationToken.None));
    }
}
