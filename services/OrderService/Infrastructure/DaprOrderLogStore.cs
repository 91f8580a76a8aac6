using System.Text.Json;
using Dapr;
using Dapr.Client;
using DaprShop.Contracts;
using DaprShop.Contracts.Orders;
using OrderService.Domain;

namespace OrderService.Infrastructure;

/// <summary>
/// Order logs in the Dapr state store <c>statestore</c>, one key per order (<c>order-{orderId}</c>). Every save is one
/// state transaction of two upserts of that key: the log itself (with its ETag, or insert-only for a new order), and
/// an outbox projection whose value is the change's integration event. The component's transactional outbox
/// (<c>outboxPublishPubsub</c>/<c>outboxPublishTopic</c>) publishes the projection to topic <c>orders</c> after the
/// transaction commits, and nothing when it fails; the projection itself is never saved.
/// </summary>
public sealed class DaprOrderLogStore(DaprClient dapr, ILogger<DaprOrderLogStore> logger) : IOrderLogStore
{
    /// <summary>The content type of the published event; daprd's outbox reads it from the projection's metadata.</summary>
    public const string ContentTypeMetadata = "contentType";

    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    private static readonly Dictionary<string, string> ProjectionMetadata = new(StringComparer.Ordinal)
    {
        [ContentTypeMetadata] = "application/json",
    };

    public string StoreName { get; init; } = DaprComponents.StateStore;

    public static string LogKey(string orderId) => $"order-{orderId}";

    public async Task<StoredOrderLog?> ReadAsync(string orderId, CancellationToken cancellationToken)
    {
        var (log, etag) = await dapr.GetStateAndETagAsync<OrderLog?>(StoreName, LogKey(orderId), cancellationToken: cancellationToken);
        return log is null ? null : new StoredOrderLog(log, etag ?? string.Empty);
    }

    public async Task<IReadOnlyList<OrderLog>> ReadManyAsync(IReadOnlyList<string> orderIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderIds);
        if (orderIds.Count == 0)
        {
            return [];
        }

        var keys = orderIds.Select(LogKey).ToList();
        var items = await dapr.GetBulkStateAsync<OrderLog?>(StoreName, keys, parallelism: null, cancellationToken: cancellationToken);
        var byKey = items.Where(item => item.Value is not null).ToDictionary(item => item.Key, item => item.Value!, StringComparer.Ordinal);
        return [.. keys.Where(byKey.ContainsKey).Select(key => byKey[key])];
    }

    public async Task<bool> TrySaveAsync(OrderLog log, string? etag, OrderIntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(integrationEvent);

        var operations = new OutboxTransactionBuilder()
            .UpsertWithProjection(
                LogKey(log.OrderId),
                JsonSerializer.SerializeToUtf8Bytes(log, dapr.JsonSerializerOptions),
                JsonSerializer.SerializeToUtf8Bytes(integrationEvent, dapr.JsonSerializerOptions),
                etag: string.IsNullOrEmpty(etag) ? null : etag,
                stateMetadata: null,
                projectionMetadata: ProjectionMetadata,
                options: FirstWrite)
            .Build();

        try
        {
            await dapr.ExecuteStateTransactionAsync(StoreName, operations, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprException exception) when (!cancellationToken.IsCancellationRequested)
        {
            // daprd answers a failed transaction with the same error whatever the cause (a stale ETag included), so
            // look at what is stored: this very change (the answer was lost after the commit), another writer's, or
            // the same log as before (a real failure).
            var stored = await ReadAsync(log.OrderId, cancellationToken);
            if (IsSameChange(stored?.Log, log))
            {
                logger.LogWarning(exception, "Saving order {OrderId} version {Version} reported a failure, but the change is stored", log.OrderId, log.Version);
                return true;
            }

            if (stored is not null && !string.Equals(stored.ETag, etag, StringComparison.Ordinal))
            {
                logger.LogWarning("Order {OrderId} changed under us: stored version {StoredVersion}, ours {Version}", log.OrderId, stored.Log.Version, log.Version);
                return false;
            }

            throw;
        }
    }

    private static bool IsSameChange(OrderLog? stored, OrderLog ours) =>
        stored is { Events.Count: > 0 }
        && stored.Version == ours.Version
        && stored.Events[^1].Type == ours.Events[^1].Type
        && stored.Events[^1].OccurredAt == ours.Events[^1].OccurredAt;
}
