using System.Collections.Concurrent;
using DaprShop.Contracts.Orders;
using OrderService.Domain;
using OrderService.IntegrationEvents;

namespace OrderService.Tests.Fakes;

/// <summary>Keeps the integration events that would have been published.</summary>
public sealed class RecordingEventPublisher : IOrderEventPublisher
{
    public ConcurrentQueue<OrderIntegrationEvent> Published { get; } = new();

    public IReadOnlyList<string> EventTypes => [.. Published.Select(e => e.EventType)];

    public Task PublishAsync(Order order, CancellationToken cancellationToken)
    {
        Published.Enqueue(OrderIntegrationEventFactory.For(order, Guid.NewGuid(), DateTimeOffset.UtcNow));
        return Task.CompletedTask;
    }
}
