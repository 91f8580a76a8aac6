using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using DaprShop.Contracts.Orders;
using OrderService.Domain;

namespace OrderService.Tests.Fakes;

/// <summary>
/// An <see cref="IOrderLogStore"/> in memory with the semantics of the Dapr state transaction and its outbox: the
/// log and its integration event go through JSON (as through the sidecar), the save is insert-only without an ETag
/// and checks the ETag otherwise, and the event is "published" only when the save succeeded.
/// </summary>
public sealed class InMemoryOrderLogStore : IOrderLogStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, (string Json, long Version)> logs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<OrderIntegrationEvent> published = new();
    private readonly ConcurrentQueue<string> readIds = new();
    private readonly Lock gate = new();
    private long version;
    private int failuresToInject;

    /// <summary>What the outbox published, in commit order.</summary>
    public IReadOnlyList<OrderIntegrationEvent> Published => [.. published];

    public IReadOnlyList<string> PublishedTypes => [.. published.Select(e => e.EventType)];

    /// <summary>Every order id <see cref="ReadAsync"/> was asked for, in order.</summary>
    public IReadOnlyList<string> ReadIds => [.. readIds];

    /// <summary>Makes the next <paramref name="count"/> saves fail as a failed commit does: nothing saved, nothing published.</summary>
    public void FailNextSaves(int count) => Interlocked.Exchange(ref failuresToInject, count);

    public OrderLog? Peek(string orderId) => logs.TryGetValue(orderId, out var item) ? JsonSerializer.Deserialize<OrderLog>(item.Json, Json) : null;

    /// <summary>Writes <paramref name="log"/> as another writer would, without publishing anything.</summary>
    public void Overwrite(OrderLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        logs[log.OrderId] = (JsonSerializer.Serialize(log, Json), Interlocked.Increment(ref version));
    }

    public Task<StoredOrderLog?> ReadAsync(string orderId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        readIds.Enqueue(orderId);
        StoredOrderLog? stored = logs.TryGetValue(orderId, out var item)
            ? new StoredOrderLog(JsonSerializer.Deserialize<OrderLog>(item.Json, Json)!, item.Version.ToString(CultureInfo.InvariantCulture))
            : null;
        return Task.FromResult(stored);
    }

    public Task<IReadOnlyList<OrderLog>> ReadManyAsync(IReadOnlyList<string> orderIds, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<OrderLog> found = [.. orderIds.Select(Peek).OfType<OrderLog>()];
        return Task.FromResult(found);
    }

    public Task<bool> TrySaveAsync(OrderLog log, string? etag, OrderIntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(integrationEvent);
        cancellationToken.ThrowIfCancellationRequested();

        if (Interlocked.Decrement(ref failuresToInject) >= 0)
        {
            throw new InvalidOperationException("Injected failure: the state transaction did not commit.");
        }

        lock (gate)
        {
            var exists = logs.TryGetValue(log.OrderId, out var current);
            if (etag is null ? exists : !exists || current.Version.ToString(CultureInfo.InvariantCulture) != etag)
            {
                return Task.FromResult(false);
            }

            logs[log.OrderId] = (JsonSerializer.Serialize(log, Json), Interlocked.Increment(ref version));
            published.Enqueue(AsSubscriberReadsIt(integrationEvent));
        }

        return Task.FromResult(true);
    }

    /// <summary>The event as notification-service reads the published JSON (serialized as the base type, read by its <c>eventType</c>).</summary>
    private static OrderIntegrationEvent AsSubscriberReadsIt(OrderIntegrationEvent integrationEvent) =>
        OrderEventTypes.Deserialize(JsonSerializer.SerializeToElement(integrationEvent, Json), Json)
            ?? throw new InvalidOperationException($"Subscribers do not know event type {integrationEvent.EventType}.");
}
