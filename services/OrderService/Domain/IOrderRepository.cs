namespace OrderService.Domain;

/// <summary>
/// Where orders live. Today: documents in the Dapr state store written with ETags. The seam is shaped so that an
/// event-sourced order actor can take its place: add is idempotent by id, and every change is a function applied to
/// the current order, one at a time per order.
/// </summary>
public interface IOrderRepository
{
    Task<Order?> GetAsync(string orderId, CancellationToken cancellationToken);

    /// <summary>Stores a new order; false (and nothing changes) when an order with its id exists.</summary>
    Task<bool> TryAddAsync(Order order, CancellationToken cancellationToken);

    /// <summary>
    /// Applies <paramref name="change"/> to the stored order without losing concurrent changes. The function may run
    /// more than once; it returns the order it was given to leave it as it is.
    /// </summary>
    Task<OrderUpdate> UpdateAsync(string orderId, Func<Order, Order> change, CancellationToken cancellationToken);

    /// <summary>The user's orders, newest first.</summary>
    Task<IReadOnlyList<Order>> ListByUserAsync(string userId, CancellationToken cancellationToken);
}

/// <summary>The order after an update, and whether this update changed it.</summary>
public sealed record OrderUpdate(Order Order, bool Changed);
