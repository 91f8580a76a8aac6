using DaprShop.Contracts.Orders;

namespace OrderService.Domain;

/// <summary>Where order logs live, each saved together with the integration event of its latest change.</summary>
public interface IOrderLogStore
{
    /// <summary>The order's log and its ETag, or null when the order has no log.</summary>
    Task<StoredOrderLog?> ReadAsync(string orderId, CancellationToken cancellationToken);

    /// <summary>The logs that exist among <paramref name="orderIds"/>, in the order of the ids.</summary>
    Task<IReadOnlyList<OrderLog>> ReadManyAsync(IReadOnlyList<string> orderIds, CancellationToken cancellationToken);

    /// <summary>
    /// Saves <paramref name="log"/> and publishes <paramref name="integrationEvent"/> as one unit: both or neither.
    /// Insert-only when <paramref name="etag"/> is null, else only if the stored ETag is still <paramref name="etag"/>.
    /// False when another writer changed the log first; throws when the save failed for another reason.
    /// </summary>
    Task<bool> TrySaveAsync(OrderLog log, string? etag, OrderIntegrationEvent integrationEvent, CancellationToken cancellationToken);
}

public sealed record StoredOrderLog(OrderLog Log, string ETag);
