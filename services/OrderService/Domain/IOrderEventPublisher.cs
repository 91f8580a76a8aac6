namespace OrderService.Domain;

/// <summary>Publishes the integration event of an order's state change.</summary>
public interface IOrderEventPublisher
{
    /// <summary>Publishes the event that says the order reached its current status.</summary>
    Task PublishAsync(Order order, CancellationToken cancellationToken);
}
