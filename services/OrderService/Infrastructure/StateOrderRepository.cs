using DaprShop.ServiceDefaults.State;
using OrderService.Domain;

namespace OrderService.Infrastructure;

/// <summary>
/// Orders as documents in the Dapr state store: <c>order-{orderId}</c> (created insert-only, changed with its ETag)
/// and a per-user index <c>orders-of-{userId}</c> (a list of order ids, changed with its ETag and retried on conflict).
/// </summary>
public sealed class StateOrderRepository(IStateStore state) : IOrderRepository
{
    public static string OrderKey(string orderId) => $"order-{orderId}";

    public static string UserIndexKey(string userId) => $"orders-of-{userId}";

    public async Task<Order?> GetAsync(string orderId, CancellationToken cancellationToken) =>
        (await state.GetAsync<Order>(OrderKey(orderId), cancellationToken))?.Value;

    public async Task<bool> TryAddAsync(Order order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);

        var added = await state.TryInsertAsync(OrderKey(order.OrderId), order, cancellationToken);

        // Also when the order existed: an earlier attempt may have stopped between the two writes.
        await state.UpdateAsync<UserOrderIndex>(
            UserIndexKey(order.UserId),
            index => (index ?? UserOrderIndex.Empty).With(order.OrderId),
            cancellationToken);

        return added;
    }

    public async Task<OrderUpdate> UpdateAsync(string orderId, Func<Order, Order> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);

        var update = await state.UpdateAsync<Order>(
            OrderKey(orderId),
            current => current is null ? throw new InvalidOperationException($"Order {orderId} does not exist.") : change(current),
            cancellationToken);

        return new OrderUpdate(update.Value!, update.Changed);
    }

    public async Task<IReadOnlyList<Order>> ListByUserAsync(string userId, CancellationToken cancellationToken)
    {
        var index = (await state.GetAsync<UserOrderIndex>(UserIndexKey(userId), cancellationToken))?.Value ?? UserOrderIndex.Empty;
        var orders = await state.GetManyAsync<Order>([.. index.OrderIds.Select(OrderKey)], cancellationToken);

        return [.. orders
            .Where(order => order.IsOwnedBy(userId))
            .OrderByDescending(order => order.CreatedAt)
            .ThenByDescending(order => order.OrderId, StringComparer.Ordinal)];
    }
}

/// <summary>The ids of one user's orders, in the order they were placed.</summary>
public sealed record UserOrderIndex(IReadOnlyList<string> OrderIds)
{
    public static UserOrderIndex Empty { get; } = new([]);

    /// <summary>This index with <paramref name="orderId"/> added, or the same instance when it is already there.</summary>
    public UserOrderIndex With(string orderId) => OrderIds.Contains(orderId, StringComparer.Ordinal) ? this : new UserOrderIndex([.. OrderIds, orderId]);
}
