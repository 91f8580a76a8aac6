using OrderService.Domain.Events;

namespace OrderService.Domain;

/// <summary>Reads orders from their logs as stored (the committed changes); commands go through the order's actor.</summary>
public sealed class OrderQueries(IOrderLogStore logs, IUserOrderIndex userOrders)
{
    /// <summary>The order now, or as it stood at <paramref name="asOf"/>; null when it does not exist (or did not yet).</summary>
    public async Task<OrderView?> GetAsync(string orderId, DateTimeOffset? asOf, CancellationToken cancellationToken)
    {
        var stored = await logs.ReadAsync(orderId, cancellationToken);
        if (stored?.Log.Fold() is not { } current)
        {
            return null;
        }

        return new OrderView(current, asOf is { } time ? stored.Log.FoldAsOf(time) : current);
    }

    /// <summary>The order's event log, with its owner so the caller can check access; null when it does not exist.</summary>
    public async Task<(OrderState Order, IReadOnlyList<OrderEventEnvelope> Events)?> GetEventsAsync(string orderId, CancellationToken cancellationToken)
    {
        var stored = await logs.ReadAsync(orderId, cancellationToken);
        return stored?.Log.Fold() is { } current ? (current, stored.Log.Events) : null;
    }

    /// <summary>
    /// The user's orders, newest first. The index may name an order whose first save never happened (the process
    /// stopped in between): it has no log and is left out.
    /// </summary>
    public async Task<IReadOnlyList<OrderState>> ListByUserAsync(string userId, CancellationToken cancellationToken)
    {
        var ids = await userOrders.GetAsync(userId, cancellationToken);
        var found = await logs.ReadManyAsync(ids, cancellationToken);

        return [.. found
            .Select(log => log.Fold())
            .OfType<OrderState>()
            .Where(order => order.IsOwnedBy(userId))
            .OrderByDescending(order => order.CreatedAt)
            .ThenByDescending(order => order.OrderId, StringComparer.Ordinal)];
    }
}

/// <summary>An order now (<see cref="Current"/>, which says who owns it) and as asked for (<see cref="AsOf"/>, null if it did not exist yet).</summary>
public sealed record OrderView(OrderState Current, OrderState? AsOf);
