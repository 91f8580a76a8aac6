using Dapr.Client;
using DaprShop.Contracts;
using DaprShop.Contracts.Orders;
using OrderService.Domain;

namespace OrderService.IntegrationEvents;

/// <summary>Publishes order events to topic <c>orders</c> of pubsub <c>pubsub</c>.</summary>
public sealed class DaprOrderEventPublisher(DaprClient dapr, TimeProvider clock, ILogger<DaprOrderEventPublisher> logger) : IOrderEventPublisher
{
    public async Task PublishAsync(Order order, CancellationToken cancellationToken)
    {
        var integrationEvent = OrderIntegrationEventFactory.For(order, Guid.NewGuid(), clock.GetUtcNow());

        // Published as the base type: every event has the same fields, and eventType says which one it is.
        await dapr.PublishEventAsync<OrderIntegrationEvent>(DaprComponents.PubSub, Topics.Orders, integrationEvent, cancellationToken);
        logger.LogInformation("Published {EventType} {EventId} for order {OrderId}", integrationEvent.EventType, integrationEvent.EventId, order.OrderId);
    }
}
